// Draws HeatmapFigures with OpenGL 3.3 core: the values go up as an R32F texture, the colormaps as
// one RGBA8 texture (a row per map); normalisation, colormap lookup and blending over the image
// happen in shaders/heatmap.frag. Needs only a current context: the host passes a function that
// looks up GL entry points. Every call except the constructor needs that context current.
#pragma once

#include "heatmap_figure.h"

#include <cstdint>
#include <memory>
#include <string>

namespace vitscope {

struct GlProcLoader {
    void* (*lookup)(void* user, const char* name) = nullptr;
    void* user = nullptr;
};

class HeatmapRenderer {
public:
    HeatmapRenderer();
    ~HeatmapRenderer();  // does not touch GL: call release() while the context is current
    HeatmapRenderer(const HeatmapRenderer&) = delete;
    HeatmapRenderer& operator=(const HeatmapRenderer&) = delete;

    // Loads functions, compiles shader_dir/heatmap.{vert,frag}, creates textures. On failure returns
    // false with a message naming the file or function.
    bool initialize(const GlProcLoader& loader, const std::string& shader_dir, std::string& error);
    void release();
    bool ready() const;

    // The image under the heatmaps: tightly packed RGBA8, top row first.
    void set_image(int width, int height, const uint8_t* rgba);
    bool has_image() const;

    // Sets the viewport to the framebuffer and clears it.
    void begin_frame(int fb_width, int fb_height, float r, float g, float b);
    // Draws the figure's grid, side cells and colorbar where the layout puts them. The layout is in
    // logical pixels; `scale` converts to framebuffer pixels (devicePixelRatio).
    void draw(const HeatmapFigure& figure, const HeatmapLayout& layout, float scale = 1.0f);

    // glGetError after the last draw (0 = none).
    unsigned last_error() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d_;
};

}  // namespace vitscope
