#include "imgui_draw_list_painter.h"

#include <cmath>

namespace vitscope {

namespace {

ImU32 colour(Rgba c) { return IM_COL32(c.r, c.g, c.b, c.a); }

ImVec2 at(ImVec2 origin, float scale, float x, float y) { return ImVec2(origin.x + x * scale, origin.y + y * scale); }

void paint_rect(ImDrawList& out, const RectItem& r, ImVec2 o, float s) {
    const ImVec2 a = at(o, s, r.rect.x, r.rect.y), b = at(o, s, r.rect.right(), r.rect.bottom());
    if (r.fill.a > 0) out.AddRectFilled(a, b, colour(r.fill));
    if (r.stroke.a > 0) out.AddRect(a, b, colour(r.stroke), 0.0f, 0, std::max(1.0f, r.stroke_width * s));
}

void paint_line(ImDrawList& out, const LineItem& l, ImVec2 o, float s) {
    const ImVec2 a = at(o, s, l.x0, l.y0), b = at(o, s, l.x1, l.y1);
    const float width = std::max(1.0f, l.width * s);
    if (l.dash == LineDash::Solid) {
        out.AddLine(a, b, colour(l.color), width);
        return;
    }
    // Dashes of 4 widths, gaps of 2 (Qt's DashLine pattern).
    const float dx = b.x - a.x, dy = b.y - a.y, len = std::sqrt(dx * dx + dy * dy);
    if (len <= 0) return;
    const float dash = 4 * width, gap = 2 * width;
    for (float t = 0; t < len; t += dash + gap) {
        const float t1 = std::min(len, t + dash);
        out.AddLine(ImVec2(a.x + dx * t / len, a.y + dy * t / len), ImVec2(a.x + dx * t1 / len, a.y + dy * t1 / len),
                    colour(l.color), width);
    }
}

void paint_text(ImDrawList& out, const TextItem& t, ImVec2 o, float s, const ImGuiFigureFonts& fonts) {
    ImFont* font = t.monospace && fonts.mono ? fonts.mono : t.bold && fonts.bold ? fonts.bold : fonts.regular;
    if (!font) font = ImGui::GetFont();
    const float size = t.size * s;
    const char* begin = t.text.c_str();
    const char* end = begin + t.text.size();
    const ImVec2 extent = font->CalcTextSizeA(size, FLT_MAX, 0.0f, begin, end);
    const ImVec2 box = at(o, s, t.box.x, t.box.y);
    const float w = t.box.w * s, h = t.box.h * s;
    float x = box.x, y = box.y;
    if (t.halign == HAlign::Center) x += (w - extent.x) * 0.5f;
    else if (t.halign == HAlign::Right) x += w - extent.x;
    if (t.valign == VAlign::Middle) y += (h - extent.y) * 0.5f;
    else if (t.valign == VAlign::Bottom) y += h - extent.y;
    if (t.halo.a > 0) out.AddText(font, size, ImVec2(x + s, y + s), colour(t.halo), begin, end);
    out.AddText(font, size, ImVec2(x, y), colour(t.color), begin, end);
}

}  // namespace

void paint_overlay(ImDrawList& out, const DrawList& list, ImVec2 origin, float scale, const ImGuiFigureFonts& fonts,
                   PictureTexture picture_texture, void* user) {
    for (const DrawItem& item : list.items) {
        if (const auto* r = std::get_if<RectItem>(&item)) {
            paint_rect(out, *r, origin, scale);
        } else if (const auto* l = std::get_if<LineItem>(&item)) {
            paint_line(out, *l, origin, scale);
        } else if (const auto* t = std::get_if<TextItem>(&item)) {
            paint_text(out, *t, origin, scale, fonts);
        } else if (const auto* im = std::get_if<ImageItem>(&item)) {
            if (!picture_texture || im->image < 0 || size_t(im->image) >= list.images.size()) continue;
            const ImTextureID tex = picture_texture(user, list, im->image);
            const FigureImage& pic = list.images[size_t(im->image)];
            if (!tex || pic.width <= 0 || pic.height <= 0) continue;
            const RectF src = im->source.empty() ? RectF{0, 0, float(pic.width), float(pic.height)} : im->source;
            const ImVec2 uv0(src.x / float(pic.width), src.y / float(pic.height));
            const ImVec2 uv1(src.right() / float(pic.width), src.bottom() / float(pic.height));
            out.AddImage(tex, at(origin, scale, im->rect.x, im->rect.y),
                         at(origin, scale, im->rect.right(), im->rect.bottom()), uv0, uv1,
                         IM_COL32(255, 255, 255, int(255 * im->opacity)));
        }
    }
}

}  // namespace vitscope
