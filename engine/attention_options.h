// What a user may change about attention for one forward pass, and what that means per layer and head.
#pragma once

#include <string>
#include <vector>

namespace vitscope {

enum class ScaleMode {
    InvSqrtHeadDim,   // 1/sqrt(d_head): the paper
    InvSqrtModelDim,  // 1/sqrt(d_model): a common bug (dividing by the embedding size)
    None,             // no scaling: logits saturate the softmax
};

const char* scale_mode_name(ScaleMode m);           // "head", "model", "none"
bool parse_scale_mode(const std::string& s, ScaleMode& out);

struct AttentionOptions {
    ScaleMode scale_mode = ScaleMode::InvSqrtHeadDim;
    float temperature = 1.0f;        // logits are divided by this after scaling (1 = the paper)
    bool padding_mask = true;        // keys from image padding get -inf (only when the input has padding)
    std::vector<int> masked_keys;    // token indices that no query may attend to (user key mask)
    bool causal = false;             // query i sees keys j <= i only
    // Scale, temperature, user mask, causal mask and ablation apply only to layers
    // [first_layer, last_layer] (last_layer < 0: through the last layer) and, of those, to `heads`
    // (empty: every head). The padding mask is a property of the input and applies everywhere.
    int first_layer = 0;
    int last_layer = -1;
    std::vector<int> heads;
    std::vector<int> ablated_heads;  // heads whose output is zeroed (probabilities are still recorded)
    bool keep_logits = false;        // also capture the pre-softmax logits
    // Which layers store their attention probabilities (and logits) in the trace. Every layer still
    // computes them (the outputs do not change); a layer not kept leaves its maps empty and uses a
    // small per-work-item scratch instead of [H, N, N]. keep_all_layers: every layer (the default).
    bool keep_all_layers = true;
    std::vector<int> kept_layers;    // when !keep_all_layers: the layers kept (may be empty: none)

    bool is_paper_default() const;
    bool keeps_layer(int layer) const;
};

// The options resolved for one head of one layer.
struct HeadAttentionSetup {
    float logit_scale = 1.0f;  // multiplies QK^T (scale / temperature)
    bool user_mask = false;
    bool causal = false;
    bool ablated = false;
    bool operator==(const HeadAttentionSetup&) const = default;
};

struct LayerAttentionSetup {
    std::vector<HeadAttentionSetup> heads;
    bool padding_mask = true;
    std::vector<int> masked_keys;  // sorted, unique; empty when no head uses the user mask
    bool keep_logits = false;      // store the logits (only when keep_attention)
    bool keep_attention = true;    // store the probabilities in the trace
    bool operator==(const LayerAttentionSetup&) const = default;
};

LayerAttentionSetup resolve_layer_setup(const AttentionOptions& options, int layer, int num_heads, int head_dim,
                                        int model_dim);

// Geometry of one attention layer, enough to resolve options (ViT: all layers alike; Swin: per block).
struct AttentionLayerShape {
    int num_heads = 0;
    int head_dim = 0;
    int model_dim = 0;
};

// "all", "none" or a comma-separated list of layers ("0,11"); false (and `out` untouched) otherwise.
bool parse_kept_layers(const std::string& s, AttentionOptions& out);
std::string kept_layers_name(const AttentionOptions& options);  // the inverse: "all", "none", "0,11"

// The first layer whose resolved setup differs between `a` and `b`; layers.size() when none does.
// A layer newly kept (or no longer kept) counts as changed, so its maps are computed again.
int first_changed_layer(const AttentionOptions& a, const AttentionOptions& b,
                        const std::vector<AttentionLayerShape>& layers);

}  // namespace vitscope
