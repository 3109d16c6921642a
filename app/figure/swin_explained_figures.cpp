#include "swin_explained_figures.h"

#include "figure_frame.h"
#include "attention_stats.h"
#include "figure_parts.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace vitscope {

namespace {

// A heading line that fits its box.
// A heatmap of plain values (bias tables and matrices) with its colourbar.
HeatmapFigure plain_heatmap(int w, int h, std::vector<float> values, const FigureStyle& style, const std::string& title) {
    HeatmapFigure f;
    f.grid_w = w;
    f.grid_h = h;
    f.values = std::move(values);
    f.cell_flags.assign(f.values.size(), 0);
    FigureStyle s = style;
    s.log_scale = false;  // signed values
    s.opacity = 1.0f;
    s.show_grid = false;
    apply_style(f, s, range_of(f.values));
    f.show_image = false;
    f.title = title;
    return f;
}

// ---- the cyclic shift ------------------------------------------------------------------------------

// Draws the part of the image under source tokens [sy0, sy1) x [sx0, sx1) at display token (dy, dx).
void add_image_piece(DrawList& dl, int image, const FigureImage& im, int stride, RectF map, float cell, int sy0, int sy1,
                     int sx0, int sx1, int dy, int dx) {
    const float px0 = float(sx0 * stride), py0 = float(sy0 * stride);
    const float px1 = std::min(float(sx1 * stride), float(im.width)), py1 = std::min(float(sy1 * stride), float(im.height));
    if (px1 <= px0 || py1 <= py0) return;
    const float k = cell / float(stride);
    dl.add(ImageItem{{map.x + float(dx) * cell, map.y + float(dy) * cell, (px1 - px0) * k, (py1 - py0) * k}, image,
                     {px0, py0, px1 - px0, py1 - py0}});
}

void add_window_grid(DrawList& dl, RectF map, float cell, int H, int W, int M, const Theme& t) {
    std::vector<LineItem> lines;
    for (int y = 0; y <= H; y += M)
        lines.push_back({map.x, map.y + float(y) * cell, map.x + float(W) * cell, map.y + float(y) * cell});
    for (int x = 0; x <= W; x += M)
        lines.push_back({map.x + float(x) * cell, map.y, map.x + float(x) * cell, map.y + float(H) * cell});
    for (LineItem l : lines) {
        l.color = t.window_casing;
        l.width = 4.5f;
        dl.add(l);
    }
    for (LineItem l : lines) {
        l.color = t.window_edge;
        l.width = 2.5f;
        dl.add(l);
    }
}

// Region tints as runs of equal region per row, and one "r<id>" label per connected piece.
void add_regions(DrawList& dl, const SwinShiftState& st, RectF map, float cell, const Theme& t) {
    const int H = st.height, W = st.width;
    for (int y = 0; y < H; ++y)
        for (int x = 0; x < W;) {
            const int r = st.region[size_t(y) * W + x];
            int e = x + 1;
            while (e < W && st.region[size_t(y) * W + e] == r) ++e;
            if (r >= 0)
                dl.add(RectItem{{map.x + float(x) * cell, map.y + float(y) * cell, float(e - x) * cell, cell},
                                with_alpha(swin_region_color(r), 90)});
            x = e;
        }
    std::vector<int> comp(size_t(H) * W, -1);
    std::vector<int> stack;
    for (int start = 0; start < H * W; ++start) {
        if (comp[size_t(start)] >= 0 || st.region[size_t(start)] < 0) continue;
        const int r = st.region[size_t(start)];
        int x0 = W, y0 = H, x1 = -1, y1 = -1;
        stack.assign(1, start);
        comp[size_t(start)] = start;
        while (!stack.empty()) {
            const int c = stack.back();
            stack.pop_back();
            const int cy = c / W, cx = c % W;
            x0 = std::min(x0, cx);
            x1 = std::max(x1, cx);
            y0 = std::min(y0, cy);
            y1 = std::max(y1, cy);
            const int nb[4][2] = {{cy - 1, cx}, {cy + 1, cx}, {cy, cx - 1}, {cy, cx + 1}};
            for (const auto& n : nb) {
                if (n[0] < 0 || n[0] >= H || n[1] < 0 || n[1] >= W) continue;
                const size_t ni = size_t(n[0]) * W + n[1];
                if (comp[ni] < 0 && st.region[ni] == r) {
                    comp[ni] = start;
                    stack.push_back(int(ni));
                }
            }
        }
        const RectF box{map.x + float(x0) * cell, map.y + float(y0) * cell, float(x1 - x0 + 1) * cell,
                        float(y1 - y0 + 1) * cell};
        const std::string text = "r" + std::to_string(r);
        const float size = std::clamp(cell * 0.9f, 8.0f, 13.0f);
        const float tw = text_width_estimate(text, size, true) + 6, th = size * 1.3f;
        if (tw > box.w || th > box.h) continue;
        const RectF lb{box.x + (box.w - tw) / 2, box.y + (box.h - th) / 2, tw, th};
        dl.add(RectItem{lb, t.label_back});
        dl.add(TextItem{lb, text, size, swin_region_color(r), HAlign::Center, VAlign::Middle, true});
    }
}

}  // namespace

BuiltFigure build_swin_shift_figure(const FigureInputs& in, const FigureSelection& sel0, SwinShiftStep step,
                                    const FigureOptions& o, const Theme& t, float w, float h) {
    if (!in.swin || in.swin->blocks.empty())
        return note_figure(in, sel0, o, t, w, h, "The shifted-window scheme belongs to Swin models: open one to see it.");
    const FigureSelection sel = clamp_selection(in, sel0);
    const SwinTrace& tr = *in.swin;
    const SwinBlockTrace& bt = tr.blocks[size_t(sel.layer)];
    const SwinWindowGeometry& g = bt.geometry;
    BuiltFigure b;
    b.list = figure_list(in, sel, o, t, w, h, "vitscope Swin shift figure");
    DrawList& dl = b.list;
    const float pad = 10;
    add_fitted_text(dl, {pad, 4, w - 2 * pad, t.title_size * 1.6f},
                swin_block_name(tr, sel.layer) + " · " + swin_shift_step_name(step), t.title_size, t.text, true);
    std::string expl = swin_shift_step_explanation(step);
    if (!g.shifted())
        expl = "This block does not shift its windows (W-MSA): pick an SW-MSA block to see the cyclic shift.";
    add_fitted_text(dl, {pad, 4 + t.title_size * 1.6f, w - 2 * pad, t.label_size * 1.6f}, expl, t.label_size, t.text_muted,
                false);
    const float top = 8 + t.title_size * 1.6f + t.label_size * 1.6f + 6;
    const float avail_h = h - top - bottom_lines_height(o, t, w) - pad;
    const bool with_matrix = step == SwinShiftStep::Masked;
    const float map_w = with_matrix ? w * 0.55f - 2 * pad : w * 0.72f - 2 * pad;
    const int H = g.padded_height, W = g.padded_width;
    const float cell = std::max(1.0f, std::min(map_w / float(W), avail_h / float(H)));
    const RectF map{pad, top, cell * float(W), cell * float(H)};
    const SwinShiftState st = swin_shift_state(g, step);
    const int stride = tr.stage_stride(bt.stage);

    // Pictures: padding cells empty, then the image (whole, or in the four rolled pieces).
    dl.add(RectItem{map, t.empty_cell});
    if (o.show_photo && in.image.width > 0) {
        const int img = dl.add_image(in.image);
        const bool rolled = step != SwinShiftStep::Original && step != SwinShiftStep::Restored;
        const int s = rolled ? g.shift : 0;
        // Display rows [0, H-s) show source rows [s, H); rows [H-s, H) show [0, s). Same for columns.
        const int ys[2][3] = {{s, H, 0}, {0, s, H - s}}, xs[2][3] = {{s, W, 0}, {0, s, W - s}};
        for (const auto& yr : ys)
            for (const auto& xr : xs)
                if (yr[1] > yr[0] && xr[1] > xr[0])
                    add_image_piece(dl, img, in.image, stride, map, cell, yr[0], yr[1], xr[0], xr[1], yr[2], xr[2]);
    }
    if (g.shifted()) add_regions(dl, st, map, cell, t);
    // Windows where they lie at this step.
    if (step == SwinShiftStep::Partitioned || step == SwinShiftStep::Masked || !g.shifted()) {
        add_window_grid(dl, map, cell, H, W, g.window, t);
    } else if (step != SwinShiftStep::Rolled) {
        const SwinPartition part = swin_partition(tr, sel.layer);
        add_swin_partition(dl, part, {map.x, map.y, cell * float(part.grid_w), cell * float(part.grid_h)}, false, false, t);
    }
    // The query, and at the Masked step the keys of its window it may not attend.
    const SwinQuery q = swin_query(tr, sel.layer, sel.query);
    const int qsrc = q.row * W + q.col;
    int qcell = 0;
    for (size_t c = 0; c < st.source.size(); ++c)
        if (st.source[c] == qsrc) qcell = int(c);
    if (step == SwinShiftStep::Masked && g.shifted()) {
        const int qr = st.region[size_t(qcell)];
        for (size_t c = 0; c < st.source.size(); ++c)
            if (st.window_of[c] == q.window && st.region[c] != qr)
                dl.add(RectItem{{map.x + float(c % W) * cell, map.y + float(c / W) * cell, cell, cell},
                                with_alpha(t.shift_hatch, 120)});
        const int wx = W / g.window;
        dl.add(RectItem{{map.x + float((q.window % wx) * g.window) * cell, map.y + float((q.window / wx) * g.window) * cell,
                         float(g.window) * cell, float(g.window) * cell},
                        {0, 0, 0, 0}, t.selection, 3.0f});
    }
    dl.add(RectItem{{map.x + float(qcell % W) * cell, map.y + float(qcell / W) * cell, cell, cell}, {0, 0, 0, 0},
                    t.query_frame, 2.0f});
    FigurePanel panel;
    panel.layout.grid = map;
    panel.grid_w = W;
    panel.grid_h = H;
    panel.head = sel.head;
    b.panels.push_back(panel);

    const RectF side{map.right() + 2 * pad, top, w - map.right() - 3 * pad, avail_h};
    if (with_matrix) {
        HeatmapFigure f = swin_matrix_figure(tr, sel.layer, sel.head, sel.query, o.style);
        f.title = "window " + std::to_string(q.window) + ": attention with the mask (magenta: -100)";
        const HeatmapLayout l = layout_heatmap(f, side, layout_style(t, LayoutSize::Large));
        add_heatmap(dl, f, l, t, -1, LayoutSize::Large);
        b.figure = f;
    } else if (g.shifted()) {
        // Legend: the region colours.
        float y = side.y;
        add_fitted_text(dl, {side.x, y, side.w, t.label_size * 1.6f}, "regions of the shifted configuration", t.label_size,
                    t.text, true);
        y += t.label_size * 1.8f;
        for (int r = 0; r < 9; ++r) {
            dl.add(RectItem{{side.x, y + 2, 14, 14}, swin_region_color(r)});
            dl.add(TextItem{{side.x + 20, y, side.w - 20, 18}, "region " + std::to_string(r), t.label_size, t.text,
                            HAlign::Left, VAlign::Middle});
            y += 20;
        }
        y += 8;
        const std::string facts[] = {"window M = " + std::to_string(g.window) + " tokens, shift s = " +
                                         std::to_string(g.shift),
                                     std::to_string(g.num_windows()) + " windows before and after the shift",
                                     "map " + std::to_string(g.height) + "x" + std::to_string(g.width) + " tokens of " +
                                         std::to_string(stride) + " px"};
        for (const std::string& f : facts) {
            add_fitted_text(dl, {side.x, y, side.w, t.label_size * 1.6f}, f, t.label_size, t.text_muted, false);
            y += t.label_size * 1.7f;
        }
    }
    add_bottom_lines(dl, in, sel, o, t);
    return b;
}

// ---- the logits taken apart -------------------------------------------------------------------------

LogitTermsData logit_terms_data(const FigureInputs& in, const FigureSelection& sel0) {
    LogitTermsData d;
    if (!in.has_trace() || in.num_layers() == 0) {
        d.note = "No attention yet.";
        return d;
    }
    const FigureSelection sel = clamp_selection(in, sel0);
    if (sel.head == kMeanOfHeads) {
        d.note = "Logits belong to one head: pick a head (not the mean) to take them apart.";
        return d;
    }
    if (in.swin) {
        const SwinTrace& tr = *in.swin;
        const SwinBlockTrace& bt = tr.blocks[size_t(sel.layer)];
        if (bt.logits_qk.empty()) {
            d.note = "The logits were not kept for this pass (keep logits is off).";
            return d;
        }
        const SwinQuery q = swin_query(tr, sel.layer, sel.query);
        const SwinLogitTerms terms = swin_logit_terms(tr, sel.layer, sel.head, q.window, q.position);
        d.qk = terms.qk;
        d.bias = terms.bias;
        d.mask = terms.mask;
        d.softmax = terms.softmax;
        for (int k = 0; k < int(d.qk.size()); ++k) {
            const SwinTokenLocation loc = swin_token_location(tr, sel.layer, q.window, k);
            d.key_names.push_back(loc.padding ? "pad" : "(" + std::to_string(loc.row) + ", " + std::to_string(loc.col) + ")");
        }
        d.title = "logits of query (" + std::to_string(q.row) + ", " + std::to_string(q.col) + ") · window " +
                  std::to_string(q.window) + " · head " + std::to_string(sel.head) + " · " + swin_block_name(tr, sel.layer);
        return d;
    }
    const ViTTrace& tr = *in.vit;
    const ViTLayerTrace& lt = tr.layers[size_t(sel.layer)];
    if (lt.logits.empty()) {
        d.note = "The logits were not kept for this pass (keep logits is off).";
        return d;
    }
    const int N = tr.num_tokens;
    const size_t row = (size_t(sel.head) * N + sel.query) * N;
    d.qk.assign(lt.logits.begin() + std::ptrdiff_t(row), lt.logits.begin() + std::ptrdiff_t(row + N));
    d.bias.assign(size_t(N), 0.0f);
    d.mask.assign(size_t(N), 0.0f);
    d.softmax.assign(lt.attn.begin() + std::ptrdiff_t(row), lt.attn.begin() + std::ptrdiff_t(row + N));
    for (int k = 0; k < N; ++k) d.key_names.push_back(tr.token_name(k));
    d.title = "logits of query " + tr.token_name(sel.query) + " · head " + std::to_string(sel.head) + " · layer " +
              std::to_string(sel.layer) + " (ViT: the scaled q·k term only)";
    return d;
}

BuiltFigure build_logit_terms_figure(const FigureInputs& in, const FigureSelection& sel, const FigureOptions& o,
                                     const Theme& t, float w, float h) {
    const LogitTermsData d = logit_terms_data(in, sel);
    if (!d.note.empty()) return note_figure(in, sel, o, t, w, h, d.note);
    BuiltFigure b;
    b.list = figure_list(in, sel, o, t, w, h, "vitscope logit terms figure");
    DrawList& dl = b.list;
    const float pad = 10;
    add_fitted_text(dl, {pad, 4, w - 2 * pad, t.title_size * 1.6f}, d.title, t.title_size, t.text, true);
    // Legend.
    float lx = pad;
    const float ly = 6 + t.title_size * 1.6f;
    auto legend = [&](Rgba c, const std::string& text) {
        dl.add(RectItem{{lx, ly + 3, 12, 12}, c});
        const float tw = text_width_estimate(text, t.small_size);
        dl.add(TextItem{{lx + 16, ly, tw + 4, 18}, text, t.small_size, t.text, HAlign::Left, VAlign::Middle});
        lx += 16 + tw + 18;
    };
    legend(t.bar, "scale · q·k");
    legend({245, 130, 48}, "relative position bias");
    legend(t.shift_hatch, "shift mask −100 (off the scale)");
    legend(t.masked_hatch, "masked key (−∞)");
    const float top = ly + 26;
    const float bottom = h - bottom_lines_height(o, t, w) - pad;
    const float axis_w = text_width_estimate("-00.0", t.small_size) + 8;
    const RectF logit_plot{pad + axis_w, top, w - 2 * pad - axis_w, (bottom - top) * 0.62f - 18};
    const RectF prob_plot{pad + axis_w, logit_plot.bottom() + 30, logit_plot.w, bottom - logit_plot.bottom() - 44};
    // The logit scale covers the finite q·k and q·k + bias values (and 0).
    float lo = 0, hi = 0;
    const size_t N = d.qk.size();
    for (size_t k = 0; k < N; ++k) {
        if (!std::isfinite(d.qk[k])) continue;
        lo = std::min({lo, d.qk[k], d.qk[k] + d.bias[k]});
        hi = std::max({hi, d.qk[k], d.qk[k] + d.bias[k]});
    }
    if (hi - lo < 1e-6f) hi = lo + 1;
    auto Y = [&](float v) { return logit_plot.y + (hi - v) / (hi - lo) * logit_plot.h; };
    const float bw = logit_plot.w / float(N);
    for (size_t k = 0; k < N; ++k) {
        const float x = logit_plot.x + bw * float(k), bwid = std::max(bw - (bw > 3 ? 1.0f : 0.0f), 1.0f);
        if (!std::isfinite(d.qk[k])) {
            dl.add(RectItem{{x, logit_plot.bottom() - 6, bwid, 6}, t.masked_hatch});
            continue;
        }
        const float y0 = Y(0), y1 = Y(d.qk[k]), y2 = Y(d.qk[k] + d.bias[k]);
        dl.add(RectItem{{x, std::min(y0, y1), bwid, std::fabs(y1 - y0)}, t.bar});
        if (d.bias[k] != 0) dl.add(RectItem{{x, std::min(y1, y2), bwid, std::fabs(y2 - y1)}, {245, 130, 48}});
        if (d.mask[k] != 0) dl.add(RectItem{{x, logit_plot.bottom() - 6, bwid, 6}, t.shift_hatch});
    }
    dl.add(LineItem{logit_plot.x, Y(0), logit_plot.right(), Y(0), t.axis, 1.0f});
    for (float v : {lo, hi}) {
        dl.add(TextItem{{pad, Y(v) - 8, axis_w - 4, 16}, format_number("%.3g", double(v)), t.small_size, t.text_muted,
                        HAlign::Right, VAlign::Middle});
    }
    add_fitted_text(dl, {logit_plot.x, prob_plot.y - 24, logit_plot.w, 20}, "softmax (the attention that results)",
                t.label_size, t.text, false);
    float pmax = 1e-12f;
    for (float p : d.softmax) pmax = std::max(pmax, p);
    for (size_t k = 0; k < N; ++k) {
        const float x = prob_plot.x + bw * float(k), bh = prob_plot.h * std::clamp(d.softmax[k] / pmax, 0.0f, 1.0f);
        if (bh > 0)
            dl.add(RectItem{{x, prob_plot.bottom() - bh, std::max(bw - (bw > 3 ? 1.0f : 0.0f), 1.0f), bh}, t.bar_peak});
    }
    dl.add(LineItem{prob_plot.x, prob_plot.bottom(), prob_plot.right(), prob_plot.bottom(), t.axis, 1.0f});
    dl.add(TextItem{{pad, prob_plot.y - 8, axis_w - 4, 16}, format_number("%.2g", double(pmax)), t.small_size, t.text_muted,
                    HAlign::Right, VAlign::Middle});
    dl.add(TextItem{{pad, prob_plot.bottom() - 8, axis_w - 4, 16}, "0", t.small_size, t.text_muted, HAlign::Right,
                    VAlign::Middle});
    FigurePanel panel;
    panel.layout.grid = {logit_plot.x, logit_plot.y, logit_plot.w, prob_plot.bottom() - logit_plot.y};
    panel.grid_w = int(N);
    panel.grid_h = 1;
    b.panels.push_back(panel);
    add_bottom_lines(dl, in, sel, o, t);
    return b;
}

// ---- the relative position bias ---------------------------------------------------------------------

BuiltFigure build_swin_bias_figure(const FigureInputs& in, const FigureSelection& sel0, const FigureOptions& o,
                                   const Theme& t, float w, float h) {
    if (!in.swin || in.swin->blocks.empty())
        return note_figure(in, sel0, o, t, w, h, "The relative position bias belongs to Swin models.");
    if (!in.model || !in.model->swin) return note_figure(in, sel0, o, t, w, h, "The model's weights are not at hand.");
    const FigureSelection sel = clamp_selection(in, sel0);
    const SwinTrace& tr = *in.swin;
    const SwinBlockTrace& bt = tr.blocks[size_t(sel.layer)];
    const SwinBlock& blk = in.model->swin->w.stages[size_t(bt.stage)].blocks[size_t(bt.block)];
    const int head = sel.head == kMeanOfHeads ? 0 : sel.head;
    const int M = bt.geometry.window, T = blk.window, N = M * M;
    BuiltFigure b;
    b.list = figure_list(in, sel, o, t, w, h, "vitscope relative position bias figure");
    DrawList& dl = b.list;
    const float pad = 10;
    add_fitted_text(dl, {pad, 4, w - 2 * pad, t.title_size * 1.6f},
                "relative position bias · head " + std::to_string(head) + (sel.head == kMeanOfHeads ? " (tables are per head)" : "") +
                    " · " + swin_block_name(tr, sel.layer),
                t.title_size, t.text, true);
    const float top = 8 + t.title_size * 1.6f;
    const float bottom = h - bottom_lines_height(o, t, w);
    const float pw = (w - 2 * pad) / 3.0f;
    const SwinQuery q = swin_query(tr, sel.layer, sel.query);
    HeatmapFigure table = plain_heatmap(2 * T - 1, 2 * T - 1, swin_bias_table(blk, head), o.style,
                                        "the table: (2M-1)² = " + std::to_string((2 * T - 1) * (2 * T - 1)) + " learned biases");
    // The centre entry is the zero offset (a token and itself).
    table.cell_flags[size_t(T - 1) * (2 * T - 1) + (T - 1)] |= kCellOutline;
    const std::vector<float> matrix = swin_bias_matrix(blk, M, head);
    HeatmapFigure mat = plain_heatmap(N, N, matrix, o.style, "the M²×M² bias it gives a window");
    for (int k = 0; k < N; ++k) mat.cell_flags[size_t(q.position) * N + k] |= kCellHighlight;
    std::vector<float> seen(matrix.begin() + std::ptrdiff_t(size_t(q.position) * N),
                            matrix.begin() + std::ptrdiff_t(size_t(q.position + 1) * N));
    HeatmapFigure from = plain_heatmap(M, M, seen, o.style, "seen from the query's slot " + std::to_string(q.position));
    from.cell_flags[size_t(q.position)] |= kCellOutline;
    const HeatmapFigure* figs[3] = {&table, &mat, &from};
    for (int i = 0; i < 3; ++i) {
        const HeatmapLayout l = layout_heatmap(*figs[i], {pad + pw * float(i), top, pw, bottom - top},
                                               layout_style(t, LayoutSize::Large));
        add_heatmap(dl, *figs[i], l, t, -1, LayoutSize::Large);
        b.panels.push_back({l, figs[i]->grid_w, figs[i]->grid_h, 0, head});
    }
    b.figure = table;
    add_bottom_lines(dl, in, sel, o, t);
    return b;
}

// ---- the hierarchy --------------------------------------------------------------------------------

BuiltFigure build_swin_hierarchy_figure(const FigureInputs& in, const FigureSelection& sel0, const FigureOptions& o,
                                        const Theme& t, float w, float h) {
    if (!in.swin || in.swin->blocks.empty())
        return note_figure(in, sel0, o, t, w, h, "The stage hierarchy belongs to Swin models.");
    const FigureSelection sel = clamp_selection(in, sel0);
    const SwinTrace& tr = *in.swin;
    const int S = int(tr.stage_first_block.size());
    const int current = tr.blocks[size_t(sel.layer)].stage;
    BuiltFigure b;
    b.list = figure_list(in, sel, o, t, w, h, "vitscope Swin hierarchy figure");
    DrawList& dl = b.list;
    const float pad = 10, arrow = 70;
    add_fitted_text(dl, {pad, 4, w - 2 * pad, t.title_size * 1.6f},
                "Swin's hierarchy: windows of the same size over ever coarser tokens", t.title_size, t.text, true);
    const float top = 8 + t.title_size * 1.6f;
    const float text_h = 3 * t.label_size * 1.5f;
    const float avail_h = h - top - bottom_lines_height(o, t, w) - text_h - 2 * pad;
    const float pw = (w - 2 * pad - arrow * float(S - 1)) / float(S);
    const float side = std::max(10.0f, std::min(pw, avail_h));
    const int photo = o.show_photo && in.image.width > 0 ? dl.add_image(in.image) : -1;
    for (int s = 0; s < S; ++s) {
        const SwinBlockTrace& bt = tr.blocks[size_t(tr.stage_first_block[size_t(s)])];
        const SwinWindowGeometry& g = bt.geometry;
        const float x = pad + float(s) * (pw + arrow) + (pw - side) / 2;
        // The token grid over the image: cells of opacity 0 with grid lines, the windows on top.
        HeatmapFigure f;
        f.grid_w = g.width;
        f.grid_h = g.height;
        f.values.assign(size_t(g.width) * g.height, 0.0f);
        f.opacity = 0.0f;
        f.show_grid = true;
        f.show_colorbar = false;
        f.show_image = photo >= 0;
        f.title = "stage " + std::to_string(s) + (s == current ? " (shown)" : "");
        const float aspect = float(g.height) / float(g.width);
        const RectF grid{x, top + t.title_size * 1.4f, side, side * aspect};
        HeatmapLayout l;
        l.grid = grid;
        l.title = {x, top, side, t.title_size * 1.4f};
        add_heatmap(dl, f, l, t, photo, LayoutSize::Large);
        if (g.window < std::max(g.width, g.height)) add_window_grid(dl, grid, side / float(g.width), g.padded_height,
                                                                    g.padded_width, g.window, t);
        if (s == current) dl.add(RectItem{{grid.x - 3, grid.y - 3, grid.w + 6, grid.h + 6}, {0, 0, 0, 0}, t.selection, 3.0f});
        const std::string lines[3] = {
            std::to_string(g.height) + "×" + std::to_string(g.width) + " tokens of " + std::to_string(tr.stage_stride(s)) + " px",
            std::to_string(g.num_windows()) + " window" + (g.num_windows() == 1 ? "" : "s") + " of " +
                std::to_string(g.window) + "×" + std::to_string(g.window),
            (in.model && in.model->swin ? std::to_string(in.model->swin->hp.stage_dim(s)) + " channels · " : std::string()) +
                std::to_string(bt.num_heads) + " heads"};
        float y = grid.bottom() + 6;
        for (const std::string& line : lines) {
            add_fitted_text(dl, {x, y, pw, t.label_size * 1.5f}, line, t.label_size, t.text, false);
            y += t.label_size * 1.5f;
        }
        if (s + 1 < S) {
            const float ax0 = pad + float(s) * (pw + arrow) + pw + 6, ax1 = ax0 + arrow - 12, ay = grid.y + grid.h / 2;
            dl.add(LineItem{ax0, ay, ax1, ay, t.text_muted, 2.0f});
            dl.add(LineItem{ax1 - 6, ay - 5, ax1, ay, t.text_muted, 2.0f});
            dl.add(LineItem{ax1 - 6, ay + 5, ax1, ay, t.text_muted, 2.0f});
            dl.add(TextItem{{ax0 - 4, ay - 36, arrow, 16}, "merge 2×2", t.small_size, t.text_muted, HAlign::Center,
                            VAlign::Middle});
            dl.add(TextItem{{ax0 - 4, ay + 8, arrow, 16}, "C → 2C", t.small_size, t.text_muted, HAlign::Center,
                            VAlign::Middle});
        }
        FigurePanel p;
        p.layout = l;
        p.grid_w = g.width;
        p.grid_h = g.height;
        p.head = s;  // the stage a click on this panel selects
        b.panels.push_back(p);
    }
    add_bottom_lines(dl, in, sel, o, t);
    return b;
}

}  // namespace vitscope
