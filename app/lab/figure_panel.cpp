#include "figure_panel.h"

#include <cmath>

namespace vitscope {

bool LiveFigurePanel::initialize(const GlProcLoader& loader, std::string& error) {
    if (!renderer_.initialize(loader, error)) return false;
    if (!target_.initialize(loader, error)) return false;
    ready_ = true;
    return true;
}

void LiveFigurePanel::release() {
    target_.release();
    renderer_.release();
    ready_ = false;
}

void LiveFigurePanel::show(const Builder& build, uint64_t revision, ImVec2 size, float fb_scale,
                           const ImGuiFigureFonts& fonts, PanelRenderBudget* budget) {
    size.x = std::floor(std::max(size.x, 16.0f));
    size.y = std::floor(std::max(size.y, 16.0f));
    const bool resized = size.x != size_.x || size.y != size_.y;
    bool rebuilt = false;
    waiting_ = !resized && revision != revision_ && budget && !budget->may_render(this);
    if (!waiting_ && (resized || revision != revision_)) {
        built_ = build(size.x, size.y);
        revision_ = revision;
        ++builds_;
        rebuilt = true;
    }
    size_ = size;
    origin_ = ImGui::GetCursorScreenPos();
    const int fb_w = int(std::lround(size.x * fb_scale)), fb_h = int(std::lround(size.y * fb_scale));
    // The framebuffer keeps its pictures between frames: draw them again only when they changed
    // (a software rasteriser on a projector laptop spends most of a frame on them).
    const bool stale = rebuilt || fb_w != target_.width() || fb_h != target_.height();
    blit_ = {};
    if (ready_ && (!stale || target_.begin(fb_w, fb_h))) {
        if (stale) {
            renderer_.begin_frame(fb_w, fb_h, built_.list.theme.background);
            renderer_.draw_pictures(built_.list, fb_scale);
            target_.end();
            rendered_ = true;
        }
        // The visible part of the panel in framebuffer px (top-left origin), for present().
        const ImDrawList& dl = *ImGui::GetWindowDrawList();
        const ImVec2 lo = dl.GetClipRectMin(), hi = dl.GetClipRectMax();
        const int x0 = int(std::lround(std::max(origin_.x, lo.x) * fb_scale));
        const int y0 = int(std::lround(std::max(origin_.y, lo.y) * fb_scale));
        const int x1 = int(std::lround(std::min(origin_.x + size.x, hi.x) * fb_scale));
        const int y1 = int(std::lround(std::min(origin_.y + size.y, hi.y) * fb_scale));
        const int ox = int(std::lround(origin_.x * fb_scale)), oy = int(std::lround(origin_.y * fb_scale));
        if (x1 > x0 && y1 > y0) {
            blit_.src_x = x0 - ox;
            blit_.width = std::min(x1 - x0, fb_w - blit_.src_x);
            blit_.height = std::min(y1 - y0, fb_h - (y0 - oy));
            blit_.src_y = fb_h - (y0 - oy) - blit_.height;  // the texture's first row is the figure's bottom row
            blit_.dst_x = x0;
            blit_.dst_top = y0;
        }
    }
    ImGui::Dummy(size);  // the pictures are copied in by present()
    hovered_ = ImGui::IsItemHovered();
    ImDrawList& out = *ImGui::GetWindowDrawList();
    out.PushClipRect(origin_, ImVec2(origin_.x + size.x, origin_.y + size.y), true);
    paint_overlay(out, built_.list, origin_, 1.0f, fonts);
    out.PopClipRect();
}

void LiveFigurePanel::present(int fb_height) {
    if (ready_ && blit_.width > 0 && blit_.height > 0)
        target_.blit(blit_.src_x, blit_.src_y, blit_.width, blit_.height, blit_.dst_x,
                     fb_height - blit_.dst_top - blit_.height);
    presented_ = blit_;
    rendered_ = false;
    blit_ = {};
}

}  // namespace vitscope
