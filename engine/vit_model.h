// The ViT family (ViT, DeiT, distilled DeiT, DINO, DINOv2 with LayerScale and registers) as plain
// weight structs, in the spirit of timm's vision_transformer.py.
#pragma once

#include "checkpoint_source.h"
#include "nn_ops.h"

#include <string>
#include <vector>

namespace vitscope {

enum class ViTPooling {
    ClassToken,           // head(norm(x)[cls])
    ClassTokenAndMean,    // DINOv2 classifiers: head([cls, mean(patch tokens)])
};

struct ViTHparams {
    int image_height = 224;  // the resolution the position embeddings were trained for
    int image_width = 224;
    int patch_size = 16;
    int in_chans = 3;
    int embed_dim = 768;
    int depth = 12;
    int num_heads = 12;
    int mlp_hidden = 3072;
    int num_classes = 0;          // 0: no classifier (DINO, DINOv2 backbones)
    bool dist_token = false;      // DeiT distilled: [cls, dist, patches], two heads averaged
    int num_register_tokens = 0;  // DINOv2 registers: [cls, reg..., patches], no position embedding
    bool layer_scale = false;     // DINOv2 LayerScale (ls1, ls2)
    bool pos_embed_has_prefix = true;  // pos_embed covers the cls (and dist) token
    float layer_norm_eps = 1e-6f;
    // How position embeddings are resized to another grid: timm uses antialiased bicubic
    // (resample_abs_pos_embed, antialias=True); DINOv2 and Hugging Face use plain bicubic (a = -0.75).
    bool pos_embed_antialias = true;
    ViTPooling pooling = ViTPooling::ClassToken;

    int head_dim() const { return embed_dim / num_heads; }
    int grid_height() const { return image_height / patch_size; }
    int grid_width() const { return image_width / patch_size; }
    int num_patches() const { return grid_height() * grid_width(); }
    // Tokens before the patch tokens: cls, dist, registers.
    int num_prefix_tokens() const { return 1 + (dist_token ? 1 : 0) + num_register_tokens; }
};

struct ViTBlock {
    LayerNorm norm1;
    Linear qkv;        // [D -> 3D]: q, k, v, each split into heads of head_dim columns
    Linear proj;       // [D -> D]
    RowVector ls1;     // LayerScale gamma (empty when absent)
    LayerNorm norm2;
    Linear fc1;        // [D -> mlp_hidden]
    Linear fc2;        // [mlp_hidden -> D]
    RowVector ls2;
};

struct ViTWeights {
    Linear patch_embed;  // [C*P*P -> D], columns ordered (c, ky, kx) like the conv weight
    RowVector cls_token;     // [D]
    RowVector dist_token;    // [D] (distilled DeiT)
    Matrix reg_tokens;       // [R, D]
    Matrix pos_embed;        // [prefix? + Gh*Gw, D] at the trained grid
    std::vector<ViTBlock> blocks;
    LayerNorm norm;
    Linear head;             // empty when num_classes == 0
    Linear head_dist;        // distilled DeiT
};

struct ViTModel {
    ViTHparams hp;
    ViTWeights w;
    ModelInfo info;
};

// What a user may state about a checkpoint that its tensors cannot tell (a bare timm file has no
// config). 0 = infer.
struct ViTLoadHints {
    int num_heads = 0;
};

// Reads a ViT-family checkpoint in timm or Hugging Face naming. Throws FileError on any problem.
// num_heads comes from config.json, else the hints, else the file's __metadata__ "num_heads", else
// embed_dim / 64 (the head width of every standard ViT/DeiT/DINO model), and info.inferred says so.
ViTModel load_vit_model(const CheckpointSource& src, const ViTLoadHints& hints = {});

// Multiply-adds x2 of one forward pass at the given input size (for GFLOP/s figures).
double vit_forward_flops(const ViTHparams& hp, int image_height, int image_width);

}  // namespace vitscope
