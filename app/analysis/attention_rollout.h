// Attention rollout (Abnar & Zuidema 2020, "Quantifying Attention Flow in Transformers"): how much
// of the first special token's final state comes from each patch, following attention through the
// residual connections of every layer.
//
// Per layer: A = the heads fused (mean, max or min) [N, N]; with a discard ratio r the floor(r*N*N)
// smallest entries outside column 0 (the first special token as key) are set to 0; A' = (A + I)/2
// with each row divided by its sum; R = A'_L ... A'_start. The map is row 0 of R over the patch keys,
// divided by its maximum.
//
// ViT only: Swin has no special token, and patch merging changes the token set between stages
// (4 tokens become 1), so there is no square matrix to chain from one stage to the next without an
// extra, made-up rule for merging.
#pragma once

#include "vit_forward.h"

#include <Eigen/Core>
#include <string>
#include <vector>

namespace vitscope {

enum class HeadFusion { Mean, Max, Min };
const char* head_fusion_name(HeadFusion f);  // "mean", "max", "min"
bool parse_head_fusion(const std::string& s, HeadFusion& out);

struct RolloutOptions {
    HeadFusion fusion = HeadFusion::Mean;
    double discard_ratio = 0.0;  // in [0, 1)
    int start_layer = 0;         // the first layer chained in
};

struct RolloutMap {
    int grid_height = 0, grid_width = 0;
    std::vector<float> values;  // [grid_height * grid_width], max 1
};

// One layer's heads fused into an [N, N] matrix (row = query).
Eigen::MatrixXd fuse_heads(const ViTTrace& trace, int layer, HeadFusion fusion);

// The rollout product R = A'_last ... A'_first of already fused layer matrices (first to last), each
// through the discard, + I, /2 and row normalisation above. [N, N]
Eigen::MatrixXd rollout_product(const std::vector<Eigen::MatrixXd>& fused_layers, double discard_ratio);

// Row 0 of R over keys num_special..N-1, divided by its maximum (all 0 when the maximum is 0).
std::vector<float> rollout_row(const Eigen::MatrixXd& R, int num_special);

// The whole chain on a trace. Asserts start_layer is a layer and the trace has a special token.
// Throws std::invalid_argument when a layer from start_layer on was computed without keeping its
// attention (AttentionOptions::kept_layers).
RolloutMap attention_rollout(const ViTTrace& trace, const RolloutOptions& options);

}  // namespace vitscope
