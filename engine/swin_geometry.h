// Swin window geometry as small pure functions, in the spirit of timm's swin_transformer.py:
// window partition/reverse, cyclic roll, relative position index, the shifted-window region map
// and its additive mask. A feature map [H, W, C] is kept as a row-major Matrix [H*W, C]
// (row = y*W + x), as the forward pass stores it.
#pragma once

#include "nn_ops.h"

#include <vector>

namespace vitscope {

// [H*W, C] -> [nW*M*M, C]: windows in row-major window order, tokens row-major inside each window.
// H and W must be multiples of M.
Matrix window_partition(const Matrix& x, int height, int width, int window);
// The inverse of window_partition: [nW*M*M, C] -> [H*W, C].
Matrix window_reverse(const Matrix& windows, int height, int width, int window);
// torch.roll over (y, x) of an [H, W, C] map: out[(y + shift_y) mod H, (x + shift_x) mod W] = x[y, x].
// The forward pass rolls by -shift before attention and by +shift after.
Matrix cyclic_roll(const Matrix& x, int height, int width, int shift_y, int shift_x);
// Zero-pads an [H, W, C] map at the bottom and right to [padded_height, padded_width, C].
Matrix pad_bottom_right(const Matrix& x, int height, int width, int padded_height, int padded_width);

// For every (query, key) pair of positions in an M x M window, the row of the relative position
// bias table ([(2T-1)^2, heads], T = table_window >= M) that holds their bias: [M*M * M*M], row-major
// (query, key). With M == T this is the index timm and torchvision register as a buffer; with
// M < T (a feature map smaller than the trained window) it reads the central part of the table.
std::vector<int> relative_position_index(int window, int table_window);
inline std::vector<int> relative_position_index(int window) { return relative_position_index(window, window); }

// The region labels of the shifted-window configuration on an already rolled, padded [H, W] map
// (H, W multiples of M): rows and columns are split into [0, H-M), [H-M, H-s), [H-s, H) and the
// 3x3 products numbered 0..8 row-major, as torchvision's shifted_window_attention and timm do.
std::vector<int> shift_region_ids(int height, int width, int window, int shift);
// The additive mask of shifted windows: [nW, M*M, M*M], -100 between tokens of different regions, 0
// otherwise.
std::vector<float> shift_attention_mask(int height, int width, int window, int shift);

// How one block lays its feature map out in windows.
struct SwinWindowGeometry {
    int height = 0, width = 0;                // the feature map
    int window = 0;                           // M actually used
    int shift = 0;                            // 0 or floor(M/2) (the same in y and x)
    int padded_height = 0, padded_width = 0;  // multiples of M (bottom/right zero padding)

    int windows_y() const { return padded_height / window; }
    int windows_x() const { return padded_width / window; }
    int num_windows() const { return windows_y() * windows_x(); }
    int window_tokens() const { return window * window; }
    bool shifted() const { return shift > 0; }
};

// The geometry of a block with trained window `window` on an H x W map. When min(H, W) <= window the
// window becomes min(H, W) and there is no shift (as timm, the Microsoft release and Hugging Face do;
// torchvision instead keeps M and zero-pads, which gives the same result when min(H, W) == M).
// Otherwise the map is padded at the bottom/right to multiples of M and `shifted` blocks shift by M/2.
SwinWindowGeometry swin_window_geometry(int height, int width, int window, bool shifted);

// For every window slot (w * M*M + p), the index y*W + x of the map token it holds after padding and
// rolling by -shift, or -1 for a padding slot: gathering with it equals
// window_partition(cyclic_roll(pad_bottom_right(x), -s, -s)); scattering back with it equals the
// inverse (reverse, roll by +s, crop).
std::vector<int> window_token_index(const SwinWindowGeometry& g);

// Where a window slot's token sits in the (unpadded) map; false for a padding slot.
bool window_slot_to_map(const SwinWindowGeometry& g, int window, int position, int& y, int& x);
// The window slot holding map token (y, x) (inside the map).
void map_to_window_slot(const SwinWindowGeometry& g, int y, int x, int& window, int& position);

}  // namespace vitscope
