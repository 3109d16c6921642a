#include "nn_ops.h"

#include <cassert>
#include <cmath>
#include <limits>

namespace vitscope {

void linear_forward(const Linear& layer, const Matrix& x, Matrix& out) {
    assert(x.cols() == layer.weight_t.rows() && "linear_forward: input width must match the layer");
    out.resize(x.rows(), layer.weight_t.cols());
    out.noalias() = x * layer.weight_t;
    if (layer.bias.size() > 0) out.rowwise() += layer.bias;
}

void layer_norm_forward(const LayerNorm& norm, const Matrix& x, Matrix& out) {
    assert(x.cols() == norm.weight.size() && "layer_norm_forward: width mismatch");
    out.resize(x.rows(), x.cols());
    const float inv_c = 1.0f / float(x.cols());
    for (Eigen::Index r = 0; r < x.rows(); ++r) {
        const auto row = x.row(r);
        const float mean = row.sum() * inv_c;
        const float var = (row.array() - mean).square().sum() * inv_c;
        const float inv_std = 1.0f / std::sqrt(var + norm.eps);
        out.row(r) = ((row.array() - mean) * inv_std) * norm.weight.array() + norm.bias.array();
    }
}

void gelu_inplace(Matrix& x) {
    const float inv_sqrt2 = 0.70710678118654752440f;
    float* p = x.data();
    const Eigen::Index n = x.size();
    for (Eigen::Index i = 0; i < n; ++i) p[i] = 0.5f * p[i] * (1.0f + std::erf(p[i] * inv_sqrt2));
}

bool softmax_row_inplace(float* row, int n) {
    float m = -std::numeric_limits<float>::infinity();
    for (int i = 0; i < n; ++i) m = row[i] > m ? row[i] : m;
    if (m == -std::numeric_limits<float>::infinity()) {
        for (int i = 0; i < n; ++i) row[i] = 0.0f;
        return false;
    }
    float sum = 0.0f;
    for (int i = 0; i < n; ++i) {
        row[i] = std::exp(row[i] - m);  // exp(-inf) == 0 exactly
        sum += row[i];
    }
    const float inv = 1.0f / sum;
    for (int i = 0; i < n; ++i) row[i] *= inv;
    return true;
}

Linear make_linear(const std::vector<float>& w, int out, int in, const std::vector<float>& bias) {
    assert(w.size() == size_t(out) * size_t(in) && "make_linear: weight size");
    Linear l;
    l.weight_t = Eigen::Map<const Matrix>(w.data(), out, in).transpose();
    if (!bias.empty()) {
        assert(bias.size() == size_t(out) && "make_linear: bias size");
        l.bias = Eigen::Map<const RowVector>(bias.data(), out);
    }
    return l;
}

}  // namespace vitscope
