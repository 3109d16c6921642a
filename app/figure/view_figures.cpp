#include "view_figures.h"

#include "attention_map_figure.h"

#include "attention_stats.h"
#include "figure_frame.h"
#include "figure_parts.h"
#include "kept_attention_note.h"
#include "swin_explained_figures.h"
#include "analysis_figures.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace vitscope {

namespace {

constexpr const char* kViewNames[kNumFigureViews] = {"image",   "heads",  "matrix", "query", "windows",  "predictions",
                                                     "compare", "shift",  "logits", "bias",  "hierarchy",
                                                     "rollout", "distance", "saturation", "sandbox", "leakage",
                                                     "similarity", "posembed", "filters", "overview"};

}  // namespace

FigureSelection clamp_selection(const FigureInputs& in, FigureSelection s) {
    const int L = in.num_layers();
    if (L <= 0) return s;
    s.layer = std::clamp(s.layer, 0, L - 1);
    const int H = in.num_heads(s.layer);
    if (s.head != kMeanOfHeads) s.head = std::clamp(s.head, 0, std::max(H - 1, 0));
    s.query = std::clamp(s.query, 0, std::max(in.num_query_tokens() - 1, 0));
    return s;
}

namespace {

int add_photo(DrawList& dl, const FigureInputs& in, const FigureOptions& o) {
    if (!o.show_photo || in.image.width <= 0) return -1;
    return dl.add_image(in.image);
}

// The main heatmap of the Image view, for one trace (current or baseline).
HeatmapFigure image_heatmap(const FigureInputs& in, bool baseline, const FigureSelection& s, const FigureStyle& style) {
    return attention_map_figure(*attention_source(in, baseline), s.layer, s.head, s.query, style);
}

// The options zero this head's output in this layer (block): ablated and inside the layer range.
bool head_ablated(const FigureInputs& in, int layer, int head) {
    const AttentionOptions* a = in.vit ? &in.vit->options : in.swin ? &in.swin->options : nullptr;
    if (!a || head < 0) return false;
    const bool in_range = layer >= a->first_layer && (a->last_layer < 0 || layer <= a->last_layer);
    return in_range && std::find(a->ablated_heads.begin(), a->ablated_heads.end(), head) != a->ablated_heads.end();
}

// ---- Image ---------------------------------------------------------------------------------------

BuiltFigure image_view(const FigureInputs& in, const FigureSelection& s, const FigureOptions& o, const Theme& t,
                       float w, float h) {
    BuiltFigure b;
    b.list = figure_list(in, s, o, t, w, h);
    DrawList& dl = b.list;
    b.figure = image_heatmap(in, false, s, o.style);
    HeatmapFigure& f = b.figure;
    if (head_ablated(in, s.layer, s.head)) {
        f.ablated = true;
        f.title += " · ablated (output zeroed)";
    }
    if (o.hover_token >= 0) {
        const int S = int(f.side_values.size());  // special tokens come first
        if (o.hover_token < S)
            f.side_flags[size_t(o.hover_token)] |= kCellHover;
        else if (size_t(o.hover_token - S) < f.cell_flags.size())
            f.cell_flags[size_t(o.hover_token - S)] |= kCellHover;
    }
    SwinPartition part;
    if (in.swin) {
        part = swin_partition(*in.swin, s.layer);
        // Without the shift mask, the keys of the query's window in another region are what the mask
        // would have cut: highlight them.
        const SwinQuery q = swin_query(*in.swin, s.layer, s.query);
        const size_t qi = size_t(q.row) * part.grid_w + q.col;
        if (!in.swin->swin_options.shift_mask && !part.region_of.empty() && qi < part.region_of.size())
            for (size_t i = 0; i < part.region_of.size() && i < f.cell_flags.size(); ++i)
                if (part.window_of[i] == part.window_of[qi] && part.region_of[i] != part.region_of[qi])
                    f.cell_flags[i] |= kCellHighlight;
    }
    const int photo = add_photo(dl, in, o);
    const RectF box{0, 0, w, h - bottom_lines_height(o, t, w)};
    const HeatmapLayout l = layout_heatmap(f, box, layout_style(t, LayoutSize::Large));
    add_heatmap(dl, f, l, t, photo, LayoutSize::Large);
    if (in.swin) add_swin_partition(dl, part, l.grid, o.swin_regions, false, t);
    b.panels.push_back({l, f.grid_w, f.grid_h, int(f.side_values.size()), s.head});
    add_bottom_lines(dl, in, s, o, t);
    return b;
}

// ---- Heads ---------------------------------------------------------------------------------------

BuiltFigure heads_view(const FigureInputs& in, const FigureSelection& s, const FigureOptions& o, const Theme& t,
                       float w, float h) {
    BuiltFigure b;
    b.list = figure_list(in, s, o, t, w, h);
    DrawList& dl = b.list;
    const int H = in.num_heads(s.layer);
    const int n = H + 1;  // every head and the mean
    const RectF box{0, 0, w, h - bottom_lines_height(o, t, w)};
    // The column count that gives the largest maps (each tile: a square map plus its colourbar).
    const LayoutStyle small = layout_style(t, LayoutSize::Small);
    const float bar = small.gap + small.colorbar_width + small.colorbar_labels;
    int cols = 1;
    float best = -1;
    for (int c = 1; c <= n; ++c) {
        const int r = (n + c - 1) / c;
        const float side = std::min(box.w / float(c) - bar - 2 * small.margin,
                                    box.h / float(r) - small.title_height - 2 * small.margin);
        if (side > best + 0.5f) {
            best = side;
            cols = c;
        }
    }
    const int rows = (n + cols - 1) / cols;
    const float tw = box.w / float(cols), th = box.h / float(std::max(rows, 1));
    const int photo = add_photo(dl, in, o);
    FigureStyle style = o.style;
    style.show_grid = false;
    SwinPartition part;
    if (in.swin) part = swin_partition(*in.swin, s.layer);
    for (int i = 0; i < n; ++i) {
        FigureSelection ts = s;
        ts.head = i == H ? kMeanOfHeads : i;
        HeatmapFigure f = image_heatmap(in, false, ts, style);
        f.title = ts.head == kMeanOfHeads ? "mean" : "head " + std::to_string(i);
        f.ablated = ts.head != kMeanOfHeads && head_ablated(in, s.layer, ts.head);
        if (f.ablated) f.title += " · ablated";
        // The thumbnails show patches only.
        f.side_values.clear();
        f.side_flags.clear();
        f.side_labels.clear();
        const RectF tile{box.x + float(i % cols) * tw, box.y + float(i / cols) * th, tw, th};
        const HeatmapLayout l = layout_heatmap(f, tile, layout_style(t, LayoutSize::Small));
        add_heatmap(dl, f, l, t, photo, LayoutSize::Small);
        if (in.swin) add_swin_partition(dl, part, l.grid, false, true, t);
        if (ts.head == s.head)
            dl.add(RectItem{{l.grid.x - 2, l.grid.y - 2, l.grid.w + 4, l.grid.h + 4}, {0, 0, 0, 0}, t.selection, 2.0f});
        b.panels.push_back({l, f.grid_w, f.grid_h, 0, ts.head});
        if (ts.head == s.head || (i == 0 && b.figure.grid_w == 0)) b.figure = f;
    }
    add_bottom_lines(dl, in, s, o, t);
    return b;
}

// ---- Overview ------------------------------------------------------------------------------------

BuiltFigure overview_view(const FigureInputs& in, const FigureSelection& s, const FigureOptions& o, const Theme& t,
                          float w, float h) {
    BuiltFigure b;
    b.list = figure_list(in, s, o, t, w, h);
    DrawList& dl = b.list;
    const int L = in.num_layers();
    int H = 0;
    for (int l = 0; l < L; ++l) H = std::max(H, in.num_heads(l));
    const float title_h = t.label_size * 1.8f;
    const std::string title = "every layer and head · query " + in.query_name(s.query) + " · colours " +
                              normalization_name(o.style.normalization);
    dl.add(TextItem{{8, 0, w - 16, title_h}, title, fitting_size(title, t.label_size, w - 16, 5.0f), t.text,
                    HAlign::Left, VAlign::Middle, true});
    if (L <= 0 || H <= 0) return b;
    const float label_w = text_width_estimate(in.swin ? "b00" : "L00", t.small_size) + 8;
    const float head_h = t.small_size * 1.6f;
    const RectF box{label_w, title_h + head_h, w - label_w - 4, h - bottom_lines_height(o, t, w) - title_h - head_h};
    // Square maps, as large as fit L rows of H columns.
    const float gap = 3;
    const float cell = std::max(1.0f, std::min((box.w - gap * float(H - 1)) / float(H), (box.h - gap * float(L - 1)) / float(L)));
    for (int hh = 0; hh < H; ++hh)
        dl.add(TextItem{{box.x + float(hh) * (cell + gap), title_h, cell, head_h}, "h" + std::to_string(hh),
                        std::min(t.small_size, std::max(5.0f, cell * 0.45f)), t.text_muted, HAlign::Center, VAlign::Middle});
    const int photo = add_photo(dl, in, o);
    FigureStyle style = o.style;
    style.show_grid = false;
    for (int l = 0; l < L; ++l) {
        const float y = box.y + float(l) * (cell + gap);
        dl.add(TextItem{{0, y, label_w - 4, cell}, (in.swin ? "b" : "L") + std::to_string(l),
                        std::min(t.small_size, std::max(5.0f, cell * 0.45f)), t.text_muted, HAlign::Right, VAlign::Middle});
        for (int hh = 0; hh < in.num_heads(l); ++hh) {
            FigureSelection ts{l, hh, s.query};
            HeatmapFigure f = image_heatmap(in, false, ts, style);
            f.side_values.clear();
            f.side_flags.clear();
            f.side_labels.clear();
            f.title.clear();
            f.show_colorbar = false;
            f.ablated = head_ablated(in, l, hh);
            HeatmapLayout lay;
            lay.grid = {box.x + float(hh) * (cell + gap), y, cell, cell};
            // Non-square maps keep their aspect inside the square.
            const float aspect = float(f.grid_w) / float(std::max(f.grid_h, 1));
            if (aspect > 1) lay.grid.h = cell / aspect, lay.grid.y += (cell - lay.grid.h) * 0.5f;
            if (aspect < 1) lay.grid.w = cell * aspect, lay.grid.x += (cell - lay.grid.w) * 0.5f;
            lay.cell = lay.grid.w / float(std::max(f.grid_w, 1));
            add_heatmap(dl, f, lay, t, photo, LayoutSize::Small);
            if (l == s.layer && hh == s.head)
                dl.add(RectItem{{lay.grid.x - 2, lay.grid.y - 2, lay.grid.w + 4, lay.grid.h + 4}, {0, 0, 0, 0}, t.selection,
                                2.0f});
            FigurePanel p{lay, f.grid_w, f.grid_h, 0, hh};
            p.layer = l;
            b.panels.push_back(p);
            if (l == s.layer && hh == s.head) b.figure = f;
        }
    }
    add_bottom_lines(dl, in, s, o, t);
    return b;
}

// ---- Matrix --------------------------------------------------------------------------------------

HeatmapFigure matrix_heatmap(const FigureInputs& in, const FigureSelection& s, const FigureStyle& style) {
    if (in.swin) return swin_matrix_figure(*in.swin, s.layer, s.head, s.query, style);
    return matrix_figure(*in.vit, s.layer, s.head, s.query, style);
}

void add_matrix_panel(DrawList& dl, BuiltFigure& b, const FigureInputs& in, const FigureSelection& s,
                      const FigureOptions& o, const Theme& t, RectF box) {
    HeatmapFigure f = matrix_heatmap(in, s, o.style);
    HeatmapLayout l = layout_heatmap(f, box, layout_style(t, LayoutSize::Large));
    const RectF clip = l.grid;
    l.grid = {l.grid.x + o.matrix_pan_x, l.grid.y + o.matrix_pan_y, l.grid.w * o.matrix_zoom, l.grid.h * o.matrix_zoom};
    add_heatmap(dl, f, l, t, -1, LayoutSize::Large, o.matrix_zoom != 1.0f ? clip : RectF{});
    b.panels.push_back({l, f.grid_w, f.grid_h, 0, s.head});
    b.figure = std::move(f);
}

BuiltFigure matrix_view(const FigureInputs& in, const FigureSelection& s, const FigureOptions& o, const Theme& t,
                        float w, float h) {
    BuiltFigure b;
    b.list = figure_list(in, s, o, t, w, h);
    add_matrix_panel(b.list, b, in, s, o, t, {0, 0, w, h - bottom_lines_height(o, t, w)});
    add_bottom_lines(b.list, in, s, o, t);
    return b;
}

// ---- Query row -----------------------------------------------------------------------------------

BuiltFigure query_view(const FigureInputs& in, const FigureSelection& s, const FigureOptions& o, const Theme& t,
                       float w, float h) {
    BuiltFigure b;
    b.list = figure_list(in, s, o, t, w, h);
    const QueryRowData q = query_row_data(in, s);
    add_query_chart(b.list, q, {0, 0, w, h - bottom_lines_height(o, t, w)}, t);
    b.figure.grid_w = int(q.row.size());
    b.figure.grid_h = 1;
    b.figure.values = q.row;
    add_bottom_lines(b.list, in, s, o, t);
    return b;
}

// ---- Windows (Swin) ------------------------------------------------------------------------------

BuiltFigure windows_view(const FigureInputs& in, const FigureSelection& s, const FigureOptions& o, const Theme& t,
                         float w, float h) {
    if (!in.swin) {
        BuiltFigure b;
        b.list = figure_list(in, s, o, t, w, h);
        add_note(b.list, {0, 0, w, h}, "Windows exist only in Swin models: this is a " +
                                          std::string(in.vit ? "ViT-family" : "missing") + " model.", t);
        return b;
    }
    BuiltFigure b;
    b.list = figure_list(in, s, o, t, w, h);
    DrawList& dl = b.list;
    const float content_h = h - bottom_lines_height(o, t, w);
    const int photo = add_photo(dl, in, o);
    HeatmapFigure f = image_heatmap(in, false, s, o.style);
    f.title = swin_block_name(*in.swin, s.layer) + " · windows and shift regions";
    const HeatmapLayout l = layout_heatmap(f, {0, 0, w * 0.5f, content_h}, layout_style(t, LayoutSize::Large));
    add_heatmap(dl, f, l, t, photo, LayoutSize::Large);
    add_swin_partition(dl, swin_partition(*in.swin, s.layer), l.grid, true, false, t);
    b.panels.push_back({l, f.grid_w, f.grid_h, 0, s.head});
    add_matrix_panel(dl, b, in, s, o, t, {w * 0.5f, 0, w * 0.5f, content_h});
    b.figure = f;
    add_bottom_lines(dl, in, s, o, t);
    return b;
}

// ---- Predictions ---------------------------------------------------------------------------------

const RowVector* logits_of(const FigureInputs& in, bool baseline) {
    if (in.swin) {
        const auto& t = baseline && in.swin_baseline ? in.swin_baseline : in.swin;
        return &t->logits;
    }
    if (in.vit) {
        const auto& t = baseline && in.vit_baseline ? in.vit_baseline : in.vit;
        return &t->logits;
    }
    return nullptr;
}

bool options_differ(const FigureInputs& in) {
    if (in.swin) return !(in.swin->options.is_paper_default() && in.swin->swin_options == SwinOptions{});
    if (in.vit) return !in.vit->options.is_paper_default();
    return false;
}

BuiltFigure predictions_view(const FigureInputs& in, const FigureSelection& s, const FigureOptions& o, const Theme& t,
                             float w, float h) {
    BuiltFigure b;
    b.list = figure_list(in, s, o, t, w, h);
    const RectF box{0, 0, w, h - bottom_lines_height(o, t, w)};
    const RowVector* cur = logits_of(in, false);
    const RowVector* base = logits_of(in, true);
    if (!cur || cur->size() == 0) {
        add_note(b.list, box, cur ? "This model has no classifier." : "No prediction yet.", t);
    } else if (options_differ(in) && base && base != cur && base->size() == cur->size()) {
        add_predictions(b.list, {box.x, box.y, box.w * 0.5f, box.h}, "with the current options", *cur, base,
                        in.labels, t);
        add_predictions(b.list, {box.x + box.w * 0.5f, box.y, box.w * 0.5f, box.h}, "paper defaults", *base, nullptr,
                        in.labels, t);
    } else {
        add_predictions(b.list, box, "top-5 (paper defaults)", *cur, nullptr, in.labels, t);
    }
    add_bottom_lines(b.list, in, s, o, t);
    return b;
}

// ---- Compare: the paper's attention beside the current options -------------------------------------

std::string options_summary(const FigureInputs& in) {
    const AttentionOptions& a = in.swin ? in.swin->options : in.vit->options;
    std::vector<std::string> parts;
    if (a.scale_mode != ScaleMode::InvSqrtHeadDim)
        parts.push_back(a.scale_mode == ScaleMode::None ? "no 1/sqrt(d_k) scaling" : "scale 1/sqrt(d_model)");
    if (a.temperature != 1.0f) parts.push_back("temperature " + format_number("%g", double(a.temperature)));
    if (!a.masked_keys.empty()) parts.push_back(std::to_string(a.masked_keys.size()) + " keys masked");
    if (a.causal) parts.push_back("causal mask");
    if (!a.padding_mask) parts.push_back("padding not masked");
    if (!a.ablated_heads.empty()) parts.push_back(std::to_string(a.ablated_heads.size()) + " heads ablated");
    if (in.swin) {
        const SwinOptions& so = in.swin->swin_options;
        if (!so.shift) parts.push_back("no shift");
        if (!so.shift_mask) parts.push_back("no shift mask");
        if (!so.relative_position_bias) parts.push_back("no relative bias");
    }
    if (parts.empty()) return "paper defaults";
    std::string s;
    for (size_t i = 0; i < parts.size(); ++i) s += (i ? ", " : "") + parts[i];
    return s;
}

BuiltFigure compare_view(const FigureInputs& in, const FigureSelection& s, const FigureOptions& o, const Theme& t,
                         float w, float h) {
    BuiltFigure b;
    b.list = figure_list(in, s, o, t, w, h);
    DrawList& dl = b.list;
    const float content_h = h - bottom_lines_height(o, t, w);
    const int photo = add_photo(dl, in, o);
    HeatmapFigure base = image_heatmap(in, true, s, o.style);
    HeatmapFigure cur = image_heatmap(in, false, s, o.style);
    // One colour scale for both maps, so that a flatter or sharper map shows as such.
    if (o.style.normalization != Normalization::RawFixed) {
        const ValueRange r = effective_range(merge_ranges(base.value_range, cur.value_range), o.style.log_scale);
        for (HeatmapFigure* f : {&base, &cur}) {
            f->value_range = r;
            f->ticks = colorbar_ticks(r, o.style.log_scale);
        }
    }
    const std::string layer = in.layer_name(s.layer);
    const std::string head = s.head == kMeanOfHeads ? "mean of heads" : "head " + std::to_string(s.head);
    base.title = "paper defaults · " + layer + " · " + head;
    cur.title = options_summary(in) + " · " + layer + " · " + head;
    const float top_h = content_h * 0.68f;
    const RowVector* lb = logits_of(in, true);
    const RowVector* lc = logits_of(in, false);
    const bool with_predictions = lc && lc->size() > 0;
    for (int side = 0; side < 2; ++side) {
        const HeatmapFigure& f = side == 0 ? base : cur;
        const float x0 = side == 0 ? 0 : w * 0.5f;
        const HeatmapLayout l =
            layout_heatmap(f, {x0, 0, w * 0.5f, with_predictions ? top_h : content_h - 24}, layout_style(t, LayoutSize::Large));
        add_heatmap(dl, f, l, t, photo, LayoutSize::Large);
        if (in.swin) add_swin_partition(dl, swin_partition(side == 0 && in.swin_baseline ? *in.swin_baseline : *in.swin, s.layer), l.grid, false, true, t);
        b.panels.push_back({l, f.grid_w, f.grid_h, int(f.side_values.size()), s.head});
        std::vector<float> all = f.side_values;
        all.insert(all.end(), f.values.begin(), f.values.end());
        const RowPeak pk = attention_peak(all);
        const std::string stats = "entropy " + format_number("%.3f", attention_entropy(all)) + " nats · max " +
                                  format_number("%.4f", double(pk.value));
        const float sy = l.grid.bottom() + 4;
        dl.add(TextItem{{x0 + 8, sy, w * 0.5f - 16, t.label_size * 1.5f}, stats, t.label_size, t.text, HAlign::Center,
                        VAlign::Middle});
        if (with_predictions) {
            const RowVector* logits = side == 0 ? lb : lc;
            const float py = sy + t.label_size * 1.6f;
            add_predictions(dl, {x0, py, w * 0.5f, content_h - py}, side == 0 ? "top-5, paper defaults" : "top-5, current",
                            *logits, side == 1 ? lb : nullptr, in.labels, t);
        }
    }
    b.figure = cur;
    add_bottom_lines(dl, in, s, o, t);
    return b;
}

}  // namespace

const char* figure_view_name(FigureView v) { return kViewNames[int(v)]; }

bool parse_figure_view(const std::string& s, FigureView& out) {
    for (int i = 0; i < kNumFigureViews; ++i)
        if (s == kViewNames[i]) {
            out = FigureView(i);
            return true;
        }
    return false;
}

namespace {

int vit_patch_size(const FigureInputs& in) {
    if (in.model && in.model->vit) return in.model->vit->hp.patch_size;
    if (in.vit && in.vit->grid_width > 0 && in.image.width > 0) return in.image.width / in.vit->grid_width;
    return 16;
}

}  // namespace

std::optional<AttentionSource> attention_source(const FigureInputs& in, bool baseline) {
    if (in.swin) return AttentionSource(baseline && in.swin_baseline ? *in.swin_baseline : *in.swin);
    if (in.vit) return AttentionSource(baseline && in.vit_baseline ? *in.vit_baseline : *in.vit, vit_patch_size(in));
    return std::nullopt;
}

int FigureInputs::num_layers() const {
    if (swin) return int(swin->blocks.size());
    if (vit) return int(vit->layers.size());
    return 0;
}

int FigureInputs::num_heads(int layer) const {
    if (swin) return swin->blocks.empty() ? 0 : swin->blocks[size_t(std::clamp(layer, 0, num_layers() - 1))].num_heads;
    if (vit) return vit->num_heads;
    return 0;
}

int FigureInputs::num_query_tokens() const {
    if (swin) return swin->grid_width * swin->grid_height;
    if (vit) return vit->num_tokens;
    return 0;
}

std::string FigureInputs::query_name(int q) const {
    if (swin) {
        const int W = std::max(swin->grid_width, 1);
        return "patch " + std::to_string(q) + " (" + std::to_string(q / W) + ", " + std::to_string(q % W) + ")";
    }
    if (vit) {
        if (q < vit->num_prefix) return vit->token_name(q);
        const int p = q - vit->num_prefix, W = std::max(vit->grid_width, 1);
        return "patch " + std::to_string(p) + " (" + std::to_string(p / W) + ", " + std::to_string(p % W) + ")";
    }
    return "";
}

std::string FigureInputs::layer_name(int layer) const {
    if (swin) return swin_block_name(*swin, layer);
    return "layer " + std::to_string(layer);
}

std::map<std::string, std::string> provenance_metadata(const FigureInputs& in, const FigureSelection& sel0) {
    std::map<std::string, std::string> m;
    if (!in.has_trace()) return m;
    const FigureSelection s = clamp_selection(in, sel0);
    const AttentionOptions& a = in.swin ? in.swin->options : in.vit->options;
    m["model"] = in.model_name;
    m["image"] = in.image_name;
    if (!in.preprocess.empty()) m["preprocess"] = in.preprocess;
    m["layer"] = in.layer_name(s.layer);
    m["head"] = s.head == kMeanOfHeads ? "mean" : std::to_string(s.head);
    m["query"] = in.query_name(s.query);
    m["scale"] = a.scale_mode == ScaleMode::InvSqrtHeadDim ? "1/sqrt(d_head)"
                 : a.scale_mode == ScaleMode::InvSqrtModelDim ? "1/sqrt(d_model)"
                                                              : "none";
    m["temperature"] = format_number("%g", double(a.temperature));
    std::string masks;
    auto add = [&](const std::string& x) { masks += (masks.empty() ? "" : ", ") + x; };
    if (!a.masked_keys.empty()) {
        std::string keys;
        for (size_t i = 0; i < a.masked_keys.size(); ++i) keys += (i ? " " : "") + std::to_string(a.masked_keys[i]);
        add("keys " + keys);
    }
    if (a.causal) add("causal");
    if (!a.padding_mask) add("padding unmasked");
    if (!a.ablated_heads.empty()) add(std::to_string(a.ablated_heads.size()) + " heads ablated");
    if (a.first_layer != 0 || a.last_layer >= 0)
        add("options on layers " + std::to_string(a.first_layer) + "-" +
            (a.last_layer < 0 ? std::string("last") : std::to_string(a.last_layer)));
    if (in.swin) {
        const SwinOptions& so = in.swin->swin_options;
        if (!so.shift) add("no shift");
        if (!so.shift_mask) add("no shift mask");
        if (!so.relative_position_bias) add("no relative bias");
    }
    m["masks"] = masks.empty() ? "none" : masks;
    m["version"] = "vitscope " VITSCOPE_VERSION;
    return m;
}

std::string provenance_text(const FigureInputs& in, const FigureSelection& sel) {
    const auto m = provenance_metadata(in, sel);
    if (m.empty()) return "vitscope " VITSCOPE_VERSION;
    auto get = [&](const char* k) {
        auto it = m.find(k);
        return it == m.end() ? std::string() : it->second;
    };
    return "model " + get("model") + " · image " + get("image") + " · " + get("layer") + " · head " + get("head") +
           " · query " + get("query") + " · scale " + get("scale") + " · temperature " + get("temperature") +
           " · masks: " + get("masks") + " · " + get("version");
}

BuiltFigure build_view_figure(FigureView view, const FigureInputs& in, const FigureSelection& sel0,
                              const FigureOptions& opt, const Theme& theme, float width, float height) {
    if (!in.has_trace() || in.num_layers() == 0) {
        BuiltFigure b;
        b.list = figure_list(in, sel0, opt, theme, width, height);
        add_note(b.list, {0, 0, width, height}, "No attention yet", theme);
        return b;
    }
    const FigureSelection s = clamp_selection(in, sel0);
    BuiltFigure b;
    if (const std::string note = attention_not_kept_note(view, in, s); !note.empty()) {
        b = note_figure(in, s, opt, theme, width, height, note);
        b.list.title = std::string("vitscope ") + figure_view_name(view) + " figure";
        return b;
    }
    switch (view) {
        case FigureView::Image: b = image_view(in, s, opt, theme, width, height); break;
        case FigureView::Heads: b = heads_view(in, s, opt, theme, width, height); break;
        case FigureView::Matrix: b = matrix_view(in, s, opt, theme, width, height); break;
        case FigureView::Query: b = query_view(in, s, opt, theme, width, height); break;
        case FigureView::Windows: b = windows_view(in, s, opt, theme, width, height); break;
        case FigureView::Predictions: b = predictions_view(in, s, opt, theme, width, height); break;
        case FigureView::Compare: b = compare_view(in, s, opt, theme, width, height); break;
        case FigureView::Shift:
            b = build_swin_shift_figure(in, s, SwinShiftStep(std::clamp(opt.swin_step, 0, kSwinShiftSteps - 1)), opt,
                                        theme, width, height);
            break;
        case FigureView::Logits: b = build_logit_terms_figure(in, s, opt, theme, width, height); break;
        case FigureView::Bias: b = build_swin_bias_figure(in, s, opt, theme, width, height); break;
        case FigureView::Hierarchy: b = build_swin_hierarchy_figure(in, s, opt, theme, width, height); break;
        case FigureView::Rollout: b = build_rollout_figure(in, s, opt, theme, width, height); break;
        case FigureView::Distance: b = build_distance_figure(in, s, opt, theme, width, height); break;
        case FigureView::Saturation: b = build_saturation_figure(in, s, opt, theme, width, height); break;
        case FigureView::Sandbox: b = build_sandbox_figure(in, s, opt, theme, width, height); break;
        case FigureView::Leakage: b = build_leakage_figure(in, s, opt, theme, width, height); break;
        case FigureView::HeadSimilarity: b = build_head_similarity_figure(in, s, opt, theme, width, height); break;
        case FigureView::PosEmbed: b = build_posembed_figure(in, s, opt, theme, width, height); break;
        case FigureView::Filters: b = build_filters_figure(in, s, opt, theme, width, height); break;
        case FigureView::Overview: b = overview_view(in, s, opt, theme, width, height); break;
    }
    b.list.title = std::string("vitscope ") + figure_view_name(view) + " figure";
    return b;
}

OverviewStats overview_stats(const FigureInputs& in, int layer, int head, int query) {
    OverviewStats st;
    st.mean_distance_px = std::nan("");
    if (!in.has_trace()) return st;
    const FigureSelection sel = clamp_selection(in, {layer, head, query});
    const QueryRowData q = query_row_data(in, sel);
    st.entropy = q.entropy;
    st.uniform_entropy = q.uniform_entropy;
    if (in.vit && sel.query >= in.vit->num_prefix) {
        const ViTTrace& t = *in.vit;
        const int W = std::max(t.grid_width, 1);
        const float patch_px = in.model && in.model->vit ? float(in.model->vit->hp.patch_size)
                               : in.image.width > 0   ? float(in.image.width) / float(W)
                                                      : 1.0f;
        const int qp = sel.query - t.num_prefix;
        double num = 0, den = 0;
        for (int k = t.num_prefix; k < int(q.row.size()); ++k) {
            const int kp = k - t.num_prefix;
            const double d = std::hypot(double(kp / W - qp / W), double(kp % W - qp % W)) * patch_px;
            num += double(q.row[size_t(k)]) * d;
            den += double(q.row[size_t(k)]);
        }
        if (den > 0) st.mean_distance_px = num / den;
    }
    return st;
}

std::vector<Prediction> top_predictions(const RowVector& logits, const std::vector<std::string>& labels, int k) {
    std::vector<Prediction> out;
    const int n = int(logits.size());
    if (n == 0) return out;
    std::vector<double> p(static_cast<size_t>(n));
    const double m = double(logits.maxCoeff());
    double sum = 0;
    for (int i = 0; i < n; ++i) {
        const double e = std::exp(double(logits[i]) - m);
        p[size_t(i)] = std::isfinite(e) ? e : 0.0;  // non-finite logits sort last instead of breaking the order
        sum += p[size_t(i)];
    }
    if (!(sum > 0)) sum = 1;
    std::vector<int> idx(static_cast<size_t>(n));
    std::iota(idx.begin(), idx.end(), 0);
    k = std::clamp(k, 0, n);
    std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), [&](int a, int b) { return p[size_t(a)] > p[size_t(b)]; });
    for (int i = 0; i < k; ++i) {
        const int c = idx[size_t(i)];
        out.push_back({c, float(p[size_t(c)] / sum),
                       size_t(c) < labels.size() && !labels[size_t(c)].empty() ? labels[size_t(c)]
                                                                               : "class " + std::to_string(c)});
    }
    return out;
}

}  // namespace vitscope
