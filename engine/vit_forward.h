// Running a ViT-family model while keeping what a visualizer needs: every layer's input, every
// head's attention probabilities (and optionally logits), the final features and logits.
#pragma once

#include "attention_options.h"
#include "preprocess.h"
#include "thread_pool.h"  // set_engine_threads, for the callers of a forward pass
#include "vit_model.h"

#include <string>
#include <vector>

namespace vitscope {

struct ViTLayerTrace {
    Matrix input;               // [N, D] hidden state entering the layer
    FloatBuffer attn;           // [H, N, N] softmax probabilities (row = query, column = key)
    FloatBuffer logits;         // [H, N, N] pre-softmax logits incl. masks (-inf), when keep_logits
    int all_masked_rows = 0;    // query rows whose keys were all masked (probabilities set to 0)

    // Probability that query q attends to key k in head h.
    float prob(int h, int q, int k, int N) const { return attn[(size_t(h) * N + q) * N + k]; }
};

struct ViTTrace {
    int num_heads = 0;
    int num_tokens = 0;  // N = prefix + patches
    int num_prefix = 0;  // cls, dist, registers (in that order)
    int grid_height = 0, grid_width = 0;
    std::vector<std::string> prefix_names;   // names of the prefix tokens: CLS, DIST, REG0..
    std::vector<unsigned char> padding_key;  // [N]: 1 for tokens from image padding
    AttentionOptions options;                // the options this trace was computed with
    std::vector<ViTLayerTrace> layers;
    Matrix output;        // [N, D] after the last block, before the final norm
    RowVector features;   // final-normed class token [D]
    RowVector logits;     // [num_classes] (empty without a classifier)
    RowVector logits_cls, logits_dist;  // distilled DeiT: each head alone
    int layers_computed = 0;  // how many layers the last (re)computation ran

    // Working memory reused by every (re)computation with this trace, so a forward pass after the
    // first allocates nothing (and touches no fresh pages).
    struct Scratch {
        Matrix x, xn, qkv, heads, tmp, hidden, patches;
        std::vector<PackedMatrix> keys_t, values;  // per head: K^T [dh, N] and V [N, dh], packed
        Matrix queries;                            // [H N, dh]: head h's Q in rows [h N, (h + 1) N)
    } scratch;

    int all_masked_rows() const;
    // NaN or infinite values in the logits, features and attention of the computed layers (e.g.
    // weights so large that activations overflow): nonzero means the outputs are meaningless.
    int64_t non_finite_values() const;
    // "CLS", "DIST", "REG0".., or "patch (r,c)".
    std::string token_name(int token) const;
};

// Full forward pass. `input` must be a multiple of the patch size in both directions; position
// embeddings are interpolated (bicubic) when its grid differs from the trained one.
// Throws std::invalid_argument for inputs the model cannot take.
void vit_forward(const ViTModel& model, const ModelInput& input, const AttentionOptions& options, ViTTrace& trace);

// Re-runs layers >= from_layer with new options, reusing the hidden state stored for from_layer.
void vit_recompute_from(const ViTModel& model, const AttentionOptions& options, int from_layer, ViTTrace& trace);

// Changes the options of an existing trace, recomputing only from the first layer whose resolved
// options differ. Returns that layer (depth when nothing changed).
int vit_update_options(const ViTModel& model, const AttentionOptions& options, ViTTrace& trace);

std::vector<AttentionLayerShape> vit_layer_shapes(const ViTModel& model);

}  // namespace vitscope
