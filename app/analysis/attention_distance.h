// Mean attention distance (Dosovitskiy et al. 2021, "An Image is Worth 16x16 Words", Fig. 7 right):
// how far, in input pixels, a head looks on average. For each layer and head, the mean over patch
// queries of sum_k p(q,k) |c_q - c_k| over patch keys only, with the probabilities renormalised over
// those keys (the special tokens' share left out); c = the patch centres in input pixels.
//
// Written once over AttentionSource. Swin: per block, each query within its own window (the keys are
// the window's real tokens, their centres in image pixels), so early blocks are bounded by the window
// and the distance grows with the stage's stride.
#pragma once

#include "attention_source.h"

#include <vector>

namespace vitscope {

// [layer][head] mean distance in input pixels. Queries whose patch keys all have probability 0 are
// left out of the mean.
std::vector<std::vector<double>> mean_attention_distance(const AttentionSource& source);

// The reference of uniform attention: the mean distance between the centres of all ordered pairs of
// an h x w grid of patches `patch` pixels apart (a patch paired with itself included, as a uniform
// row includes the query's own key). Computed from the counts of each offset, O(h*w).
// 14 x 14 patches of 16 px: 116.5 px.
double uniform_attention_distance(int grid_height, int grid_width, double patch);

}  // namespace vitscope
