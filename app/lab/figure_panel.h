// One live figure view of the lab: builds a figure description (app/figure/view_figures.h) when its
// data or size changed, draws its cell grids and colourbars with GlFigureRenderer into an offscreen
// framebuffer, and only then (the framebuffer keeps them between frames). Each frame present()
// copies that framebuffer into the window before ImGui renders, and ImGui paints the text, lines
// and rectangles over it with its draw list. Remembers where it was drawn, for hit testing and
// scripted clicks.
#pragma once

#include "gl_figure_renderer.h"
#include "gl_offscreen_target.h"
#include "imgui_draw_list_painter.h"
#include "panel_render_budget.h"
#include "view_figures.h"

#include <imgui.h>

#include <cstdint>
#include <functional>
#include <string>

namespace vitscope {

class LiveFigurePanel {
public:
    bool initialize(const GlProcLoader& loader, std::string& error);
    void release();  // needs the context

    using Builder = std::function<BuiltFigure(float width, float height)>;
    // At the ImGui cursor, `size` screen px: rebuilds when `revision` or the size changed, renders
    // into the framebuffer when the figure changed, places the overlay. `fb_scale` is framebuffer
    // px per screen px.
    // With a budget, a changed figure may wait a frame (waiting() says so; the old one stays shown).
    void show(const Builder& build, uint64_t revision, ImVec2 size, float fb_scale, const ImGuiFigureFonts& fonts,
              PanelRenderBudget* budget = nullptr);
    bool waiting() const { return waiting_; }
    // After the window's clear, before ImGui renders the frame: copies the pictures of this frame's
    // show() (the part inside its window's clip rect) into the window's framebuffer, `fb_height`
    // px high. A blit, which costs a software rasteriser less than the blended textured quad of
    // ImGui::Image (README, "Frame times"). Nothing when show() was not called this frame.
    void present(int fb_height);
    // At the start of every frame, drawn or not: forgets the last show() (a panel not shown this
    // frame presents nothing).
    void new_frame() { blit_ = {}; }
    // Whether present() would put other pixels in the window than it did last time: the panel was
    // rendered again, or moved, or shown or hidden.
    bool pictures_changed() const { return rendered_ || !(blit_ == presented_); }

    const BuiltFigure& figure() const { return built_; }
    bool hovered() const { return hovered_; }  // the mouse is over the figure (this frame)
    // Screen point <-> figure point (figure px = screen px from the panel's top-left corner).
    ImVec2 figure_point(ImVec2 screen) const { return ImVec2(screen.x - origin_.x, screen.y - origin_.y); }
    ImVec2 screen_point(float x, float y) const { return ImVec2(origin_.x + x, origin_.y + y); }
    ImVec2 origin() const { return origin_; }
    ImVec2 size() const { return size_; }
    int builds() const { return builds_; }

private:
    GlFigureRenderer renderer_;
    GlOffscreenTarget target_;
    BuiltFigure built_;
    uint64_t revision_ = ~uint64_t(0);
    ImVec2 origin_{0, 0}, size_{0, 0};
    struct Blit {
        int src_x = 0, src_y = 0, width = 0, height = 0;  // in the framebuffer, GL's bottom-up rows
        int dst_x = 0, dst_top = 0;                       // window px from the top-left corner
        bool operator==(const Blit&) const = default;
    };
    Blit blit_;       // what present() copies (width 0: nothing)
    Blit presented_;  // what it copied last time
    bool rendered_ = false;  // the framebuffer was drawn again since the last present()
    bool hovered_ = false;
    bool ready_ = false;
    bool waiting_ = false;  // its figure changed but the frame's budget was spent
    int builds_ = 0;
};

}  // namespace vitscope
