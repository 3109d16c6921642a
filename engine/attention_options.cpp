#include "attention_options.h"

#include <algorithm>
#include <cmath>

namespace vitscope {

const char* scale_mode_name(ScaleMode m) {
    switch (m) {
    case ScaleMode::InvSqrtHeadDim: return "head";
    case ScaleMode::InvSqrtModelDim: return "model";
    case ScaleMode::None: return "none";
    }
    return "?";
}

bool parse_scale_mode(const std::string& s, ScaleMode& out) {
    if (s == "head" || s == "paper" || s == "sqrt-head") out = ScaleMode::InvSqrtHeadDim;
    else if (s == "model" || s == "sqrt-model") out = ScaleMode::InvSqrtModelDim;
    else if (s == "none") out = ScaleMode::None;
    else return false;
    return true;
}

bool AttentionOptions::is_paper_default() const {
    return scale_mode == ScaleMode::InvSqrtHeadDim && temperature == 1.0f && padding_mask && masked_keys.empty() &&
           !causal && ablated_heads.empty();
}

LayerAttentionSetup resolve_layer_setup(const AttentionOptions& o, int layer, int num_heads, int head_dim,
                                        int model_dim) {
    LayerAttentionSetup s;
    s.padding_mask = o.padding_mask;
    s.keep_logits = o.keep_logits;
    s.heads.resize(size_t(num_heads));
    const float paper = 1.0f / std::sqrt(float(head_dim));
    const bool in_range = layer >= o.first_layer && (o.last_layer < 0 || layer <= o.last_layer);
    bool any_user_mask = false;
    for (int h = 0; h < num_heads; ++h) {
        HeadAttentionSetup& hs = s.heads[size_t(h)];
        hs.logit_scale = paper;
        const bool chosen = o.heads.empty() || std::find(o.heads.begin(), o.heads.end(), h) != o.heads.end();
        if (!in_range) continue;
        hs.ablated = std::find(o.ablated_heads.begin(), o.ablated_heads.end(), h) != o.ablated_heads.end();
        if (!chosen) continue;
        float scale = paper;
        if (o.scale_mode == ScaleMode::InvSqrtModelDim) scale = 1.0f / std::sqrt(float(model_dim));
        if (o.scale_mode == ScaleMode::None) scale = 1.0f;
        hs.logit_scale = scale / o.temperature;
        hs.user_mask = !o.masked_keys.empty();
        hs.causal = o.causal;
        any_user_mask = any_user_mask || hs.user_mask;
    }
    if (any_user_mask) {
        s.masked_keys = o.masked_keys;
        std::sort(s.masked_keys.begin(), s.masked_keys.end());
        s.masked_keys.erase(std::unique(s.masked_keys.begin(), s.masked_keys.end()), s.masked_keys.end());
    }
    return s;
}

int first_changed_layer(const AttentionOptions& a, const AttentionOptions& b,
                        const std::vector<AttentionLayerShape>& layers) {
    for (size_t l = 0; l < layers.size(); ++l) {
        const AttentionLayerShape& g = layers[l];
        if (!(resolve_layer_setup(a, int(l), g.num_heads, g.head_dim, g.model_dim) ==
              resolve_layer_setup(b, int(l), g.num_heads, g.head_dim, g.model_dim)))
            return int(l);
    }
    return int(layers.size());
}

}  // namespace vitscope
