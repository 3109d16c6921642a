// Swin Transformer v1 as plain weight structs, in the spirit of timm's swin_transformer.py.
// Kept apart from the ViT family: its own hyper-parameters, weights and forward pass.
#pragma once

#include "checkpoint_source.h"
#include "nn_ops.h"

#include <string>
#include <vector>

namespace vitscope {

struct SwinHparams {
    int image_size = 224;  // the resolution it was trained at (config.json; else 224, recorded as inferred)
    int patch_size = 4;
    int in_chans = 3;
    int embed_dim = 96;
    std::vector<int> depths;     // blocks per stage, e.g. {2, 2, 6, 2}
    std::vector<int> num_heads;  // heads per stage, e.g. {3, 6, 12, 24}
    int window_size = 7;         // M (of stage 0; a stage trained on a map smaller than M has a smaller table)
    float mlp_ratio = 4.0f;
    int num_classes = 0;         // 0: no classifier
    float layer_norm_eps = 1e-5f;
    bool qkv_bias = true;

    int num_stages() const { return int(depths.size()); }
    int stage_dim(int stage) const { return embed_dim << stage; }  // C doubles at every patch merging
    int num_features() const { return stage_dim(num_stages() - 1); }
    int total_blocks() const;
    int head_dim(int stage) const { return stage_dim(stage) / num_heads[size_t(stage)]; }
};

struct SwinBlock {
    int window = 7;                        // the window its bias table was trained for
    LayerNorm norm1;
    Linear qkv;                            // [C -> 3C]: q | k | v, each split into heads of head_dim columns
    Matrix relative_position_bias_table;   // [(2M-1)^2, heads]
    Linear proj;                           // [C -> C]
    LayerNorm norm2;
    Linear fc1;                            // [C -> hidden]
    Linear fc2;                            // [hidden -> C]
};

// 2x2 neighbourhoods -> one token: concat(x[0::2,0::2], x[1::2,0::2], x[0::2,1::2], x[1::2,1::2]),
// LayerNorm(4C), Linear 4C -> 2C without bias.
struct PatchMerging {
    LayerNorm norm;     // [4C]
    Linear reduction;   // [4C -> 2C], no bias
};

struct SwinStage {
    std::vector<SwinBlock> blocks;
    bool has_downsample = false;
    PatchMerging downsample;  // applied after the blocks (all stages but the last)
};

struct SwinWeights {
    Linear patch_embed;  // [C_in*P*P -> D], columns ordered (c, ky, kx) like the conv weight
    LayerNorm patch_norm;
    std::vector<SwinStage> stages;
    LayerNorm norm;      // final norm [num_features]
    Linear head;         // empty when num_classes == 0
};

struct SwinModel {
    SwinHparams hp;
    SwinWeights w;
    ModelInfo info;
};

// Reads a Swin v1 checkpoint in Hugging Face, timm (>= 0.9) or Microsoft / old-timm naming.
// Throws FileError on any problem.
SwinModel load_swin_model(const CheckpointSource& src);

// Multiply-adds x2 of one forward pass at the given input size (for GFLOP/s figures).
double swin_forward_flops(const SwinModel& model, int image_height, int image_width);

}  // namespace vitscope
