#include "figure_frame.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace vitscope {

std::string format_number(const char* format, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

Rgba with_alpha(Rgba c, uint8_t alpha) {
    c.a = alpha;
    return c;
}

void add_fitted_text(DrawList& dl, RectF box, const std::string& text, float size, Rgba color, bool bold, HAlign align) {
    float s = size;
    const float w = text_width_estimate(text, s, bold);
    if (w > box.w) s = std::max(5.0f, s * box.w / w);
    dl.add(TextItem{box, text, s, color, align, VAlign::Middle, bold});
}

// A font size at which `text` fits `width` (never below `min_size`).
float fitting_size(const std::string& text, float size, float width, float min_size) {
    const float w = text_width_estimate(text, size);
    return w > width ? std::max(min_size, size * width / w) : size;
}

namespace {

// The live views' hint as one line, or two (split at the " · " nearest the middle) when one line
// would need a font under 8 px: a hint is never cut.
std::vector<std::string> hint_lines(const FigureOptions& o, const Theme& t, float width) {
    if (o.hint.empty()) return {};
    const float avail = width - 16;
    if (fitting_size(o.hint, t.small_size, avail, 0) >= 8.0f) return {o.hint};
    const std::string sep = " · ";
    size_t best = std::string::npos;
    for (size_t at = o.hint.find(sep); at != std::string::npos; at = o.hint.find(sep, at + 1))
        if (best == std::string::npos ||
            std::abs(int(at) - int(o.hint.size() / 2)) < std::abs(int(best) - int(o.hint.size() / 2)))
            best = at;
    if (best == std::string::npos) return {o.hint};
    return {o.hint.substr(0, best), o.hint.substr(best + sep.size())};
}

}  // namespace

// The figure's bottom lines: the user's caption, then the provenance (each one text line), then
// the hint (one or two lines).
float bottom_lines_height(const FigureOptions& o, const Theme& t, float width) {
    float h = 0;
    if (!o.caption.empty()) h += t.label_size * 1.6f;
    if (o.provenance) h += t.caption_size * 1.6f;
    h += float(hint_lines(o, t, width).size()) * t.small_size * 1.7f;
    return h;
}

void add_bottom_lines(DrawList& dl, const FigureInputs& in, const FigureSelection& sel, const FigureOptions& o,
                 const Theme& t) {
    float y = dl.height - bottom_lines_height(o, t, dl.width);
    const float margin = 8;
    if (!o.caption.empty()) {
        const float h = t.label_size * 1.6f;
        dl.add(TextItem{{margin, y, dl.width - 2 * margin, h}, o.caption,
                        fitting_size(o.caption, t.label_size, dl.width - 2 * margin, 5.0f), t.text, HAlign::Left,
                        VAlign::Middle});
        y += h;
    }
    if (o.provenance) {
        const float h = t.caption_size * 1.6f;
        std::string text = provenance_text(in, sel);
        // Keep the line on the figure: shrink the size before it would run past the right edge.
        float size = t.caption_size;
        const float w = text_width_estimate(text, size);
        if (w > dl.width - 2 * margin) size = std::max(5.0f, size * (dl.width - 2 * margin) / w);
        dl.add(TextItem{{margin, y, dl.width - 2 * margin, h}, text, size, t.text_muted, HAlign::Left, VAlign::Middle});
        y += h;
    }
    for (const std::string& line : hint_lines(o, t, dl.width)) {
        const float h = t.small_size * 1.7f;
        dl.add(TextItem{{margin, y, dl.width - 2 * margin, h}, line,
                        fitting_size(line, t.small_size, dl.width - 2 * margin, 5.0f), t.text_muted, HAlign::Left,
                        VAlign::Middle});
        y += h;
    }
}

DrawList figure_list(const FigureInputs& in, const FigureSelection& sel, const FigureOptions& o, const Theme& t,
                     float w, float h, const std::string& title) {
    DrawList dl;
    dl.width = w;
    dl.height = h;
    dl.theme = t;
    dl.title = title;
    if (o.provenance && in.has_trace()) dl.metadata = provenance_metadata(in, sel);
    return dl;
}

void add_note(DrawList& dl, RectF box, const std::string& text, const Theme& t) {
    dl.add(TextItem{box, text, t.label_size, t.text_muted, HAlign::Center, VAlign::Middle});
}


BuiltFigure note_figure(const FigureInputs& in, const FigureSelection& sel, const FigureOptions& o, const Theme& t,
                        float w, float h, const std::string& note) {
    BuiltFigure b;
    b.list = figure_list(in, sel, o, t, w, h, "vitscope figure");
    add_note(b.list, {0, 0, w, h}, note, t);
    return b;
}

}  // namespace vitscope
