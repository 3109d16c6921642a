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

bool AttentionOptions::keeps_layer(int layer) const {
    return keep_all_layers || std::find(kept_layers.begin(), kept_layers.end(), layer) != kept_layers.end();
}

bool parse_kept_layers(const std::string& s, AttentionOptions& out) {
    if (s == "all") {
        out.keep_all_layers = true;
        out.kept_layers.clear();
        return true;
    }
    std::vector<int> layers;
    if (s != "none") {
        size_t start = 0;
        while (start <= s.size()) {
            const size_t end = std::min(s.find(',', start), s.size());
            const std::string item = s.substr(start, end - start);
            if (item.empty() || item.size() > 6 || item.find_first_not_of("0123456789") != std::string::npos)
                return false;
            layers.push_back(std::stoi(item));
            start = end + 1;
        }
    }
    std::sort(layers.begin(), layers.end());
    layers.erase(std::unique(layers.begin(), layers.end()), layers.end());
    out.keep_all_layers = false;
    out.kept_layers = std::move(layers);
    return true;
}

std::string kept_layers_name(const AttentionOptions& o) {
    if (o.keep_all_layers) return "all";
    if (o.kept_layers.empty()) return "none";
    std::string s;
    for (int l : o.kept_layers) s += (s.empty() ? "" : ",") + std::to_string(l);
    return s;
}

LayerAttentionSetup resolve_layer_setup(const AttentionOptions& o, int layer, int num_heads, int head_dim,
                                        int model_dim) {
    LayerAttentionSetup s;
    s.padding_mask = o.padding_mask;
    s.keep_attention = o.keeps_layer(layer);
    s.keep_logits = o.keep_logits && s.keep_attention;
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
