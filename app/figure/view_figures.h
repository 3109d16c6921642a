// Every view of vitscope as one function from plain data to a DrawList: the live GL views, the
// exporters (PNG/SVG/PDF), the clipboard, the teaching sheet, the layer sweep and the CLI's
// `figure` command all call these, so what is exported is what is on screen.
#pragma once

#include "draw_list.h"
#include "attention_rollout.h"
#include "attention_source.h"
#include "heatmap_figure.h"
#include "model_loader.h"
#include "swin_figure.h"
#include "theme.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vitscope {

enum class FigureView {
    Image,        // the query's attention over the image (ViT: + special tokens; Swin: + windows)
    Heads,        // every head of the layer (block) plus their mean
    Matrix,       // the N x N matrix (Swin: the query window's M^2 x M^2 matrix)
    Query,        // the query's row as a bar chart, entropy and peak
    Windows,      // Swin: the window partition with regions, beside the window matrix
    Predictions,  // top-5 (and the paper-default top-5 when options differ)
    Compare,      // paper defaults beside the current options: map, entropy, top-5 under each
    Shift,        // Swin: one step of the cyclic shift (FigureOptions::swin_step)
    Logits,       // the query's logits taken apart: q·k, relative position bias, shift mask; softmax
    Bias,         // Swin: a head's relative position bias table, its window matrix, seen from the query
    Hierarchy,    // Swin: the stages side by side with the patch merging between them
    Rollout,      // ViT: attention rollout from the first special token over the image
    Distance,     // mean attention distance per head against depth (ViT paper Fig. 7 right)
    Saturation,   // entropy, peak and softmax-Jacobian norm per layer and head, current vs paper
    Sandbox,      // random q, k: the spread of q·k against d_k, a softmax row with and without 1/sqrt(d_k)
    Leakage,      // the share of attention on padding keys per layer and head
    HeadSimilarity,  // the heads' JS divergence in the layer, and each head ablated
    PosEmbed,     // ViT: cosine similarity of the position embeddings (Fig. 7 centre)
    Filters,      // ViT: principal components of the patch filters (Fig. 7 left)
    Overview,     // every layer x head as a small map for the query (BertViz's "model view" for images)
};
constexpr int kNumFigureViews = 20;
// "image", "heads", "matrix", "query", "windows", "predictions", "compare", "shift", "logits", "bias",
// "hierarchy", "rollout", "distance", "saturation", "sandbox", "leakage", "similarity", "posembed", "filters",
// "overview"
const char* figure_view_name(FigureView v);
bool parse_figure_view(const std::string& s, FigureView& out);

// What the figures are drawn from (the session's state as plain data). Exactly one of vit / swin
// is set; the baselines are the traces under the paper's default options (may equal the traces).
struct FigureInputs {
    std::shared_ptr<const ViTTrace> vit, vit_baseline;
    std::shared_ptr<const SwinTrace> swin, swin_baseline;
    std::shared_ptr<const LoadedModel> model;  // for views of the weights (bias tables); may be null
    FigureImage image;                 // the model's input, de-normalised (may be empty)
    std::vector<std::string> labels;   // class names (may be shorter than the class count)
    std::string model_name, image_name;
    std::string preprocess;            // "crop", "resize", "pad"

    bool has_trace() const { return vit || swin; }
    int num_layers() const;              // ViT layers, or Swin blocks (global)
    int num_heads(int layer) const;      // heads in that layer / block
    int num_query_tokens() const;        // ViT: tokens; Swin: stage-0 patches
    std::string query_name(int query) const;  // "CLS", "patch 17 (1, 3)"
    std::string layer_name(int layer) const;  // "layer 3", "stage 1 · block 0 (SW-MSA)"
};

struct FigureSelection {
    int layer = 0;
    int head = 0;   // kMeanOfHeads for the mean
    int query = 0;  // ViT: token; Swin: stage-0 patch
};

// The model-neutral reader of the inputs' traces (the baseline when `baseline` and there is one);
// empty without a trace.
std::optional<AttentionSource> attention_source(const FigureInputs& in, bool baseline = false);

// The selection moved into range: layer, head (mean stays mean), query.
FigureSelection clamp_selection(const FigureInputs& in, FigureSelection sel);

struct FigureOptions {
    FigureStyle style;
    bool show_photo = true;        // the image under the heatmaps
    bool swin_regions = false;     // tint and label the shift regions
    bool provenance = true;        // the caption line with model, image, layer, options, version
    std::string caption;           // the user's caption (a line above the provenance)
    // Live-view decorations (none in exports).
    int hover_token = -1;          // Image view: ViT token / Swin token of the shown map under the mouse
    float matrix_zoom = 1.0f;      // Matrix view: zoom and pan of the grid (figure px)
    float matrix_pan_x = 0, matrix_pan_y = 0;
    std::string hint;              // a muted line at the bottom (the live views' usage hints)
    int swin_step = 0;             // Shift view: the step (SwinShiftStep, 0..4)
    RolloutOptions rollout;        // Rollout view: head fusion, discard ratio, start layer
    int sandbox_dk = 64;           // Sandbox view: d_k of the softmax row
};

// Where the interactive parts of a built figure lie (for hit testing in the live views).
struct FigurePanel {
    HeatmapLayout layout;
    int grid_w = 0, grid_h = 0;   // cells of the panel's grid
    int num_side = 0;             // special-token cells
    int head = 0;                 // the head the panel shows (heads grid tiles)
    int layer = -1;               // the layer (block) it shows (Overview tiles; -1: the selection's)
};

struct BuiltFigure {
    DrawList list;
    std::vector<FigurePanel> panels;
    HeatmapFigure figure;  // the main panel's heatmap (values, flags), for readouts and CSV
};

// Builds `view` at width x height figure px. Selection values are clamped into range. A view that
// does not apply (Windows on a ViT) draws a one-line note instead.
BuiltFigure build_view_figure(FigureView view, const FigureInputs& in, const FigureSelection& sel,
                              const FigureOptions& opt, const Theme& theme, float width, float height);

// The provenance line: "model … · image … · layer 3 · head 1 · query CLS · scale 1/sqrt(d_head) ·
// temperature 1 · masks: none · vitscope 0.1.0", and the same as key/value pairs for metadata.
std::string provenance_text(const FigureInputs& in, const FigureSelection& sel);
std::map<std::string, std::string> provenance_metadata(const FigureInputs& in, const FigureSelection& sel);

// The teaching sheet: a title page, then one page per layer (Swin: per block) with every head's map
// for the query plus the mean, the selected head's matrix and the predictions. Pages are
// page_width x page_height figure px (A4 landscape at 96 px/inch by default).
std::vector<DrawList> build_teaching_sheet(const FigureInputs& in, const FigureSelection& sel,
                                           const FigureOptions& opt, const Theme& theme,
                                           float page_width = 1123, float page_height = 794);

// The layer sweep: the Image view at every layer (Swin: block) for the query and head, in order.
std::vector<DrawList> build_layer_sweep(const FigureInputs& in, const FigureSelection& sel, const FigureOptions& opt,
                                        const Theme& theme, float width, float height);

// The numbers a view draws, as CSV. Heads: "head,p0,p1,..." then one line per head and a "mean"
// line (the query's attention to every token, token 0 = the first special token; Swin: the window's
// slots). Matrix: the N x N (Swin: M^2 x M^2) matrix of the selected head, one row per line.
// Image/Query/Compare/Windows: "token,attention" rows of the shown map. Predictions: "rank,class,p".
std::string view_csv(FigureView view, const FigureInputs& in, const FigureSelection& sel);

// One map of the Overview: the query's attention entropy in (layer, head) (nats, over its keys, with
// ln(keys) for uniform) and its mean attention distance in input pixels (ViT: over patch keys, from a
// patch query; NaN for a special-token query and for Swin).
struct OverviewStats {
    double entropy = 0, uniform_entropy = 0;
    double mean_distance_px = 0;
};
OverviewStats overview_stats(const FigureInputs& in, int layer, int head, int query);

// Top-k of softmax(logits): clamped to the class count.
struct Prediction {
    int cls = 0;
    float p = 0;
    std::string label;
};
std::vector<Prediction> top_predictions(const RowVector& logits, const std::vector<std::string>& labels, int k);

}  // namespace vitscope
