// Draws the pictures of a DrawList with OpenGL 3.3 core: every CellGridItem (values as an R32F
// texture, marks as an R8UI texture, the image under them) and every ColorbarItem, through
// shaders/heatmap.{vert,frag} (compiled into the binary; the CellFlag bits and hatch constants are
// prepended as #defines generated from app/figure/cell_marks.h). Text, lines and rectangles are the
// host's to paint over the result (the Qt views use the exporter's QPainter backend for them), so
// the live view and an exported PNG draw one description. Needs only a current context: the host
// passes a function that looks up GL entry points. Every call except the constructor needs that
// context current. It draws into whatever framebuffer is bound: a window's, or a GlOffscreenTarget
// (gl_offscreen_target.h) whose texture the lab shows with ImGui::Image.
#pragma once

#include "draw_list.h"

#include <cstdint>
#include <memory>
#include <string>

namespace vitscope {

struct GlProcLoader {
    void* (*lookup)(void* user, const char* name) = nullptr;
    void* user = nullptr;
};

class GlFigureRenderer {
public:
    GlFigureRenderer();
    ~GlFigureRenderer();  // does not touch GL: call release() while the context is current
    GlFigureRenderer(const GlFigureRenderer&) = delete;
    GlFigureRenderer& operator=(const GlFigureRenderer&) = delete;

    // Loads functions, compiles the shaders, creates textures. On failure returns false with a
    // message naming the shader or function.
    bool initialize(const GlProcLoader& loader, std::string& error);
    void release();
    bool ready() const;

    // Sets the viewport to the framebuffer and clears it.
    void begin_frame(int fb_width, int fb_height, Rgba clear);
    // Draws the list's cell grids and colourbars where they lie; `scale` maps figure px to
    // framebuffer px (the device pixel ratio).
    void draw_pictures(const DrawList& list, float scale = 1.0f);

    // glGetError after the last draw (0 = none).
    unsigned last_error() const;
    // Image uploads so far (an image with a non-zero key is uploaded once).
    int image_uploads() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d_;
};

}  // namespace vitscope
