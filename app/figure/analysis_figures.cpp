#include "analysis_figures.h"

#include "figure_frame.h"
#include "attention_distance.h"
#include "attention_stats.h"
#include "embedding_structure.h"
#include "figure_parts.h"
#include "head_similarity.h"
#include "mask_leakage.h"
#include "softmax_saturation.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>

namespace vitscope {

namespace {

float heading(DrawList& dl, const std::string& title, const std::string& sub, const Theme& t) {
    add_fitted_text(dl, {10, 4, dl.width - 20, t.title_size * 1.6f}, title, t.title_size, t.text, true);
    float y = 4 + t.title_size * 1.6f;
    if (!sub.empty()) {
        add_fitted_text(dl, {10, y, dl.width - 20, t.label_size * 1.6f}, sub, t.label_size, t.text_muted);
        y += t.label_size * 1.6f;
    }
    return y + 6;
}

// A plot frame with linear axes, tick labels and axis titles.
struct Plot {
    RectF r;
    double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
    bool log2x = false;
    float X(double x) const {
        const double a = log2x ? std::log2(x) : x, lo = log2x ? std::log2(x0) : x0, hi = log2x ? std::log2(x1) : x1;
        return r.x + float((a - lo) / (hi - lo)) * r.w;
    }
    float Y(double y) const { return r.bottom() - float((y - y0) / (y1 - y0)) * r.h; }
};

double nice_step(double range, int target) {
    const double raw = range / std::max(target, 1);
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (raw <= m * mag) return m * mag;
    return 10 * mag;
}

Plot add_axes(DrawList& dl, RectF outer, double x0, double x1, double y0, double y1, const std::string& xlabel,
              const std::string& ylabel, const std::vector<double>& xticks, const Theme& t, bool log2x = false) {
    const float ylab_w = text_width_estimate("0000.0", t.small_size) + 18;
    Plot p;
    p.r = {outer.x + ylab_w, outer.y + 6, outer.w - ylab_w - 10, outer.h - 6 - t.small_size * 3.6f};
    p.x0 = x0;
    p.x1 = x1;
    p.y0 = y0;
    p.y1 = y1;
    p.log2x = log2x;
    dl.add(RectItem{p.r, t.panel});
    const double ys = nice_step(y1 - y0, 5);
    for (double y = std::ceil(y0 / ys) * ys; y <= y1 + 1e-9; y += ys) {
        const float py = p.Y(y);
        dl.add(LineItem{p.r.x, py, p.r.right(), py, Rgba{t.axis.r, t.axis.g, t.axis.b, 50}, 1.0f});
        dl.add(TextItem{{outer.x, py - 8, ylab_w - 6, 16}, format_number("%g", y), t.small_size, t.text_muted, HAlign::Right,
                        VAlign::Middle});
    }
    for (double x : xticks) {
        const float px = p.X(x);
        dl.add(LineItem{px, p.r.bottom(), px, p.r.bottom() + 4, t.axis, 1.0f});
        dl.add(TextItem{{px - 30, p.r.bottom() + 4, 60, t.small_size * 1.5f}, format_number("%g", x), t.small_size, t.text_muted,
                        HAlign::Center, VAlign::Middle});
    }
    dl.add(LineItem{p.r.x, p.r.bottom(), p.r.right(), p.r.bottom(), t.axis, 1.0f});
    dl.add(LineItem{p.r.x, p.r.y, p.r.x, p.r.bottom(), t.axis, 1.0f});
    add_fitted_text(dl, {p.r.x, p.r.bottom() + t.small_size * 1.6f, p.r.w, t.small_size * 1.8f}, xlabel, t.small_size, t.text,
             false, HAlign::Center);
    add_fitted_text(dl, {outer.x, outer.y - 14, outer.w, 14}, ylabel, t.small_size, t.text);
    return p;
}

// Distinct colours for heads (and series).
Rgba series_color(int i) {
    static const Rgba c[10] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44}, {214, 39, 40}, {148, 103, 189},
                               {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};
    return c[((i % 10) + 10) % 10];
}

void dot(DrawList& dl, float x, float y, float r, Rgba c) { dl.add(RectItem{{x - r, y - r, 2 * r, 2 * r}, c}); }

std::vector<double> layer_ticks(int L) {
    std::vector<double> t;
    const int step = L > 12 ? 2 : 1;
    for (int l = 0; l < L; l += step) t.push_back(l);
    return t;
}

HeatmapFigure values_heatmap(int w, int h, std::vector<float> v, const FigureOptions& o, ValueRange range,
                             const std::string& title) {
    HeatmapFigure f;
    f.grid_w = w;
    f.grid_h = h;
    f.values = std::move(v);
    f.cell_flags.assign(f.values.size(), 0);
    FigureStyle s = o.style;
    s.log_scale = false;
    s.opacity = 1.0f;
    s.show_grid = false;
    apply_style(f, s, range);
    f.show_image = false;
    f.title = title;
    return f;
}

}  // namespace

// ---- rollout --------------------------------------------------------------------------------------

BuiltFigure build_rollout_figure(const FigureInputs& in, const FigureSelection& sel, const FigureOptions& o,
                                 const Theme& t, float w, float h) {
    if (!in.vit) return note_figure(in, sel, o, t, w, h,
                                    "Attention rollout needs a special token and one token set through all layers: "
                                    "ViT-family models only (Swin merges tokens between stages).");
    const ViTTrace& tr = *in.vit;
    if (tr.num_prefix == 0) return note_figure(in, sel, o, t, w, h, "This model has no special token to roll out from.");
    RolloutOptions ro = o.rollout;
    ro.start_layer = std::clamp(ro.start_layer, 0, int(tr.layers.size()) - 1);
    ro.discard_ratio = std::clamp(ro.discard_ratio, 0.0, 0.99);
    const RolloutMap map = attention_rollout(tr, ro);
    BuiltFigure b;
    b.list = figure_list(in, sel, o, t, w, h, "vitscope attention rollout");
    DrawList& dl = b.list;
    HeatmapFigure f;
    f.grid_w = map.grid_width;
    f.grid_h = map.grid_height;
    f.values = map.values;
    f.cell_flags.assign(f.values.size(), 0);
    FigureStyle s = o.style;
    s.log_scale = false;
    apply_style(f, s, {0.0f, 1.0f});
    f.title = "attention rollout from " + tr.token_name(0) + " · heads fused by " + head_fusion_name(ro.fusion) +
              " · discard " + format_number("%g", ro.discard_ratio) + " · layers " + std::to_string(ro.start_layer) + "-" +
              std::to_string(tr.layers.size() - 1);
    const int photo = o.show_photo && in.image.width > 0 ? dl.add_image(in.image) : -1;
    const HeatmapLayout l = layout_heatmap(f, {0, 0, w, h - bottom_lines_height(o, t, w)}, layout_style(t, LayoutSize::Large));
    add_heatmap(dl, f, l, t, photo, LayoutSize::Large);
    b.panels.push_back({l, f.grid_w, f.grid_h, 0, sel.head});
    b.figure = f;
    add_bottom_lines(dl, in, sel, o, t);
    return b;
}

// ---- mean attention distance ----------------------------------------------------------------------

BuiltFigure build_distance_figure(const FigureInputs& in, const FigureSelection& sel, const FigureOptions& o,
                                  const Theme& t, float w, float h) {
    const auto src = attention_source(in);
    if (!src) return note_figure(in, sel, o, t, w, h, "No attention yet.");
    const std::vector<std::vector<double>> d = mean_attention_distance(*src);
    BuiltFigure b;
    b.list = figure_list(in, sel, o, t, w, h, "vitscope mean attention distance");
    DrawList& dl = b.list;
    double uniform = 0;
    if (in.vit) uniform = uniform_attention_distance(in.vit->grid_height, in.vit->grid_width, src->image_width() / in.vit->grid_width);
    const float top = heading(dl, "Mean attention distance (ViT paper, Fig. 7 right)",
                              in.vit ? "a dot per head: how far it looks, in input pixels, averaged over patch queries; "
                                       "dashed: uniform attention (" + format_number("%.1f", uniform) + " px)"
                                     : "a dot per head, within each query's window, in image pixels",
                              t);
    double ymax = uniform;
    for (const auto& layer : d)
        for (double v : layer) ymax = std::max(ymax, v);
    ymax = std::max(1.0, ymax * 1.1);
    const int L = int(d.size());
    const Plot p = add_axes(dl, {10, top + 14, w - 20, h - top - 14 - bottom_lines_height(o, t, w) - 6}, -0.5, L - 0.5, 0, ymax,
                            in.swin ? "block (depth)" : "layer (depth)", "mean attention distance (px)",
                            layer_ticks(L), t);
    if (uniform > 0) {
        dl.add(LineItem{p.r.x, p.Y(uniform), p.r.right(), p.Y(uniform), t.text_muted, 1.5f, LineDash::Dashed});
        dl.add(TextItem{{p.r.x + 6, p.Y(uniform) + 2, 216, 16}, "uniform attention " + format_number("%.1f", uniform) + " px",
                        t.small_size, t.text_muted, HAlign::Left, VAlign::Middle});
    }
    int max_heads = 0;
    for (int l = 0; l < L; ++l) {
        max_heads = std::max(max_heads, int(d[size_t(l)].size()));
        for (size_t hh = 0; hh < d[size_t(l)].size(); ++hh) {
            const float jitter = d[size_t(l)].size() > 1 ? (float(hh) / float(d[size_t(l)].size() - 1) - 0.5f) * 0.4f : 0;
            dot(dl, p.X(l + jitter), p.Y(d[size_t(l)][hh]), 3.5f, series_color(int(hh)));
        }
        if (l == std::clamp(sel.layer, 0, L - 1))
            dl.add(RectItem{{p.X(l - 0.45), p.r.y, p.X(l + 0.45) - p.X(l - 0.45), p.r.h}, {0, 0, 0, 0}, t.selection, 1.5f});
    }
    // Legend: head colours.
    float lx = p.r.right() - 46 * float(std::min(max_heads, 12));
    for (int hh = 0; hh < std::min(max_heads, 12); ++hh) {
        dot(dl, lx + 4, p.r.bottom() - 12, 3.5f, series_color(hh));
        dl.add(TextItem{{lx + 10, p.r.bottom() - 20, 40, 16}, "h" + std::to_string(hh), t.small_size, t.text,
                        HAlign::Left, VAlign::Middle});
        lx += 46;
    }
    FigurePanel panel;
    panel.layout.grid = p.r;
    panel.grid_w = L;
    panel.grid_h = 1;
    b.panels.push_back(panel);
    add_bottom_lines(dl, in, sel, o, t);
    return b;
}

// ---- saturation -----------------------------------------------------------------------------------

BuiltFigure build_saturation_figure(const FigureInputs& in, const FigureSelection& sel, const FigureOptions& o,
                                    const Theme& t, float w, float h) {
    const auto cur = attention_source(in, false);
    const auto base = attention_source(in, true);
    if (!cur) return note_figure(in, sel, o, t, w, h, "No attention yet.");
    const SaturationStats sc = softmax_saturation(*cur);
    const SaturationStats sb = softmax_saturation(*base);
    const bool differ = (in.vit && in.vit_baseline && in.vit_baseline != in.vit) ||
                        (in.swin && in.swin_baseline && in.swin_baseline != in.swin);
    BuiltFigure b;
    b.list = figure_list(in, sel, o, t, w, h, "vitscope softmax saturation");
    DrawList& dl = b.list;
    const float top = heading(dl, "Softmax saturation: why divide by sqrt(d_k)",
                              differ ? "per layer, the mean over queries; a dot per head · blue: current options · "
                                       "orange: the paper's"
                                     : "per layer, the mean over queries; a dot per head (the paper's options)",
                              t);
    const std::vector<std::vector<double>>* series[3][2] = {{&sc.entropy, &sb.entropy},
                                                            {&sc.max_prob, &sb.max_prob},
                                                            {&sc.jacobian_fro, &sb.jacobian_fro}};
    const char* names[3] = {"entropy (nats)", "largest probability", "‖softmax Jacobian‖_F (gradient left)"};
    const int L = int(sc.entropy.size());
    const float pw = (w - 20) / 3.0f, ph = h - top - bottom_lines_height(o, t, w) - 24;
    for (int k = 0; k < 3; ++k) {
        double ymax = 0;
        for (int s = 0; s < (differ ? 2 : 1); ++s)
            for (const auto& layer : *series[k][s])
                for (double v : layer) ymax = std::max(ymax, v);
        ymax = k == 1 ? 1.0 : std::max(ymax * 1.1, 1e-3);
        const Plot p = add_axes(dl, {10 + pw * float(k), top + 16, pw - 8, ph}, -0.5, L - 0.5, 0, ymax,
                                in.swin ? "block" : "layer", names[k], layer_ticks(L), t);
        for (int s = differ ? 1 : 0; s >= 0; --s)
            for (int l = 0; l < L; ++l)
                for (double v : (*series[k][s])[size_t(l)])
                    dot(dl, p.X(l + (differ ? (s == 0 ? -0.15 : 0.15) : 0)), p.Y(v), 3.0f,
                        s == 0 ? series_color(0) : series_color(1));
    }
    // The numbers per layer (mean over heads), as the CLI prints them.
    add_bottom_lines(dl, in, sel, o, t);
    return b;
}

BuiltFigure build_sandbox_figure(const FigureInputs& in, const FigureSelection& sel, const FigureOptions& o,
                                 const Theme& t, float w, float h) {
    BuiltFigure b;
    b.list = figure_list(in, sel, o, t, w, h, "vitscope d_k sandbox");
    DrawList& dl = b.list;
    const int dk = std::clamp(o.sandbox_dk, 1, 1024);
    const float top = heading(dl, "Why 1/sqrt(d_k): random unit-variance q and k",
                              "left: the spread of q·k grows like sqrt(d_k) · right: one query's softmax over 16 keys "
                              "at d_k = " + std::to_string(dk) + ", without and with the scaling",
                              t);
    const std::vector<DotProductSpread> spread = dot_product_spread(sandbox_dims(), 2000, 7);
    const float ph = h - top - bottom_lines_height(o, t, w) - 24;
    double ymax = 0;
    for (const auto& s : spread) ymax = std::max(ymax, s.std);
    std::vector<double> ticks;
    for (const auto& s : spread) ticks.push_back(s.d_k);
    const Plot p = add_axes(dl, {10, top + 16, w * 0.45f, ph}, 1, 1024, 0, ymax * 1.1, "d_k (log scale)", "std of q·k",
                            ticks, t, true);
    for (double d = 1; d < 1024; d *= 1.25) {  // the sqrt(d_k) curve
        const double d2 = std::min(d * 1.25, 1024.0);
        dl.add(LineItem{p.X(d), p.Y(std::sqrt(d)), p.X(d2), p.Y(std::sqrt(d2)), t.text_muted, 1.5f, LineDash::Dashed});
    }
    for (const auto& s : spread) dot(dl, p.X(s.d_k), p.Y(s.std), 4.0f, series_color(0));
    dl.add(LineItem{p.X(dk), p.r.y, p.X(dk), p.r.bottom(), t.selection, 1.5f});
    dl.add(TextItem{{p.r.x + 8, p.r.y + 4, 200, 16}, "dashed: sqrt(d_k)", t.small_size, t.text_muted, HAlign::Left,
                    VAlign::Middle});
    const SoftmaxScalingRow row = softmax_scaling_row(dk, 16, 11);
    const float x0 = 30 + w * 0.45f, bw = w - x0 - 10;
    const float rh = (ph - 30) / 2;
    const std::vector<float>* rows[2] = {&row.unscaled, &row.scaled};
    const char* labels[2] = {"softmax(q·k) — no scaling", "softmax(q·k / sqrt(d_k))"};
    for (int r = 0; r < 2; ++r) {
        const float y = top + 16 + float(r) * (rh + 30);
        const std::vector<float>& v = *rows[r];
        const double ent = row_entropy(v);
        add_fitted_text(dl, {x0, y, bw, 18}, std::string(labels[r]) + " · entropy " + format_number("%.2f", ent) + " nats (max " +
                                          format_number("%.2f", std::log(double(v.size()))) + ")",
                 t.label_size, t.text);
        const RectF plot{x0, y + 22, bw, rh - 22};
        dl.add(RectItem{plot, t.panel});
        const float cw = plot.w / float(v.size());
        for (size_t k = 0; k < v.size(); ++k) {
            const float bh = plot.h * std::clamp(v[k], 0.0f, 1.0f);
            dl.add(RectItem{{plot.x + cw * float(k) + 1, plot.bottom() - bh, cw - 2, bh}, r == 0 ? t.bar_masked : t.bar});
        }
        dl.add(LineItem{plot.x, plot.bottom(), plot.right(), plot.bottom(), t.axis, 1.0f});
        dl.add(TextItem{{plot.x - 28, plot.y - 6, 24, 14}, "1", t.small_size, t.text_muted, HAlign::Right, VAlign::Middle});
    }
    add_bottom_lines(dl, in, sel, o, t);
    return b;
}

// ---- leakage and head similarity ------------------------------------------------------------------

BuiltFigure build_leakage_figure(const FigureInputs& in, const FigureSelection& sel, const FigureOptions& o,
                                 const Theme& t, float w, float h) {
    const auto src = attention_source(in);
    if (!src) return note_figure(in, sel, o, t, w, h, "No attention yet.");
    const std::vector<std::vector<double>> share = padding_attention_share(*src);
    const AttentionOptions& ao = in.swin ? in.swin->options : in.vit->options;
    bool any_padding = false;
    for (unsigned char p : src->padding(0)) any_padding |= p != 0;
    BuiltFigure b;
    b.list = figure_list(in, sel, o, t, w, h, "vitscope padding leakage");
    DrawList& dl = b.list;
    const std::string sub = !any_padding ? "This input has no padding: open a non-square image with preprocess 'pad'."
                            : ao.padding_mask ? "The padding mask is on: padding keys get -inf, so every share is exactly 0."
                                              : "The padding mask is OFF: the share of each query's attention that lands "
                                                "on padding (mean over queries)";
    const float top = heading(dl, "Why mask padding: attention that goes to padding keys", sub, t);
    int H = 0;
    for (const auto& l : share) H = std::max(H, int(l.size()));
    const int L = int(share.size());
    std::vector<float> v(size_t(L) * std::max(H, 1), 0.0f);
    double mx = 0;
    for (int l = 0; l < L; ++l)
        for (size_t hh = 0; hh < share[size_t(l)].size(); ++hh) {
            v[size_t(l) * H + hh] = float(share[size_t(l)][hh]);
            mx = std::max(mx, share[size_t(l)][hh]);
        }
    // Layers as columns, heads as rows.
    std::vector<float> vt(v.size());
    for (int l = 0; l < L; ++l)
        for (int hh = 0; hh < H; ++hh) vt[size_t(hh) * L + l] = v[size_t(l) * H + hh];
    HeatmapFigure f = values_heatmap(L, std::max(H, 1), vt, o, {0.0f, float(std::max(mx, 1e-6))},
                                     "share of attention on padding · columns: " +
                                         std::string(in.swin ? "blocks" : "layers") + " · rows: heads");
    const HeatmapLayout hl = layout_heatmap(f, {0, top, w, h - top - bottom_lines_height(o, t, w)}, layout_style(t, LayoutSize::Large));
    add_heatmap(dl, f, hl, t, -1, LayoutSize::Large);
    b.panels.push_back({hl, f.grid_w, f.grid_h, 0, sel.head});
    b.figure = f;
    add_bottom_lines(dl, in, sel, o, t);
    return b;
}

namespace {
// Ablating every head reruns part of the model per head: keep the last result per trace.
struct AblationCache {
    std::mutex mutex;
    const void* trace = nullptr;
    std::vector<HeadAblation> result;
};
AblationCache& ablation_cache() {
    static AblationCache c;
    return c;
}
std::vector<HeadAblation> cached_ablation(const FigureInputs& in) {
    AblationCache& c = ablation_cache();
    const void* key = in.swin ? static_cast<const void*>(in.swin.get()) : static_cast<const void*>(in.vit.get());
    std::lock_guard<std::mutex> lock(c.mutex);
    if (c.trace == key) return c.result;
    std::vector<HeadAblation> r;
    if (in.model && in.model->vit && in.vit && in.vit->logits.size() > 0) r = ablate_each_head(*in.model->vit, *in.vit, 1);
    if (in.model && in.model->swin && in.swin && in.swin->logits.size() > 0)
        r = ablate_each_head(*in.model->swin, *in.swin, 1);
    c.trace = key;
    c.result = r;
    return r;
}
}  // namespace

BuiltFigure build_head_similarity_figure(const FigureInputs& in, const FigureSelection& sel0, const FigureOptions& o,
                                         const Theme& t, float w, float h) {
    const auto src = attention_source(in);
    if (!src) return note_figure(in, sel0, o, t, w, h, "No attention yet.");
    const FigureSelection sel = clamp_selection(in, sel0);
    const std::vector<std::vector<double>> js = head_js_divergence(*src);
    const std::vector<double>& m = js[size_t(sel.layer)];
    const int H = int(std::lround(std::sqrt(double(m.size()))));
    BuiltFigure b;
    b.list = figure_list(in, sel, o, t, w, h, "vitscope head similarity");
    DrawList& dl = b.list;
    const float top = heading(dl, "Why many heads: how differently the heads of " + src->name(sel.layer) + " attend",
                              "Jensen-Shannon divergence between two heads' rows, mean over queries (0: identical, "
                              "ln 2 = 0.693: disjoint)",
                              t);
    std::vector<float> v(m.begin(), m.end());
    HeatmapFigure f = values_heatmap(H, H, v, o, {0.0f, float(std::log(2.0))}, "JS divergence · head × head");
    const float content_h = h - top - bottom_lines_height(o, t, w);
    const HeatmapLayout hl = layout_heatmap(f, {0, top, w * 0.55f, content_h}, layout_style(t, LayoutSize::Large));
    add_heatmap(dl, f, hl, t, -1, LayoutSize::Large);
    if (hl.cell >= 0 && H <= 16) {
        const float cw = hl.grid.w / float(H);
        for (int i = 0; i < H; ++i)
            for (int j = 0; j < H; ++j)
                if (cw >= 28) {
                    TextItem ti{{hl.grid.x + cw * float(j), hl.grid.y + cw * float(i), cw, cw}, format_number("%.2f", m[size_t(i) * H + j]),
                                std::min(t.small_size, cw * 0.3f), {255, 255, 255}, HAlign::Center, VAlign::Middle};
                    ti.halo = {0, 0, 0, 255};
                    dl.add(ti);
                }
    }
    b.panels.push_back({hl, H, H, 0, sel.head});
    b.figure = f;
    // Each head ablated in turn: top-1 and its probability.
    const std::vector<HeadAblation> ab = cached_ablation(in);
    float y = top + 4;
    const float x = w * 0.57f, cw = w - x - 10;
    add_fitted_text(dl, {x, y, cw, 20}, "top-1 with each head ablated (all layers in range)", t.label_size, t.text, true);
    y += 24;
    for (const HeadAblation& a : ab) {
        if (a.top.empty() || y > h - bottom_lines_height(o, t, w) - 20) break;
        const ClassProb& c = a.top.front();
        const std::string label = size_t(c.cls) < in.labels.size() ? in.labels[size_t(c.cls)] : "class " + std::to_string(c.cls);
        add_fitted_text(dl, {x, y, cw, 18}, (a.head < 0 ? std::string("none ablated") : "head " + std::to_string(a.head) + " ablated") +
                                         ": " + label + " " + format_number("%.4f", double(c.prob)),
                 t.label_size, a.head < 0 ? t.text : t.text_muted);
        y += 20;
    }
    if (ab.empty()) add_fitted_text(dl, {x, y, cw, 18}, "(needs a classifier and the model's weights)", t.label_size, t.text_muted);
    add_bottom_lines(dl, in, sel, o, t);
    return b;
}

// ---- embeddings -----------------------------------------------------------------------------------

BuiltFigure build_posembed_figure(const FigureInputs& in, const FigureSelection& sel, const FigureOptions& o,
                                  const Theme& t, float w, float h) {
    if (!in.model || !in.model->vit)
        return note_figure(in, sel, o, t, w, h, "Position embeddings belong to ViT-family models (Swin learns a relative "
                                                "position bias instead: see the Explained dock).");
    const PositionSimilarity ps = position_embedding_similarity(*in.model->vit);
    const int gh = ps.grid_height, gw = ps.grid_width, n = gh * gw;
    BuiltFigure b;
    b.list = figure_list(in, sel, o, t, w, h, "vitscope position embedding similarity");
    DrawList& dl = b.list;
    const float top = heading(dl, "Position embedding similarity (ViT paper, Fig. 7 centre)",
                              "tile (r, c): cosine of patch (r, c)'s position embedding with every other patch's", t);
    // One grid of gh*gh x gw*gw cells: tile (r, c) holds patch (r, c)'s row of the cosine matrix.
    std::vector<float> v(size_t(n) * n);
    for (int r = 0; r < gh; ++r)
        for (int c = 0; c < gw; ++c)
            for (int qr = 0; qr < gh; ++qr)
                for (int qc = 0; qc < gw; ++qc)
                    v[size_t(r * gh + qr) * (gw * gw) + (c * gw + qc)] = ps.cosine[size_t(r * gw + c) * n + qr * gw + qc];
    HeatmapFigure f = values_heatmap(gw * gw, gh * gh, v, o, {-1.0f, 1.0f}, "cosine similarity (-1 .. 1)");
    const HeatmapLayout hl = layout_heatmap(f, {0, top, w, h - top - bottom_lines_height(o, t, w)}, layout_style(t, LayoutSize::Large));
    add_heatmap(dl, f, hl, t, -1, LayoutSize::Large);
    const float tw = hl.grid.w / float(gw), th = hl.grid.h / float(gh);
    for (int c = 1; c < gw; ++c)
        dl.add(LineItem{hl.grid.x + tw * float(c), hl.grid.y, hl.grid.x + tw * float(c), hl.grid.bottom(), t.background, 1.5f});
    for (int r = 1; r < gh; ++r)
        dl.add(LineItem{hl.grid.x, hl.grid.y + th * float(r), hl.grid.right(), hl.grid.y + th * float(r), t.background, 1.5f});
    b.panels.push_back({hl, f.grid_w, f.grid_h, 0, sel.head});
    b.figure = f;
    add_bottom_lines(dl, in, sel, o, t);
    return b;
}

BuiltFigure build_filters_figure(const FigureInputs& in, const FigureSelection& sel, const FigureOptions& o,
                                 const Theme& t, float w, float h) {
    if (!in.model || !in.model->vit)
        return note_figure(in, sel, o, t, w, h, "Patch filters as pictures belong to ViT-family models.");
    const FilterComponents fc = patch_filter_components(*in.model->vit, 28);
    BuiltFigure b;
    b.list = figure_list(in, sel, o, t, w, h, "vitscope patch filter components");
    DrawList& dl = b.list;
    const float top = heading(dl, "Principal components of the patch embedding filters (ViT paper, Fig. 7 left)",
                              "the first " + std::to_string(fc.tiles.size()) + " components of the " +
                                  std::to_string(fc.patch_size) + "×" + std::to_string(fc.patch_size) +
                                  "×3 filters, each scaled to its own range, by decreasing variance",
                              t);
    const int n = int(fc.tiles.size()), cols = 7, rows = (n + cols - 1) / cols;
    const float avail_h = h - top - bottom_lines_height(o, t, w) - 8;
    const float side = std::max(4.0f, std::min((w - 20) / float(cols), avail_h / float(std::max(rows, 1))) - 6);
    const int P = fc.patch_size;
    for (int i = 0; i < n; ++i) {
        FigureImage img;
        img.width = P;
        img.height = P;
        img.rgba.resize(size_t(P) * P * 4);
        for (int p = 0; p < P * P; ++p) {
            for (int ch = 0; ch < 3; ++ch)
                img.rgba[size_t(p) * 4 + ch] =
                    uint8_t(std::lround(std::clamp(fc.tiles[size_t(i)][size_t(p) * 3 + ch], 0.0f, 1.0f) * 255.0f));
            img.rgba[size_t(p) * 4 + 3] = 255;
        }
        const int id = dl.add_image(std::move(img));
        ImageItem it;
        it.rect = {10 + float(i % cols) * (side + 6), top + float(i / cols) * (side + 6), side, side};
        it.image = id;
        it.smooth = false;
        dl.add(it);
    }
    add_bottom_lines(dl, in, sel, o, t);
    return b;
}

}  // namespace vitscope
