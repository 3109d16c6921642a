// The shifted-window scheme taken apart, as pure functions over one block's geometry and trace
// (the Swin paper's Fig. 2 and Fig. 4): the steps of the cyclic shift, the three terms of a window
// query's logits, the relative position bias seen through the index, and how much attention
// crosses regions when the shift mask is off. The app's "Swin explained" views draw these.
#pragma once

#include "swin_forward.h"

#include <string>
#include <vector>

namespace vitscope {

// The steps of one shifted block, in order.
enum class SwinShiftStep {
    Original,     // the map as it lies on the image, the 9 regions of the shifted configuration
    Rolled,       // rolled by (-s, -s): the regions gather at the bottom and right
    Partitioned,  // the rolled map cut into the regular M x M windows
    Masked,       // inside each window only tokens of one region attend to each other
    Restored,     // rolled back by (+s, +s): every token where it started
};
constexpr int kSwinShiftSteps = 5;
const char* swin_shift_step_name(SwinShiftStep s);         // "1 · original map", ...
const char* swin_shift_step_explanation(SwinShiftStep s);  // one line for students

// What the padded map looks like at a step: cell c = y * Wp + x of the display shows the token
// `source[c]` (an index into the padded map, row-major), which belongs to region `region[c]`
// (-1 without a shift); `window[c]` is the regular window the cell falls in on the rolled map
// (Partitioned and Masked) or -1. Cells with source >= the map (padding) have `padding[c]` = 1.
struct SwinShiftState {
    SwinShiftStep step = SwinShiftStep::Original;
    int height = 0, width = 0;  // the padded map
    int map_height = 0, map_width = 0;
    int window = 0, shift = 0;
    std::vector<int> source;
    std::vector<int> region;
    std::vector<int> window_of;
    std::vector<unsigned char> padding;
};
SwinShiftState swin_shift_state(const SwinWindowGeometry& g, SwinShiftStep step);

// The logits of one query of one window and head, split into their terms (each [M*M] over the
// window's key slots): scale * q.k (-inf where a user/causal/padding mask removes the key), the
// relative position bias and the shift mask (0 or -100), and the softmax that results. Needs a trace
// computed with keep_logits; throws std::invalid_argument otherwise.
struct SwinLogitTerms {
    std::vector<float> qk, bias, mask, logits, softmax;
};
SwinLogitTerms swin_logit_terms(const SwinTrace& t, int block, int head, int window, int position);

// The bias the table of one head gives an M x M window: [M*M, M*M], table[index[q,k], head].
std::vector<float> swin_bias_matrix(const SwinBlock& block, int window, int head);
// The (2T-1) x (2T-1) table of one head as a row-major image (T = the trained window).
std::vector<float> swin_bias_table(const SwinBlock& block, int head);

// Per head, the mean over every query of every window of the attention mass on keys of another
// region (the pairs the shift mask would have cut). Exactly 0 with the mask on (a cut pair keeps
// exp(-100) ~ 4e-44 of probability, counted as cut), and for blocks without a shift. Padding slots
// are not queries.
std::vector<double> swin_cross_region_share(const SwinTrace& t, int block);

}  // namespace vitscope
