// The few OpenGL 3.3 core entry points the renderer uses, looked up through a caller-supplied
// function (the host's context knows how). Private to the render library.
#pragma once

#include <GL/glcorearb.h>

#include <string>

namespace vitscope::gl {

struct Api {
#define VITSCOPE_GL_FUNCTIONS(X)                                        \
    X(PFNGLGENTEXTURESPROC, GenTextures)                                \
    X(PFNGLDELETETEXTURESPROC, DeleteTextures)                          \
    X(PFNGLBINDTEXTUREPROC, BindTexture)                                \
    X(PFNGLTEXIMAGE2DPROC, TexImage2D)                                  \
    X(PFNGLTEXPARAMETERIPROC, TexParameteri)                            \
    X(PFNGLACTIVETEXTUREPROC, ActiveTexture)                            \
    X(PFNGLPIXELSTOREIPROC, PixelStorei)                                \
    X(PFNGLCREATESHADERPROC, CreateShader)                              \
    X(PFNGLSHADERSOURCEPROC, ShaderSource)                              \
    X(PFNGLCOMPILESHADERPROC, CompileShader)                            \
    X(PFNGLGETSHADERIVPROC, GetShaderiv)                                \
    X(PFNGLGETSHADERINFOLOGPROC, GetShaderInfoLog)                      \
    X(PFNGLDELETESHADERPROC, DeleteShader)                              \
    X(PFNGLCREATEPROGRAMPROC, CreateProgram)                            \
    X(PFNGLATTACHSHADERPROC, AttachShader)                              \
    X(PFNGLLINKPROGRAMPROC, LinkProgram)                                \
    X(PFNGLGETPROGRAMIVPROC, GetProgramiv)                              \
    X(PFNGLGETPROGRAMINFOLOGPROC, GetProgramInfoLog)                    \
    X(PFNGLDELETEPROGRAMPROC, DeleteProgram)                            \
    X(PFNGLUSEPROGRAMPROC, UseProgram)                                  \
    X(PFNGLGETUNIFORMLOCATIONPROC, GetUniformLocation)                  \
    X(PFNGLUNIFORM1IPROC, Uniform1i)                                    \
    X(PFNGLUNIFORM2IPROC, Uniform2i)                                    \
    X(PFNGLUNIFORM1FPROC, Uniform1f)                                    \
    X(PFNGLUNIFORM2FPROC, Uniform2f)                                    \
    X(PFNGLUNIFORM3FPROC, Uniform3f)                                    \
    X(PFNGLUNIFORM4FPROC, Uniform4f)                                    \
    X(PFNGLENABLEPROC, Enable)                                          \
    X(PFNGLSCISSORPROC, Scissor)                                        \
    X(PFNGLGENVERTEXARRAYSPROC, GenVertexArrays)                        \
    X(PFNGLDELETEVERTEXARRAYSPROC, DeleteVertexArrays)                  \
    X(PFNGLBINDVERTEXARRAYPROC, BindVertexArray)                        \
    X(PFNGLDRAWARRAYSPROC, DrawArrays)                                  \
    X(PFNGLVIEWPORTPROC, Viewport)                                      \
    X(PFNGLCLEARCOLORPROC, ClearColor)                                  \
    X(PFNGLCLEARPROC, Clear)                                            \
    X(PFNGLDISABLEPROC, Disable)                                        \
    X(PFNGLGETERRORPROC, GetError)                                      \
    X(PFNGLGENFRAMEBUFFERSPROC, GenFramebuffers)                        \
    X(PFNGLDELETEFRAMEBUFFERSPROC, DeleteFramebuffers)                  \
    X(PFNGLBINDFRAMEBUFFERPROC, BindFramebuffer)                        \
    X(PFNGLFRAMEBUFFERTEXTURE2DPROC, FramebufferTexture2D)              \
    X(PFNGLCHECKFRAMEBUFFERSTATUSPROC, CheckFramebufferStatus)          \
    X(PFNGLGETINTEGERVPROC, GetIntegerv)                                \
    X(PFNGLREADPIXELSPROC, ReadPixels)                                  \
    X(PFNGLBLITFRAMEBUFFERPROC, BlitFramebuffer)

#define VITSCOPE_GL_DECLARE(type, name) type name = nullptr;
    VITSCOPE_GL_FUNCTIONS(VITSCOPE_GL_DECLARE)
#undef VITSCOPE_GL_DECLARE
};

using ProcLookup = void* (*)(void* user, const char* name);

// Fills every entry; returns false and names the first missing function in `error`.
bool load_api(Api& api, ProcLookup lookup, void* user, std::string& error);

}  // namespace vitscope::gl
