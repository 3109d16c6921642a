#include "heatmap_renderer.h"

#include "gl_api.h"

#include <fstream>
#include <sstream>
#include <vector>

namespace vitscope {

namespace {

// Every uniform heatmap.frag/vert declares; each must exist after linking.
constexpr const char* kUniforms[] = {"u_rect",   "u_values",  "u_flags",    "u_image",   "u_cmap",
                                     "u_grid",   "u_cmap_row", "u_range",   "u_log",     "u_smooth",
                                     "u_has_image", "u_has_flags", "u_show_grid", "u_colorbar", "u_opacity",
                                     "u_size_px"};
enum Uniform {
    URect, UValues, UFlags, UImage, UCmap, UGrid, UCmapRow, URange, ULog, USmooth,
    UHasImage, UHasFlags, UShowGrid, UColorbar, UOpacity, USizePx, UCount
};

bool read_text(const std::string& path, std::string& out, std::string& error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = path + ": cannot open shader file";
        return false;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    out = ss.str();
    return true;
}

}  // namespace

struct HeatmapRenderer::Impl {
    gl::Api gl;
    bool ready = false;
    GLuint program = 0, vao = 0;
    GLuint tex_values = 0, tex_flags = 0, tex_image = 0, tex_cmap = 0;
    GLint loc[UCount] = {};
    int image_w = 0, image_h = 0;
    int fb_w = 1, fb_h = 1;
    unsigned error = 0;

    GLuint compile(GLenum type, const std::string& path, std::string& err) {
        std::string src;
        if (!read_text(path, src, err)) return 0;
        GLuint s = gl.CreateShader(type);
        const char* p = src.c_str();
        gl.ShaderSource(s, 1, &p, nullptr);
        gl.CompileShader(s);
        GLint ok = 0;
        gl.GetShaderiv(s, GL_COMPILE_STATUS, &ok);
        if (!ok) {
            char log[2048] = {};
            gl.GetShaderInfoLog(s, sizeof log, nullptr, log);
            err = path + ": compile error: " + log;
            gl.DeleteShader(s);
            return 0;
        }
        return s;
    }

    void upload_float(GLuint tex, int w, int h, const float* data, bool smooth) {
        gl.BindTexture(GL_TEXTURE_2D, tex);
        gl.PixelStorei(GL_UNPACK_ALIGNMENT, 1);
        gl.TexImage2D(GL_TEXTURE_2D, 0, GL_R32F, w, h, 0, GL_RED, GL_FLOAT, data);
        gl.PixelStorei(GL_UNPACK_ALIGNMENT, 4);  // the default, which Qt's glyph uploads assume
        gl.TexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, smooth ? GL_LINEAR : GL_NEAREST);
        gl.TexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, smooth ? GL_LINEAR : GL_NEAREST);
    }

    void upload_flags(int w, int h, const uint8_t* data) {
        gl.BindTexture(GL_TEXTURE_2D, tex_flags);
        gl.PixelStorei(GL_UNPACK_ALIGNMENT, 1);
        gl.TexImage2D(GL_TEXTURE_2D, 0, GL_R8UI, w, h, 0, GL_RED_INTEGER, GL_UNSIGNED_BYTE, data);
        gl.PixelStorei(GL_UNPACK_ALIGNMENT, 4);
    }

    // Rect in framebuffer pixels (origin top-left) -> NDC corners.
    void set_rect(const RectF& r) {
        const float x0 = 2.0f * r.x / float(fb_w) - 1.0f, x1 = 2.0f * (r.x + r.w) / float(fb_w) - 1.0f;
        const float y0 = 1.0f - 2.0f * r.y / float(fb_h), y1 = 1.0f - 2.0f * (r.y + r.h) / float(fb_h);
        gl.Uniform4f(loc[URect], x0, y0, x1, y1);
        gl.Uniform2f(loc[USizePx], r.w, r.h);
    }

    void draw_cells(const RectF& r, int gw, int gh, const float* values, const uint8_t* flags, bool with_image,
                    const HeatmapFigure& f) {
        const bool smooth = f.sampling == Sampling::Smooth;
        gl.ActiveTexture(GL_TEXTURE0);
        upload_float(tex_values, gw, gh, values, smooth);
        gl.ActiveTexture(GL_TEXTURE1);
        if (flags) upload_flags(gw, gh, flags);
        gl.Uniform1i(loc[UHasFlags], flags ? 1 : 0);
        gl.Uniform2i(loc[UGrid], gw, gh);
        gl.Uniform1i(loc[USmooth], smooth ? 1 : 0);
        gl.Uniform1i(loc[UHasImage], with_image ? 1 : 0);
        gl.Uniform1i(loc[UColorbar], 0);
        set_rect(r);
        gl.DrawArrays(GL_TRIANGLE_STRIP, 0, 4);
    }
};

HeatmapRenderer::HeatmapRenderer() : d_(std::make_unique<Impl>()) {}
HeatmapRenderer::~HeatmapRenderer() = default;

bool HeatmapRenderer::ready() const { return d_->ready; }
bool HeatmapRenderer::has_image() const { return d_->image_w > 0; }
unsigned HeatmapRenderer::last_error() const { return d_->error; }

bool HeatmapRenderer::initialize(const GlProcLoader& loader, const std::string& shader_dir, std::string& error) {
    Impl& d = *d_;
    if (!gl::load_api(d.gl, loader.lookup, loader.user, error)) return false;
    auto& gl = d.gl;
    const GLuint vs = d.compile(GL_VERTEX_SHADER, shader_dir + "/heatmap.vert", error);
    if (!vs) return false;
    const GLuint fs = d.compile(GL_FRAGMENT_SHADER, shader_dir + "/heatmap.frag", error);
    if (!fs) {
        gl.DeleteShader(vs);
        return false;
    }
    d.program = gl.CreateProgram();
    gl.AttachShader(d.program, vs);
    gl.AttachShader(d.program, fs);
    gl.LinkProgram(d.program);
    gl.DeleteShader(vs);
    gl.DeleteShader(fs);
    GLint ok = 0;
    gl.GetProgramiv(d.program, GL_LINK_STATUS, &ok);
    if (!ok) {
        char log[2048] = {};
        gl.GetProgramInfoLog(d.program, sizeof log, nullptr, log);
        error = shader_dir + "/heatmap.{vert,frag}: link error: " + log;
        return false;
    }
    for (int i = 0; i < UCount; ++i) {
        d.loc[i] = gl.GetUniformLocation(d.program, kUniforms[i]);
        if (d.loc[i] < 0) {
            error = shader_dir + "/heatmap.frag: uniform " + kUniforms[i] + " is missing after linking";
            return false;
        }
    }
    gl.GenVertexArrays(1, &d.vao);
    GLuint tex[4];
    gl.GenTextures(4, tex);
    d.tex_values = tex[0];
    d.tex_flags = tex[1];
    d.tex_image = tex[2];
    d.tex_cmap = tex[3];
    for (GLuint t : {d.tex_flags, d.tex_cmap}) {
        gl.BindTexture(GL_TEXTURE_2D, t);
        gl.TexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
        gl.TexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    }
    for (GLuint t : {d.tex_values, d.tex_flags, d.tex_image, d.tex_cmap}) {
        gl.BindTexture(GL_TEXTURE_2D, t);
        gl.TexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        gl.TexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    }
    // Colormaps: one row of 256 RGBA8 texels per map, in Colormap order.
    std::vector<uint8_t> cm(size_t(kNumColormaps) * kColormapSize * 4);
    for (int c = 0; c < kNumColormaps; ++c) {
        const ColormapTable& t = colormap_table(Colormap(c));
        for (int i = 0; i < kColormapSize; ++i) {
            uint8_t* p = &cm[(size_t(c) * kColormapSize + i) * 4];
            p[0] = t[size_t(i)].r;
            p[1] = t[size_t(i)].g;
            p[2] = t[size_t(i)].b;
            p[3] = 255;
        }
    }
    gl.BindTexture(GL_TEXTURE_2D, d.tex_cmap);
    gl.PixelStorei(GL_UNPACK_ALIGNMENT, 1);
    gl.TexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, kColormapSize, kNumColormaps, 0, GL_RGBA, GL_UNSIGNED_BYTE, cm.data());
    gl.PixelStorei(GL_UNPACK_ALIGNMENT, 4);
    // A 1x1 placeholder image until set_image.
    const uint8_t black[4] = {0, 0, 0, 255};
    gl.BindTexture(GL_TEXTURE_2D, d.tex_image);
    gl.TexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, 1, 1, 0, GL_RGBA, GL_UNSIGNED_BYTE, black);
    gl.TexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    gl.TexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    gl.BindTexture(GL_TEXTURE_2D, 0);
    d.error = gl.GetError();
    if (d.error != GL_NO_ERROR) {
        error = "OpenGL error " + std::to_string(d.error) + " while creating the heatmap renderer";
        return false;
    }
    d.ready = true;
    return true;
}

void HeatmapRenderer::release() {
    Impl& d = *d_;
    if (!d.ready) return;
    // Reverse order of creation.
    GLuint tex[4] = {d.tex_values, d.tex_flags, d.tex_image, d.tex_cmap};
    d.gl.DeleteTextures(4, tex);
    d.gl.DeleteVertexArrays(1, &d.vao);
    d.gl.DeleteProgram(d.program);
    d.ready = false;
    d.image_w = d.image_h = 0;
}

void HeatmapRenderer::set_image(int width, int height, const uint8_t* rgba) {
    Impl& d = *d_;
    if (!d.ready || width <= 0 || height <= 0) return;
    d.gl.BindTexture(GL_TEXTURE_2D, d.tex_image);
    d.gl.PixelStorei(GL_UNPACK_ALIGNMENT, 1);
    d.gl.TexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
    d.gl.PixelStorei(GL_UNPACK_ALIGNMENT, 4);
    d.gl.BindTexture(GL_TEXTURE_2D, 0);
    d.image_w = width;
    d.image_h = height;
}

void HeatmapRenderer::begin_frame(int fb_width, int fb_height, float r, float g, float b) {
    Impl& d = *d_;
    d.fb_w = std::max(fb_width, 1);
    d.fb_h = std::max(fb_height, 1);
    if (!d.ready) return;
    d.gl.Viewport(0, 0, d.fb_w, d.fb_h);
    d.gl.ClearColor(r, g, b, 1.0f);
    d.gl.Clear(GL_COLOR_BUFFER_BIT);
}

void HeatmapRenderer::draw(const HeatmapFigure& f, const HeatmapLayout& l, float scale) {
    Impl& d = *d_;
    if (!d.ready || f.num_cells() <= 0 || f.values.size() != size_t(f.num_cells())) return;
    auto& gl = d.gl;
    auto px = [scale](const RectF& r) { return RectF{r.x * scale, r.y * scale, r.w * scale, r.h * scale}; };
    gl.Disable(GL_DEPTH_TEST);
    gl.Disable(GL_BLEND);
    gl.Disable(GL_CULL_FACE);
    gl.Disable(GL_SCISSOR_TEST);
    gl.UseProgram(d.program);
    gl.BindVertexArray(d.vao);
    gl.Uniform1i(d.loc[UValues], 0);
    gl.Uniform1i(d.loc[UFlags], 1);
    gl.Uniform1i(d.loc[UImage], 2);
    gl.Uniform1i(d.loc[UCmap], 3);
    gl.ActiveTexture(GL_TEXTURE2);
    gl.BindTexture(GL_TEXTURE_2D, d.tex_image);
    gl.ActiveTexture(GL_TEXTURE3);
    gl.BindTexture(GL_TEXTURE_2D, d.tex_cmap);
    gl.ActiveTexture(GL_TEXTURE1);
    gl.BindTexture(GL_TEXTURE_2D, d.tex_flags);
    gl.ActiveTexture(GL_TEXTURE0);
    gl.BindTexture(GL_TEXTURE_2D, d.tex_values);
    gl.Uniform1i(d.loc[UCmapRow], int(f.colormap));
    gl.Uniform2f(d.loc[URange], f.value_range.lo, f.value_range.hi);
    gl.Uniform1i(d.loc[ULog], f.log_scale ? 1 : 0);
    gl.Uniform1f(d.loc[UOpacity], f.opacity);

    const bool flags_ok = f.cell_flags.size() == f.values.size();
    gl.Uniform1i(d.loc[UShowGrid], f.show_grid ? 1 : 0);
    d.draw_cells(px(l.grid), f.grid_w, f.grid_h, f.values.data(), flags_ok ? f.cell_flags.data() : nullptr,
                 f.show_image && d.image_w > 0, f);
    if (!l.side.empty() && !f.side_values.empty()) {
        HeatmapFigure side_style = f;
        side_style.sampling = Sampling::Nearest;
        gl.Uniform1i(d.loc[UShowGrid], 1);
        gl.Uniform1f(d.loc[UOpacity], 1.0f);
        const bool side_flags = f.side_flags.size() == f.side_values.size();
        d.draw_cells(px(l.side), 1, int(f.side_values.size()), f.side_values.data(),
                     side_flags ? f.side_flags.data() : nullptr, false, side_style);
    }
    if (!l.colorbar.empty()) {
        gl.Uniform1i(d.loc[UColorbar], 1);
        d.set_rect(px(l.colorbar));
        gl.DrawArrays(GL_TRIANGLE_STRIP, 0, 4);
    }
    gl.BindVertexArray(0);
    gl.UseProgram(0);
    gl.ActiveTexture(GL_TEXTURE0);
    d.error = gl.GetError();
}

}  // namespace vitscope
