#include "analysis_figures.h"

#include "attention_distance.h"
#include "embedding_structure.h"
#include "head_similarity.h"
#include "mask_leakage.h"
#include "softmax_saturation.h"

#include <cmath>
#include <cstdio>

namespace vitscope {

namespace {

std::string num(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

std::string per_head(const char* header, const std::vector<std::vector<double>>& v) {
    std::string out = header;
    for (size_t l = 0; l < v.size(); ++l)
        for (size_t h = 0; h < v[l].size(); ++h) out += std::to_string(l) + "," + std::to_string(h) + "," + num(v[l][h]) + "\n";
    return out;
}

}  // namespace

std::string analysis_csv(FigureView view, const FigureInputs& in, const FigureSelection& sel0) {
    const auto src = attention_source(in);
    const FigureSelection sel = clamp_selection(in, sel0);
    switch (view) {
    case FigureView::Rollout: {
        if (!in.vit || in.vit->num_prefix == 0) return {};
        const RolloutMap m = attention_rollout(*in.vit, RolloutOptions{});
        std::string out = "patch,value\n";
        for (size_t i = 0; i < m.values.size(); ++i) out += std::to_string(i) + "," + num(m.values[i]) + "\n";
        return out;
    }
    case FigureView::Distance: return src ? per_head("layer,head,px\n", mean_attention_distance(*src)) : std::string();
    case FigureView::Saturation: {
        if (!src) return {};
        const SaturationStats s = softmax_saturation(*src);
        std::string out = "layer,head,entropy,max_prob,jacobian_fro\n";
        for (size_t l = 0; l < s.entropy.size(); ++l)
            for (size_t h = 0; h < s.entropy[l].size(); ++h)
                out += std::to_string(l) + "," + std::to_string(h) + "," + num(s.entropy[l][h]) + "," +
                       num(s.max_prob[l][h]) + "," + num(s.jacobian_fro[l][h]) + "\n";
        return out;
    }
    case FigureView::Sandbox: {
        std::string out = "d_k,std\n";
        for (const DotProductSpread& s : dot_product_spread(sandbox_dims(), 2000, 7))
            out += std::to_string(s.d_k) + "," + num(s.std) + "\n";
        return out;
    }
    case FigureView::Leakage: return src ? per_head("layer,head,share\n", padding_attention_share(*src)) : std::string();
    case FigureView::HeadSimilarity: {
        if (!src) return {};
        const std::vector<double> m = head_js_divergence(*src)[size_t(sel.layer)];
        const int H = int(std::lround(std::sqrt(double(m.size()))));
        std::string out;
        for (int i = 0; i < H; ++i) {
            for (int j = 0; j < H; ++j) out += (j ? "," : "") + num(m[size_t(i) * H + j]);
            out += "\n";
        }
        return out;
    }
    case FigureView::PosEmbed: {
        if (!in.model || !in.model->vit) return {};
        const PositionSimilarity ps = position_embedding_similarity(*in.model->vit);
        const int n = ps.grid_height * ps.grid_width;
        std::string out;
        for (int i = 0; i < n; ++i) {
            for (int j = 0; j < n; ++j) out += (j ? "," : "") + num(ps.cosine[size_t(i) * n + j]);
            out += "\n";
        }
        return out;
    }
    case FigureView::Filters: {
        if (!in.model || !in.model->vit) return {};
        const FilterComponents fc = patch_filter_components(*in.model->vit, 28);
        std::string out = "component,variance\n";
        for (size_t i = 0; i < fc.variance.size(); ++i) out += std::to_string(i) + "," + num(fc.variance[i]) + "\n";
        return out;
    }
    default: return {};
    }
}

}  // namespace vitscope
