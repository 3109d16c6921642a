#include "head_similarity.h"

#include "swin_forward.h"
#include "vit_forward.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numeric>

namespace vitscope {

double jensen_shannon(std::span<const float> p, std::span<const float> q) {
    assert(p.size() == q.size() && "jensen_shannon: rows of different lengths");
    double js = 0;
    for (size_t i = 0; i < p.size(); ++i) {
        const double a = p[i], b = q[i], m = 0.5 * (a + b);
        if (a > 0) js += 0.5 * a * std::log(a / m);
        if (b > 0) js += 0.5 * b * std::log(b / m);
    }
    return std::max(0.0, js);
}

std::vector<std::vector<double>> head_js_divergence(const AttentionSource& s) {
    std::vector<std::vector<double>> out;
    for (int l = 0; l < s.layers(); ++l) {
        const int T = s.num_tokens(l), H = s.heads(l);
        std::vector<double> js(size_t(H) * H, 0.0);  // [H, H]
        std::vector<std::vector<float>> rows(static_cast<size_t>(H));  // [H][T]
        for (int q = 0; q < T; ++q) {
            for (int h = 0; h < H; ++h) rows[size_t(h)] = s.row(l, h, q);
            for (int a = 0; a < H; ++a)
                for (int b = a + 1; b < H; ++b) js[size_t(a) * H + b] += jensen_shannon(rows[size_t(a)], rows[size_t(b)]);
        }
        for (int a = 0; a < H; ++a)
            for (int b = a + 1; b < H; ++b) {
                js[size_t(a) * H + b] /= T;
                js[size_t(b) * H + a] = js[size_t(a) * H + b];
            }
        out.push_back(std::move(js));
    }
    return out;
}

std::vector<ClassProb> top_classes(const RowVector& logits, int k) {
    assert(logits.size() > 0 && "top_classes: no logits (a model without a classifier)");
    const float top = logits.maxCoeff();
    const Eigen::ArrayXf e = (logits.array() - top).exp().transpose();
    const float sum = e.sum();
    std::vector<int> order(size_t(logits.size()));
    std::iota(order.begin(), order.end(), 0);
    k = std::clamp(k, 1, int(order.size()));
    std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int a, int b) { return e[a] > e[b]; });
    std::vector<ClassProb> out;
    for (int i = 0; i < k; ++i) out.push_back({order[size_t(i)], e[order[size_t(i)]] / sum});
    return out;
}

std::vector<HeadAblation> ablate_each_head(const ViTModel& m, const ViTTrace& trace, int k) {
    std::vector<HeadAblation> out{{-1, top_classes(trace.logits, k)}};
    ViTTrace t = trace;
    for (int h = 0; h < m.hp.num_heads; ++h) {
        AttentionOptions o = trace.options;
        o.ablated_heads = {h};
        vit_update_options(m, o, t);
        out.push_back({h, top_classes(t.logits, k)});
    }
    return out;
}

std::vector<HeadAblation> ablate_each_head(const SwinModel& m, const SwinTrace& trace, int k) {
    std::vector<HeadAblation> out{{-1, top_classes(trace.logits, k)}};
    SwinTrace t = trace;
    const int heads = *std::max_element(m.hp.num_heads.begin(), m.hp.num_heads.end());
    for (int h = 0; h < heads; ++h) {
        AttentionOptions o = trace.options;
        o.ablated_heads = {h};
        swin_update_options(m, o, trace.swin_options, t);
        out.push_back({h, top_classes(t.logits, k)});
    }
    return out;
}

}  // namespace vitscope
