// A heatmap as plain data (values, marks, colour choices) and where its parts go in a box; the view
// builders (view_figures.h) turn it into DrawList items.
#pragma once

#include "cell_marks.h"
#include "colormap.h"
#include "draw_list.h"
#include "normalization.h"
#include "vit_forward.h"

#include <cstdint>
#include <string>
#include <vector>

namespace vitscope {

struct HeatmapFigure {
    int grid_w = 0, grid_h = 0;
    std::vector<float> values;         // [grid_h, grid_w] row-major, raw values
    std::vector<uint8_t> cell_flags;   // [grid_h, grid_w] CellFlag bits (empty: none)
    // Special tokens (CLS, DIST, registers), drawn as a column of extra cells left of the grid.
    std::vector<float> side_values;
    std::vector<uint8_t> side_flags;
    std::vector<std::string> side_labels;

    Colormap colormap = Colormap::Viridis;
    ValueRange value_range;            // effective range (see effective_range)
    bool log_scale = false;
    Normalization normalization = Normalization::PerMap;
    Sampling sampling = Sampling::Nearest;
    float opacity = 0.6f;              // heatmap over the image: 0 = image only, 1 = colours only
    bool show_image = true;            // draw over the image texture (false: over a dark background)
    bool show_grid = true;             // patch grid lines
    bool show_colorbar = true;
    std::string title;
    std::vector<ColorbarTick> ticks;
    // A special token (CLS, DIST, registers) above the range: its cell is drawn at the colormap's top
    // and the colourbar gets an over-range mark (a triangle, as matplotlib's `extend`) with this label,
    // e.g. "CLS 0.245". Empty: nothing above the range.
    std::string over_label;
    // A head whose output the options zero (ablation): the tile says so ("ablated").
    bool ablated = false;
    // Matrix figures: the layer token each row (and column) stands for, -1 for a Swin window's padding
    // slot (AttentionSource numbering). Empty for maps over the image.
    std::vector<int> matrix_tokens;

    int num_cells() const { return grid_w * grid_h; }
};

// Where the parts of a figure go inside a box (pixels, origin top-left).
struct HeatmapLayout {
    RectF grid;       // the image / patch grid
    RectF side;       // the special-token column (empty when there are none)
    RectF colorbar;   // vertical bar right of the grid (empty when hidden)
    RectF title;      // text line above the grid (empty without a title)
    float cell = 0;   // side length of one side cell
};

struct LayoutStyle {
    float margin = 6;
    float gap = 6;
    float colorbar_width = 14;
    float colorbar_labels = 44;  // room for tick labels right of the bar
    float title_height = 16;
};

HeatmapLayout layout_heatmap(const HeatmapFigure& f, RectF box, const LayoutStyle& style = {});
// The narrowest box width at which layout_heatmap's cells are limited by `box_height` rather than
// by the width: wider boxes only add empty space beside the figure, narrower ones leave it below.
float heatmap_width_for_height(const HeatmapFigure& f, float box_height, const LayoutStyle& style = {});

// What lies under a point: a patch cell, a special-token cell, or nothing.
struct HitResult {
    enum Kind { None, Patch, Side } kind = None;
    int index = -1;  // patch index (row-major) or side index
    int row = -1, col = -1;
};
HitResult hit_test(const HeatmapFigure& f, const HeatmapLayout& l, float x, float y);
// Centre of patch `index` or side cell `index`.
void cell_center(const HeatmapFigure& f, const HeatmapLayout& l, HitResult::Kind kind, int index, float& x, float& y);

// What the views choose to show.
struct FigureStyle {
    Colormap colormap = Colormap::Viridis;
    Normalization normalization = Normalization::PerMap;
    bool log_scale = false;
    Sampling sampling = Sampling::Nearest;
    float opacity = 0.6f;
    bool show_grid = true;
    // Special tokens (CLS, ...) in the colour range: false: the range spans the patches (the map's
    // contrast) and a special token above it gets an over-range mark; true: the range includes them.
    bool special_in_range = false;
};

// "head 3" or "mean of heads" (head == kMeanOfHeads).
std::string head_title(int head);

// Copies the drawing choices into a figure and sets its value range and colorbar ticks for `raw`.
void apply_style(HeatmapFigure& f, const FigureStyle& s, ValueRange raw);

// The matrices (the heatmap of one query's row over the image is attention_map_figure, for ViT and
// Swin alike; a matrix is not: ViT's spans all N tokens, Swin's one window with its padding slots
// and shift mask, swin_matrix_figure):
// The [N, N] matrix of (layer, head): the query row highlighted, masked key columns hatched.
HeatmapFigure matrix_figure(const ViTTrace& trace, int layer, int head, int query, const FigureStyle& style);

// Token index of a patch, and back.
inline int token_of_patch(const ViTTrace& t, int patch) { return t.num_prefix + patch; }

}  // namespace vitscope
