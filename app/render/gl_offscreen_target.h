// An offscreen framebuffer with one RGBA8 colour texture: GlFigureRenderer draws into it between
// begin() and end(), and the host shows the texture (the lab's ImGui::Image panels) or reads the
// pixels back (GPU PNG export, tests). No Qt types; needs only a current OpenGL 3.3 core context.
// The texture's first row is the figure's bottom row (OpenGL's convention): show it with the
// vertical texture coordinates flipped.
#pragma once

#include "gl_figure_renderer.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace vitscope {

class GlOffscreenTarget {
public:
    GlOffscreenTarget();
    ~GlOffscreenTarget();  // does not touch GL: call release() while the context is current
    GlOffscreenTarget(const GlOffscreenTarget&) = delete;
    GlOffscreenTarget& operator=(const GlOffscreenTarget&) = delete;

    bool initialize(const GlProcLoader& loader, std::string& error);
    void release();

    // Binds the framebuffer (made width x height, re-allocated when the size changes) for drawing;
    // end() binds the framebuffer that was bound before. False when it cannot be completed.
    bool begin(int width, int height);
    void end();

    // Copies the texture's pixels [src_x, src_x + width) x [src_y, src_y + height) (GL's bottom-up
    // rows) one to one into the framebuffer bound for drawing at (dst_x, dst_y): an opaque copy,
    // much cheaper than drawing the texture as a blended quad in a software rasteriser.
    void blit(int src_x, int src_y, int width, int height, int dst_x, int dst_y) const;

    unsigned texture() const;  // the GL texture name (0 before the first begin())
    int width() const;
    int height() const;
    // The pixels as RGBA8, top row first (needs the context; reads the framebuffer).
    std::vector<uint8_t> read_rgba() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d_;
};

}  // namespace vitscope
