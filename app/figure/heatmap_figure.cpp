#include "heatmap_figure.h"

#include "attention_stats.h"

#include <algorithm>
#include <cmath>

namespace vitscope {

HeatmapLayout layout_heatmap(const HeatmapFigure& f, RectF box, const LayoutStyle& s) {
    HeatmapLayout l;
    if (f.grid_w <= 0 || f.grid_h <= 0) return l;
    float x0 = box.x + s.margin, y0 = box.y + s.margin;
    float w = box.w - 2 * s.margin, h = box.h - 2 * s.margin;
    if (!f.title.empty()) {
        l.title = {x0, y0, w, s.title_height};
        y0 += s.title_height;
        h -= s.title_height;
    }
    const float bar = f.show_colorbar ? s.gap + s.colorbar_width + s.colorbar_labels : 0.0f;
    const int nside = int(f.side_values.size());
    // The side column holds one cell per special token, each as large as a patch cell; solve for
    // the cell size c in: nside ? (c + gap) : 0  +  grid_w * c  +  bar  <=  w,  grid_h * c <= h.
    const float side_gap = nside ? s.gap : 0.0f;
    float c = std::min((w - bar - side_gap) / float(f.grid_w + (nside ? 1 : 0)), h / float(std::max(f.grid_h, nside)));
    c = std::max(c, 0.0f);
    const float total_w = (nside ? c + side_gap : 0.0f) + c * float(f.grid_w) + bar;
    const float ox = x0 + std::max(0.0f, (w - total_w) * 0.5f);
    float x = ox;
    if (nside) {
        l.side = {x, y0, c, c * float(nside)};
        x += c + side_gap;
    }
    l.grid = {x, y0, c * float(f.grid_w), c * float(f.grid_h)};
    if (!l.title.empty()) l.title = {ox, l.title.y, total_w, l.title.h};
    if (f.show_colorbar) l.colorbar = {l.grid.x + l.grid.w + s.gap, y0, s.colorbar_width, l.grid.h};
    l.cell = c;
    return l;
}

float heatmap_width_for_height(const HeatmapFigure& f, float box_height, const LayoutStyle& s) {
    if (f.grid_w <= 0 || f.grid_h <= 0) return 0.0f;
    // The inverse of layout_heatmap's cell size: the cell the height allows, then the width it needs.
    const int nside = int(f.side_values.size());
    const float h = box_height - 2 * s.margin - (f.title.empty() ? 0.0f : s.title_height);
    const float c = std::max(h, 0.0f) / float(std::max(f.grid_h, nside));
    const float bar = f.show_colorbar ? s.gap + s.colorbar_width + s.colorbar_labels : 0.0f;
    return 2 * s.margin + (nside ? c + s.gap : 0.0f) + c * float(f.grid_w) + bar;
}

HitResult hit_test(const HeatmapFigure& f, const HeatmapLayout& l, float x, float y) {
    HitResult r;
    if (l.grid.contains(x, y)) {
        r.kind = HitResult::Patch;
        r.col = std::clamp(int((x - l.grid.x) / l.grid.w * float(f.grid_w)), 0, f.grid_w - 1);
        r.row = std::clamp(int((y - l.grid.y) / l.grid.h * float(f.grid_h)), 0, f.grid_h - 1);
        r.index = r.row * f.grid_w + r.col;
    } else if (!l.side.empty() && l.side.contains(x, y)) {
        r.kind = HitResult::Side;
        r.index = std::clamp(int((y - l.side.y) / l.cell), 0, int(f.side_values.size()) - 1);
    }
    return r;
}

void cell_center(const HeatmapFigure& f, const HeatmapLayout& l, HitResult::Kind kind, int index, float& x, float& y) {
    if (kind == HitResult::Side) {
        x = l.side.x + l.cell * 0.5f;
        y = l.side.y + l.cell * (float(index) + 0.5f);
        return;
    }
    const float cw = l.grid.w / float(f.grid_w), ch = l.grid.h / float(f.grid_h);
    x = l.grid.x + cw * (float(index % f.grid_w) + 0.5f);
    y = l.grid.y + ch * (float(index / f.grid_w) + 0.5f);
}

std::string head_title(int head) { return head == kMeanOfHeads ? std::string("mean of heads") : "head " + std::to_string(head); }

void apply_style(HeatmapFigure& f, const FigureStyle& s, ValueRange raw) {
    f.colormap = s.colormap;
    f.normalization = s.normalization;
    f.log_scale = s.log_scale;
    f.sampling = s.sampling;
    f.opacity = s.opacity;
    f.show_grid = s.show_grid;
    f.value_range = effective_range(raw, s.log_scale);
    f.ticks = colorbar_ticks(f.value_range, s.log_scale);
}



HeatmapFigure matrix_figure(const ViTTrace& trace, int layer, int head, int query, const FigureStyle& style) {
    HeatmapFigure f;
    const int N = trace.num_tokens;
    f.grid_w = N;
    f.grid_h = N;
    f.values = attention_matrix(trace, layer, head);
    f.matrix_tokens.resize(size_t(N));
    for (int t = 0; t < N; ++t) f.matrix_tokens[size_t(t)] = t;
    f.cell_flags.assign(f.values.size(), 0);
    const std::vector<unsigned char> masked = vit_masked_keys(trace, layer, head);
    for (int q = 0; q < N; ++q)
        for (int k = 0; k < N; ++k) {
            uint8_t fl = 0;
            if (masked[size_t(k)]) fl |= kCellMasked;
            if (q == query) fl |= kCellHighlight;
            f.cell_flags[size_t(q) * N + k] = fl;
        }
    FigureStyle s = style;
    s.show_grid = false;
    s.opacity = 1.0f;
    const ValueRange raw = style.normalization == Normalization::RawFixed ? ValueRange{0.0f, 1.0f} : range_of(f.values);
    apply_style(f, s, raw);
    f.show_image = false;
    f.title = head_title(head) + " · layer " +
              std::to_string(layer) + " · " + std::to_string(N) + "x" + std::to_string(N);
    return f;
}

}  // namespace vitscope
