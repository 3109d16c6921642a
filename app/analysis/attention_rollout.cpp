#include "attention_rollout.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <stdexcept>
#include <string>

namespace vitscope {

const char* head_fusion_name(HeadFusion f) {
    switch (f) {
    case HeadFusion::Mean: return "mean";
    case HeadFusion::Max: return "max";
    case HeadFusion::Min: return "min";
    }
    return "?";
}

bool parse_head_fusion(const std::string& s, HeadFusion& out) {
    if (s == "mean") out = HeadFusion::Mean;
    else if (s == "max") out = HeadFusion::Max;
    else if (s == "min") out = HeadFusion::Min;
    else return false;
    return true;
}

Eigen::MatrixXd fuse_heads(const ViTTrace& t, int layer, HeadFusion fusion) {
    assert(layer >= 0 && layer < int(t.layers.size()) && "fuse_heads: layer out of range");
    const int N = t.num_tokens, H = t.num_heads;
    const ViTLayerTrace& lt = t.layers[size_t(layer)];
    assert(lt.attn.size() == size_t(H) * N * N && "fuse_heads: the layer's attention was not kept");
    Eigen::MatrixXd A(N, N);  // [N, N]
    for (int h = 0; h < H; ++h) {
        const Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> P(
            lt.attn.data() + size_t(h) * N * N, N, N);  // [N, N] of head h
        const Eigen::MatrixXd Ph = P.cast<double>();
        if (h == 0) A = Ph;
        else if (fusion == HeadFusion::Mean) A += Ph;
        else if (fusion == HeadFusion::Max) A = A.cwiseMax(Ph);
        else A = A.cwiseMin(Ph);
    }
    if (fusion == HeadFusion::Mean) A /= double(H);
    return A;
}

namespace {

// The floor(r*N*N) smallest entries outside column 0 set to 0 (at most every entry outside it).
void discard_smallest(Eigen::MatrixXd& A, double ratio) {
    const Eigen::Index N = A.rows();
    const size_t count = std::min(size_t(std::floor(ratio * double(N) * double(N))), size_t(N) * size_t(N - 1));
    if (count == 0) return;
    std::vector<std::pair<double, Eigen::Index>> entries;  // (value, column-major index) outside column 0
    entries.reserve(size_t(N) * size_t(N - 1));
    for (Eigen::Index c = 1; c < N; ++c)
        for (Eigen::Index r = 0; r < N; ++r) entries.push_back({A(r, c), c * N + r});
    std::nth_element(entries.begin(), entries.begin() + ptrdiff_t(count - 1), entries.end());
    for (size_t i = 0; i < count; ++i) A.data()[entries[i].second] = 0.0;
}

}  // namespace

Eigen::MatrixXd rollout_product(const std::vector<Eigen::MatrixXd>& fused_layers, double discard_ratio) {
    assert(!fused_layers.empty() && "rollout_product: no layers");
    assert(discard_ratio >= 0.0 && discard_ratio < 1.0 && "rollout_product: the discard ratio must be in [0, 1)");
    const Eigen::Index N = fused_layers.front().rows();
    Eigen::MatrixXd R = Eigen::MatrixXd::Identity(N, N);
    for (const Eigen::MatrixXd& fused : fused_layers) {
        assert(fused.rows() == N && fused.cols() == N && "rollout_product: layers of different sizes");
        Eigen::MatrixXd A = fused;
        discard_smallest(A, discard_ratio);
        A = 0.5 * (A + Eigen::MatrixXd::Identity(N, N));
        const Eigen::VectorXd sums = A.rowwise().sum();  // > 0: the diagonal holds at least 1/2
        A = sums.cwiseInverse().asDiagonal() * A;
        R = A * R;  // later layers on the left
    }
    return R;
}

std::vector<float> rollout_row(const Eigen::MatrixXd& R, int num_special) {
    assert(num_special >= 1 && num_special < R.cols() && "rollout_row: needs a special token and patches");
    std::vector<float> out;
    out.reserve(size_t(R.cols() - num_special));
    const double top = R.row(0).tail(R.cols() - num_special).maxCoeff();
    for (Eigen::Index k = num_special; k < R.cols(); ++k) out.push_back(top > 0 ? float(R(0, k) / top) : 0.0f);
    return out;
}

RolloutMap attention_rollout(const ViTTrace& t, const RolloutOptions& o) {
    assert(o.start_layer >= 0 && o.start_layer < int(t.layers.size()) && "attention_rollout: start layer out of range");
    for (int l = o.start_layer; l < int(t.layers.size()); ++l)
        if (t.layers[size_t(l)].attn.empty())
            throw std::invalid_argument("attention rollout needs the attention of layers " +
                                        std::to_string(o.start_layer) + ".." + std::to_string(t.layers.size() - 1) +
                                        ", but layer " + std::to_string(l) +
                                        "'s was not kept (keep attention: " + kept_layers_name(t.options) +
                                        "); keep attention for all layers to compute it");
    std::vector<Eigen::MatrixXd> fused;
    for (int l = o.start_layer; l < int(t.layers.size()); ++l) fused.push_back(fuse_heads(t, l, o.fusion));
    RolloutMap m;
    m.grid_height = t.grid_height;
    m.grid_width = t.grid_width;
    m.values = rollout_row(rollout_product(fused, o.discard_ratio), t.num_prefix);
    return m;
}

}  // namespace vitscope
