// Reading attention out of a trace: one query's row, the mean of heads, entropy and peak.
#pragma once

#include "attention_masks.h"
#include "normalization.h"
#include "vit_forward.h"

#include <span>
#include <vector>

namespace vitscope {

// Attention of `query` over all N keys in `head` of `layer` (kMeanOfHeads: the mean over heads).
std::vector<float> query_row(const ViTTrace& trace, int layer, int head, int query);

// Mean over heads of equal-length rows.
std::vector<float> mean_of_heads(const std::vector<std::vector<float>>& rows);

// The full [N, N] matrix of one head (kMeanOfHeads: mean over heads), row = query.
std::vector<float> attention_matrix(const ViTTrace& trace, int layer, int head);

// Shannon entropy in nats, -sum p ln p (0 ln 0 = 0). A uniform row over n keys gives ln n.
double attention_entropy(std::span<const float> row);
// Largest value and its index (index -1 for an empty row).
struct RowPeak {
    float value = 0.0f;
    int index = -1;
};
RowPeak attention_peak(std::span<const float> row);

// The patch part of a row (keys num_prefix..N-1), in grid order.
std::vector<float> patch_values(const ViTTrace& trace, std::span<const float> row);


}  // namespace vitscope
