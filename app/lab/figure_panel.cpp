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
                       const ImGuiFigureFonts& fonts) {
    size.x = std::floor(std::max(size.x, 16.0f));
    size.y = std::floor(std::max(size.y, 16.0f));
    const bool resized = size.x != size_.x || size.y != size_.y;
    bool rebuilt = false;
    if (resized || revision != revision_) {
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
    if (ready_ && (!stale || target_.begin(fb_w, fb_h))) {
        if (stale) {
            renderer_.begin_frame(fb_w, fb_h, built_.list.theme.background);
            renderer_.draw_pictures(built_.list, fb_scale);
            target_.end();
        }
        // The texture's first row is the figure's bottom row: flip v.
        ImGui::Image(reinterpret_cast<ImTextureID>(uintptr_t(target_.texture())), size, ImVec2(0, 1), ImVec2(1, 0));
    } else {
        ImGui::Dummy(size);
    }
    hovered_ = ImGui::IsItemHovered();
    ImDrawList& out = *ImGui::GetWindowDrawList();
    out.PushClipRect(origin_, ImVec2(origin_.x + size.x, origin_.y + size.y), true);
    paint_overlay(out, built_.list, origin_, 1.0f, fonts);
    out.PopClipRect();
}

}  // namespace vitscope
