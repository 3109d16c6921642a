#include "nn_ops.h"

#include <unsupported/Eigen/SpecialFunctions>

#include <algorithm>
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
#pragma omp parallel for schedule(static) if (x.size() >= 32768)
    for (Eigen::Index r = 0; r < x.rows(); ++r) {
        const auto row = x.row(r);
        const float mean = row.sum() * inv_c;
        const float var = (row.array() - mean).square().sum() * inv_c;
        const float inv_std = 1.0f / std::sqrt(var + norm.eps);
        out.row(r) = ((row.array() - mean) * inv_std) * norm.weight.array() + norm.bias.array();
    }
}

void gelu_inplace(Matrix& x) {
    // Vectorised erf (Eigen's rational approximation, within 3e-7 of std::erf), rows split over threads.
    const Eigen::Index rows = x.rows();
    constexpr Eigen::Index kRows = 16;
#pragma omp parallel for schedule(static) if (x.size() >= 32768)
    for (Eigen::Index r0 = 0; r0 < rows; r0 += kRows) {
        auto a = x.middleRows(r0, std::min(kRows, rows - r0)).array();
        a = 0.5f * a * (1.0f + (a * 0.70710678118654752440f).erf());
    }
}

bool softmax_row_inplace(float* row, int n) {
    Eigen::Map<Eigen::ArrayXf> r(row, n);
    const float m = r.maxCoeff();
    if (m == -std::numeric_limits<float>::infinity()) {
        r.setZero();
        return false;
    }
    r = (r - m).exp();  // exp(-inf) == 0 exactly, so masked keys stay exactly 0
    r *= 1.0f / r.sum();
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
