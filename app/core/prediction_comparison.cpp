#include "prediction_comparison.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace vitscope {

namespace {

std::vector<float> softmax(const RowVector& logits) {
    std::vector<float> p(size_t(logits.size()));
    if (p.empty()) return p;
    const float m = logits.maxCoeff();
    double s = 0;
    for (size_t i = 0; i < p.size(); ++i) s += p[i] = std::exp(logits[Eigen::Index(i)] - m);
    for (float& v : p) v = float(v / s);
    return p;
}

std::vector<int> top_k(const std::vector<float>& p, int k) {
    std::vector<int> idx(p.size());
    std::iota(idx.begin(), idx.end(), 0);
    k = std::min<int>(k, int(idx.size()));
    std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), [&](int a, int b) { return p[size_t(a)] > p[size_t(b)]; });
    idx.resize(size_t(k));
    return idx;
}

std::vector<PredictionRow> rows(const std::vector<int>& classes, const std::vector<float>& now,
                                const std::vector<float>& paper, const std::vector<std::string>& labels) {
    std::vector<PredictionRow> out;
    for (const int c : classes) {
        PredictionRow r;
        r.cls = c;
        r.label = size_t(c) < labels.size() ? labels[size_t(c)] : "class " + std::to_string(c);
        r.p_now = now[size_t(c)];
        r.p_paper = paper[size_t(c)];
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace

PredictionComparison compare_predictions(const WorkspaceState& s, int k) {
    PredictionComparison out;
    const RowVector* logits = s.logits();
    const RowVector* base = s.baseline_logits();
    out.has_trace = logits != nullptr;
    out.has_classifier = logits && logits->size() > 0;
    if (!out.has_classifier) return out;
    const std::vector<float> p = softmax(*logits);
    out.differs = !s.paper_default() && base && base != logits && base->size() == logits->size();
    const std::vector<float> pb = out.differs ? softmax(*base) : p;
    out.now = rows(top_k(p, k), p, pb, s.labels);
    if (out.differs) out.paper = rows(top_k(pb, k), p, pb, s.labels);
    return out;
}

}  // namespace vitscope
