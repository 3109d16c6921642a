#include "figure_parts.h"

#include "figure_frame.h"
#include "attention_stats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace vitscope {

namespace {

CellGridItem cells(const HeatmapFigure& f, RectF rect, int image) {
    CellGridItem g;
    g.rect = rect;
    g.cols = f.grid_w;
    g.rows = f.grid_h;
    g.values = f.values;
    if (f.cell_flags.size() == f.values.size()) g.flags = f.cell_flags;
    g.colormap = f.colormap;
    g.range = f.value_range;
    g.log_scale = f.log_scale;
    g.sampling = f.sampling;
    g.image = f.show_image ? image : -1;
    g.opacity = g.image >= 0 ? f.opacity : 1.0f;
    g.grid_lines = f.show_grid;
    return g;
}

}  // namespace

LayoutStyle layout_style(const Theme& t, LayoutSize size) {
    LayoutStyle s;
    if (size == LayoutSize::Large) {
        s.margin = 10;
        s.gap = 6;
        s.colorbar_width = 14;
        s.colorbar_labels = std::ceil(text_width_estimate("0.0000", t.small_size)) + 10;
        s.title_height = std::ceil(t.title_size * 1.6f);
    } else {
        s.margin = 4;
        s.gap = 4;
        s.colorbar_width = 8;
        s.colorbar_labels = std::ceil(text_width_estimate("0.0000", t.small_size * 0.85f)) + 8;
        s.title_height = std::ceil(t.small_size * 1.45f);
    }
    return s;
}

void add_heatmap(DrawList& dl, const HeatmapFigure& f, const HeatmapLayout& l, const Theme& t, int image,
                 LayoutSize size, RectF clip) {
    if (f.num_cells() <= 0 || l.grid.empty()) return;
    const bool large = size == LayoutSize::Large;
    // Pictures first: overlays (labels, frames, partitions) come after them in every backend.
    CellGridItem g = cells(f, l.grid, image);
    g.clip = clip;
    dl.add(std::move(g));
    if (!l.side.empty() && !f.side_values.empty()) {
        CellGridItem s;
        s.rect = l.side;
        s.cols = 1;
        s.rows = int(f.side_values.size());
        s.values = f.side_values;
        if (f.side_flags.size() == f.side_values.size()) s.flags = f.side_flags;
        s.colormap = f.colormap;
        s.range = f.value_range;
        s.log_scale = f.log_scale;
        s.opacity = 1.0f;
        s.grid_lines = true;
        dl.add(std::move(s));
    }
    const float label = large ? t.small_size : t.small_size * 0.85f;
    // An over-range mark takes the top of the colourbar's box: a triangle in the colormap's top colour.
    RectF bar = l.colorbar;
    const float cap = std::min(label * 1.5f, bar.h * 0.25f);
    const bool over = !f.over_label.empty() && !bar.empty() && cap >= 5;
    if (over) {
        bar.y += cap;
        bar.h -= cap;
    }
    if (!bar.empty()) dl.add(ColorbarItem{bar, f.colormap});
    if (!l.title.empty() && !f.title.empty()) {
        float ts = large ? t.title_size : t.small_size;
        const float w = text_width_estimate(f.title, ts, large);
        if (w > l.title.w) ts = std::max(6.0f, ts * l.title.w / w);
        dl.add(TextItem{l.title, f.title, ts, t.text, HAlign::Left, VAlign::Middle, large});
    }
    if (!bar.empty()) {
        const float x = bar.right();
        const float h = label * 1.4f;
        // Labels that would overprint the one below are left out (short bars in small tiles).
        float free_above = bar.bottom() + h;  // the top of the last label placed
        std::vector<ColorbarTick> ticks = f.ticks;
        std::sort(ticks.begin(), ticks.end(), [](const ColorbarTick& a, const ColorbarTick& b) { return a.t < b.t; });
        for (const ColorbarTick& tick : ticks) {
            const float y = bar.y + (1.0f - tick.t) * bar.h;
            // Under an over-range mark the top label stays below the bar's top (the mark's value is above).
            const float ty = std::clamp(y - h * 0.5f, over ? bar.y : bar.y - h * 0.25f, bar.bottom() - h * 0.75f);
            if (ty + h > free_above + 0.5f) continue;
            free_above = ty;
            dl.add(LineItem{x, y, x + 3, y, t.text_muted, 1.0f});
            dl.add(TextItem{{x + 5, ty, text_width_estimate(tick.label, label) + 2, h}, tick.label, label, t.text,
                            HAlign::Left, VAlign::Middle});
        }
        if (over) {
            // matplotlib's `extend='max'`: a triangle above the bar; beside it the special token's value.
            const Rgb8 top = colormap_lookup(f.colormap, 1.0f);
            const RectF tri{bar.x - 2, bar.y - cap, bar.w + 4, cap};
            dl.add(TextItem{tri, "\u25B2", cap, {top.r, top.g, top.b, 255}, HAlign::Center, VAlign::Bottom});
            const std::string value = f.over_label.substr(f.over_label.rfind(' ') + 1);
            dl.add(TextItem{{x + 5, tri.y, text_width_estimate(value, label) + 2, cap}, value, label, t.text,
                            HAlign::Left, VAlign::Bottom});
        }
    }
    if (f.ablated && !l.grid.empty()) {
        // The head's output is zeroed: grey the map, strike it through, say so.
        dl.add(RectItem{l.grid, with_alpha(t.background, 150)});
        dl.add(LineItem{l.grid.x, l.grid.bottom(), l.grid.right(), l.grid.y, t.negative, large ? 3.0f : 2.0f});
        const float ts = std::clamp(l.grid.w / 7.0f, 7.0f, large ? 16.0f : 12.0f);
        const float tw = text_width_estimate("ablated", ts, true) + 8, th = ts * 1.5f;
        if (tw <= l.grid.w) {
            const RectF lb{l.grid.x + (l.grid.w - tw) * 0.5f, l.grid.y + (l.grid.h - th) * 0.5f, tw, th};
            dl.add(RectItem{lb, t.label_back});
            dl.add(TextItem{lb, "ablated", ts, t.negative, HAlign::Center, VAlign::Middle, true});
        }
    }
    if (!l.side.empty() && l.cell >= 14) {
        const float ls = std::clamp(l.cell / 3.2f, 7.0f, 12.0f);
        for (size_t i = 0; i < f.side_labels.size(); ++i) {
            TextItem ti{{l.side.x, l.side.y + l.cell * float(i), l.cell, l.cell}, f.side_labels[i], ls,
                        {255, 255, 255}, HAlign::Center, VAlign::Middle};
            ti.halo = {0, 0, 0, 255};
            dl.add(std::move(ti));
        }
    }
}

void add_swin_partition(DrawList& dl, const SwinPartition& part, RectF grid, bool regions, bool thin, const Theme& t) {
    if (part.grid_w <= 0 || part.grid_h <= 0 || grid.empty()) return;
    const float cw = grid.w / float(part.grid_w), ch = grid.h / float(part.grid_h);
    auto X = [&](float x) { return grid.x + x * cw; };
    auto Y = [&](float y) { return grid.y + y * ch; };
    if (regions && !part.region_of.empty())
        for (const SwinPiece& pc : part.pieces)
            dl.add(RectItem{{X(float(pc.x0)), Y(float(pc.y0)), float(pc.x1 - pc.x0) * cw, float(pc.y1 - pc.y0) * ch},
                            with_alpha(swin_region_color(pc.region), 70)});
    for (const GridSegment& s : part.region_edges)
        dl.add(LineItem{X(s.x0), Y(s.y0), X(s.x1), Y(s.y1), t.region_edge, thin ? 1.0f : 1.5f, LineDash::Dashed});
    const float w = thin ? 1.0f : 2.5f;
    for (const GridSegment& s : part.window_edges)
        dl.add(LineItem{X(s.x0), Y(s.y0), X(s.x1), Y(s.y1), t.window_casing, w + 2});
    for (const GridSegment& s : part.window_edges)
        dl.add(LineItem{X(s.x0), Y(s.y0), X(s.x1), Y(s.y1), t.window_edge, w});
    if (!regions || thin) return;
    const float size = std::clamp(std::min(cw, ch) * 0.55f * 1.333f, 8.5f, 13.0f);
    for (const SwinPiece& pc : part.pieces) {
        const std::string text = pc.region >= 0 ? "w" + std::to_string(pc.window) + " r" + std::to_string(pc.region)
                                                : "w" + std::to_string(pc.window);
        const RectF box{X(float(pc.x0)), Y(float(pc.y0)), float(pc.x1 - pc.x0) * cw, float(pc.y1 - pc.y0) * ch};
        const float tw = text_width_estimate(text, size, true) + 6, th = size * 1.3f;
        if (tw > box.w + 2 || th > box.h + 2) continue;  // too small to label
        const RectF lb{box.x + (box.w - tw) * 0.5f, box.y + (box.h - th) * 0.5f, tw, th};
        dl.add(RectItem{lb, t.label_back});
        dl.add(TextItem{lb, text, size, pc.region >= 0 ? swin_region_color(pc.region) : t.window_edge, HAlign::Center,
                        VAlign::Middle, true});
    }
}

QueryRowData query_row_data(const FigureInputs& in, const FigureSelection& s) {
    QueryRowData q;
    if (in.swin && !in.swin->blocks.empty()) {
        const SwinTrace& st = *in.swin;
        const SwinQuery sq = swin_query(st, s.layer, s.query);
        q.row = swin_window_row(st, s.layer, s.head, sq.window, sq.position);
        q.masked.assign(q.row.size(), 0);
        const std::vector<unsigned char> masked = swin_masked_keys(st, s.layer, s.head);
        const int W = st.blocks[size_t(s.layer)].geometry.width;
        int real = 0;
        for (int p = 0; p < int(q.row.size()); ++p) {
            const SwinTokenLocation loc = swin_token_location(st, s.layer, sq.window, p);
            if (loc.padding) continue;
            ++real;
            q.masked[size_t(p)] = masked[size_t(loc.row) * W + loc.col];
        }
        q.entropy = attention_entropy(q.row);
        q.uniform_entropy = std::log(double(std::max(real, 1)));
        const RowPeak pk = attention_peak(q.row);
        q.max = pk.value;
        q.argmax = pk.index;
        const SwinTokenLocation at = swin_token_location(st, s.layer, sq.window, std::max(q.argmax, 0));
        q.title = "query (" + std::to_string(sq.row) + ", " + std::to_string(sq.col) + ") · window " +
                  std::to_string(sq.window) + " · entropy " + format_number("%.3f", q.entropy) + " nats (uniform " +
                  format_number("%.3f", q.uniform_entropy) + ") · max " + format_number("%.4f", double(q.max)) + " at (" +
                  std::to_string(at.row) + ", " + std::to_string(at.col) + ")";
    } else if (in.vit && !in.vit->layers.empty()) {
        const ViTTrace& t = *in.vit;
        q.row = query_row(t, s.layer, s.head, s.query);
        // The engine's rule: the user mask within the layer range and heads, padding everywhere.
        q.masked = vit_masked_keys(t, s.layer, s.head);
        q.entropy = attention_entropy(q.row);
        q.uniform_entropy = std::log(double(q.row.size()));
        const RowPeak pk = attention_peak(q.row);
        q.max = pk.value;
        q.argmax = pk.index;
        q.title = "query " + t.token_name(s.query) + " · entropy " + format_number("%.3f", q.entropy) + " nats (uniform " +
                  format_number("%.3f", q.uniform_entropy) + ") · max " + format_number("%.4f", double(q.max)) + " at " +
                  t.token_name(std::max(q.argmax, 0));
    }
    return q;
}

void add_query_chart(DrawList& dl, const QueryRowData& q, RectF box, const Theme& t) {
    if (q.row.empty()) {
        dl.add(TextItem{box, "No attention yet", t.label_size, t.text_muted, HAlign::Center, VAlign::Middle});
        return;
    }
    // The title on one line, or on two (split at the " · " nearest the middle) where one line would
    // need a font under 8 px: never cut.
    const float line_h = t.label_size * 1.6f;
    const float avail = box.w - 12;
    auto fit = [&](const std::string& s) {
        const float w = text_width_estimate(s, t.label_size);
        return w > avail ? std::max(5.0f, t.label_size * avail / w) : t.label_size;
    };
    std::vector<std::string> lines{q.title};
    if (fit(q.title) < 8.0f) {
        size_t best = std::string::npos;
        for (size_t at = q.title.find(" · "); at != std::string::npos; at = q.title.find(" · ", at + 1))
            if (best == std::string::npos || std::abs(int(at) - int(q.title.size() / 2)) <
                                                 std::abs(int(best) - int(q.title.size() / 2)))
                best = at;
        if (best != std::string::npos) lines = {q.title.substr(0, best), q.title.substr(best + 4)};
    }
    float ts = t.label_size;
    for (const std::string& line : lines) ts = std::min(ts, fit(line));
    for (size_t i = 0; i < lines.size(); ++i)
        dl.add(TextItem{{box.x + 6, box.y + 2 + line_h * float(i), avail, line_h}, lines[i], ts, t.text, HAlign::Left,
                        VAlign::Middle});
    const float th = line_h * float(lines.size());
    const float axis_w = text_width_estimate("0.00", t.small_size) + 8;
    const RectF plot{box.x + axis_w, box.y + th + 6, box.w - axis_w - 6, box.h - th - 14};
    if (plot.empty()) return;
    const float top = std::max(q.max, 1e-12f);
    const float bw = plot.w / float(q.row.size());
    for (size_t k = 0; k < q.row.size(); ++k) {
        const float h = plot.h * std::clamp(q.row[k] / top, 0.0f, 1.0f);
        const RectF bar{plot.x + bw * float(k), plot.bottom() - h, std::max(bw - (bw > 3 ? 1.0f : 0.0f), 1.0f), h};
        Rgba c = int(k) == q.argmax ? t.bar_peak : t.bar;
        if (k < q.masked.size() && q.masked[k]) {
            c = t.bar_masked;
            dl.add(RectItem{{bar.x, plot.bottom() - 3, bar.w, 3}, c});
        }
        if (h > 0) dl.add(RectItem{bar, c});
    }
    dl.add(LineItem{plot.x, plot.bottom(), plot.right(), plot.bottom(), t.axis, 1.0f});
    const float ls = t.small_size;
    dl.add(TextItem{{box.x, plot.y - ls * 0.7f, axis_w - 4, ls * 1.4f}, format_number("%.2g", double(top)), ls, t.text_muted,
                    HAlign::Right, VAlign::Middle});
    dl.add(TextItem{{box.x, plot.bottom() - ls * 0.7f, axis_w - 4, ls * 1.4f}, "0", ls, t.text_muted, HAlign::Right,
                    VAlign::Middle});
}

void add_predictions(DrawList& dl, RectF box, const std::string& heading, const RowVector& logits,
                     const RowVector* reference, const std::vector<std::string>& labels, const Theme& t) {
    const float pad = 10;
    const float row_h = std::max(t.label_size * 1.7f, 16.0f);
    float y = box.y + 4;
    dl.add(TextItem{{box.x + pad, y, box.w - 2 * pad, row_h}, heading, t.label_size, t.text, HAlign::Left,
                    VAlign::Middle, true});
    y += row_h;
    const std::vector<Prediction> top = top_predictions(logits, labels, 5);
    std::vector<Prediction> ref_all;
    if (reference) ref_all = top_predictions(*reference, labels, int(reference->size()));
    auto ref_p = [&](int cls) {
        for (const Prediction& p : ref_all)
            if (p.cls == cls) return p.p;
        return 0.0f;
    };
    const float rank_w = text_width_estimate("5.", t.label_size) + 6;
    const float p_w = text_width_estimate("0.0000", t.label_size) + 8;
    const float d_w = reference ? text_width_estimate("+0.0000", t.label_size) + 8 : 0;
    const float avail = box.w - 2 * pad - rank_w - p_w - d_w;
    const float label_w = std::max(avail * 0.55f, 10.0f), bar_w = std::max(avail - label_w - 6, 10.0f);
    for (size_t i = 0; i < top.size() && y + row_h <= box.bottom() + 1; ++i) {
        const Prediction& p = top[i];
        float x = box.x + pad;
        dl.add(TextItem{{x, y, rank_w, row_h}, std::to_string(i + 1) + ".", t.label_size, t.text_muted, HAlign::Left,
                        VAlign::Middle});
        x += rank_w;
        float ls = t.label_size;
        const float lw = text_width_estimate(p.label, ls);
        if (lw > label_w - 4) ls = std::max(6.0f, ls * (label_w - 4) / lw);
        dl.add(TextItem{{x, y, label_w, row_h}, p.label, ls, t.text, HAlign::Left, VAlign::Middle});
        x += label_w;
        const float bh = row_h * 0.5f;
        dl.add(RectItem{{x, y + (row_h - bh) * 0.5f, bar_w, bh}, with_alpha(t.axis, 50)});
        dl.add(RectItem{{x, y + (row_h - bh) * 0.5f, bar_w * std::clamp(p.p, 0.0f, 1.0f), bh}, t.bar});
        x += bar_w + 6;
        dl.add(TextItem{{x, y, p_w, row_h}, format_number("%.4f", double(p.p)), t.label_size, t.text, HAlign::Right,
                        VAlign::Middle});
        x += p_w;
        if (reference) {
            const double d = double(p.p) - double(ref_p(p.cls));
            dl.add(TextItem{{x, y, d_w, row_h}, format_number("%+.4f", d), t.label_size,
                            d > 0 ? t.positive : d < 0 ? t.negative : t.text_muted, HAlign::Right, VAlign::Middle});
        }
        y += row_h;
    }
}

}  // namespace vitscope
