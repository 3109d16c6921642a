// How saturated each head's softmax is: peaked rows pass almost no gradient. Per layer and head, the
// mean over all queries (special tokens included) of the row's entropy (nats), its largest
// probability and the Frobenius norm of the softmax Jacobian diag(p) - p p^T, which is 0 for a
// one-hot row. Plus a sandbox for why the 1/sqrt(d_k) scaling is there: the spread of q.k grows like
// sqrt(d_k) for unit-variance q and k.
//
// Written once over AttentionSource. Swin: a query's row is its window's (the other keys hold 0 and
// add nothing); the window-padding slots are not in it.
#pragma once

#include "attention_source.h"

#include <span>
#include <vector>

namespace vitscope {

// -sum p ln p in nats (0 ln 0 = 0); ln n for a uniform row over n keys.
double row_entropy(std::span<const float> p);
// ||diag(p) - p p^T||_F = sqrt(sum p^2 - 2 sum p^3 + (sum p^2)^2); 2 a (1 - a) for (a, 1 - a).
double softmax_jacobian_frobenius(std::span<const float> p);

struct SaturationStats {
    std::vector<std::vector<double>> entropy;       // [layer][head], nats
    std::vector<std::vector<double>> max_prob;      // [layer][head]
    std::vector<std::vector<double>> jacobian_fro;  // [layer][head]
};
SaturationStats softmax_saturation(const AttentionSource& source);

// The sandbox. For each d_k: `samples` pairs of random q, k with unit-variance normal entries
// (seeded): the standard deviation of q.k across the pairs (about sqrt(d_k)).
struct DotProductSpread {
    int d_k = 0;
    double std = 0;
};
std::vector<DotProductSpread> dot_product_spread(const std::vector<int>& dims, int samples, unsigned seed);
// 1, 2, 4, ..., 1024.
std::vector<int> sandbox_dims();

// One query against `keys` random keys of width d_k: its softmax row without scaling (saturated for
// large d_k) and with the 1/sqrt(d_k) scaling.
struct SoftmaxScalingRow {
    std::vector<float> unscaled, scaled;
};
SoftmaxScalingRow softmax_scaling_row(int d_k, int keys, unsigned seed);

}  // namespace vitscope
