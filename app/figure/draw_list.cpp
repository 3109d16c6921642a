#include "draw_list.h"

#include <cstdint>
#include <type_traits>

namespace vitscope {

namespace {

RectF moved(RectF r, float dx, float dy) {
    if (!r.empty()) {
        r.x += dx;
        r.y += dy;
    }
    return r;
}

}  // namespace

void DrawList::append(const DrawList& other, float dx, float dy) {
    const int image_base = int(images.size());
    for (const FigureImage& im : other.images) images.push_back(im);
    for (DrawItem item : other.items) {
        std::visit(
            [&](auto& it) {
                using T = std::decay_t<decltype(it)>;
                if constexpr (std::is_same_v<T, LineItem>) {
                    it.x0 += dx;
                    it.x1 += dx;
                    it.y0 += dy;
                    it.y1 += dy;
                } else if constexpr (std::is_same_v<T, TextItem>) {
                    it.box = moved(it.box, dx, dy);
                } else {
                    it.rect = moved(it.rect, dx, dy);
                }
                if constexpr (std::is_same_v<T, ImageItem>) {
                    if (it.image >= 0) it.image += image_base;
                }
                if constexpr (std::is_same_v<T, CellGridItem>) {
                    it.clip = moved(it.clip, dx, dy);
                    if (it.image >= 0) it.image += image_base;
                }
            },
            item);
        items.push_back(std::move(item));
    }
}

float text_width_estimate(const std::string& s, float size, bool bold) {
    // Advance widths of DejaVu Sans in em, by character class; UTF-8 continuation bytes are skipped
    // and any other non-ASCII character counts as a wide letter.
    float em = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if ((c & 0xC0) == 0x80) continue;
        if (c >= 0x80) em += 0.62f;
        else if (c == ' ') em += 0.318f;
        else if (c == 'i' || c == 'l' || c == 'j' || c == '.' || c == ',' || c == ':' || c == ';' || c == '\'' ||
                 c == '!' || c == '|')
            em += 0.29f;
        else if (c == 'f' || c == 't' || c == 'r' || c == '(' || c == ')' || c == '[' || c == ']' || c == '-')
            em += 0.39f;
        else if (c == 'm' || c == 'w' || c == 'M' || c == 'W') em += 0.92f;
        else if (c >= 'A' && c <= 'Z') em += 0.70f;
        else if (c >= '0' && c <= '9') em += 0.636f;
        else em += 0.60f;
    }
    return em * size * (bold ? 1.16f : 1.03f);
}

}  // namespace vitscope
