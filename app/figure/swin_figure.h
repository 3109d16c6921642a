// Swin attention as plain figure data. A Swin query attends only to the keys of its own (possibly
// shifted) window, so every figure here is built around "which window, which slot": the heatmap
// over the stage's token map is zero and marked outside that window, the matrix is the window's
// M^2 x M^2 block with the shift-mask (-100) entries marked, and the window partition and shift
// regions come as line segments in token units. All window <-> token mapping goes through the
// engine's functions (swin_pixel_to_window, swin_token_location, map_to_window_slot).
#pragma once

#include "heatmap_figure.h"
#include "swin_forward.h"

#include <string>
#include <vector>

namespace vitscope {

// The query in one block. The app keeps the query as a stage-0 patch index (row * W0 + col): it names
// a place in the image, so it survives switching between stages; in stage s it selects the token
// covering that patch.
struct SwinQuery {
    int block = 0, stage = 0;
    int row = 0, col = 0;            // token in the stage's feature map
    int window = 0, position = 0;    // its window slot in this block
};
SwinQuery swin_query(const SwinTrace& t, int block, int patch);


// "stage S · block B (W-MSA)" / "(SW-MSA)" for a global block index.
std::string swin_block_name(const SwinTrace& t, int block);

// Attention of slot `position` over the M*M slots of `window` (head may be kMeanOfHeads); window
// padding slots hold 0.
std::vector<float> swin_window_row(const SwinTrace& t, int block, int head, int window, int position);
// The [M*M, M*M] matrix of one window (row = query slot).
std::vector<float> swin_window_matrix(const SwinTrace& t, int block, int head, int window);

// The query window's matrix: query row highlighted, shift-mask entries (-100 term) kCellShiftMasked,
// masked key columns kCellMasked, window padding slots kCellOutside.
HeatmapFigure swin_matrix_figure(const SwinTrace& t, int block, int head, int patch, const FigureStyle& style);

// How `block` lays its map out: the window partition as it lies on the image (a shifted block's
// windows moved by the shift, the wrapped-around pieces separate) and the regions of the shifted
// configuration. Coordinates are in tokens of the stage map, (0,0) the top-left corner.
struct GridSegment {
    float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    bool operator==(const GridSegment&) const = default;
};
struct SwinPiece {         // one connected part of a window lying in one region
    int window = 0;
    int region = -1;       // -1 without shift
    int x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // bounding box in tokens, [x0, x1) x [y0, y1)
    int tokens = 0;
};
struct SwinPartition {
    int grid_w = 0, grid_h = 0;
    int window = 0, shift = 0, num_windows = 0;
    std::vector<int> window_of;              // [h*w] window of each token
    std::vector<int> position_of;            // [h*w] slot inside it
    std::vector<int> region_of;              // [h*w] region id of the shifted configuration (empty without shift)
    std::vector<GridSegment> window_edges;   // between tokens of different windows, and the map border
    std::vector<GridSegment> region_edges;   // between tokens of one window lying in different regions
    std::vector<SwinPiece> pieces;           // connected (window, region) parts
};
SwinPartition swin_partition(const SwinTrace& t, int block);

}  // namespace vitscope
