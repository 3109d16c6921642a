#include "nn_ops.h"

#include "thread_pool.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace vitscope {

void linear_forward(const Linear& layer, const Matrix& x, Matrix& out, LinearOutput mode) {
    assert(x.cols() == layer.weight.rows() && "linear_forward: input width must match the layer");
    assert(&x != &out && "linear_forward: input and output must differ");
    if (mode == LinearOutput::AddToOutput)
        assert(out.rows() == x.rows() && out.cols() == layer.weight.cols() && "linear_forward: residual shape");
    else
        out.resize(x.rows(), layer.weight.cols());
    GemmOptions o;
    o.bias = layer.bias.size() > 0 ? layer.bias.data() : nullptr;
    o.accumulate = mode == LinearOutput::AddToOutput;
    o.gelu = mode == LinearOutput::Gelu;
    gemm_packed_parallel(int(x.rows()), x.data(), x.cols(), layer.weight, out.data(), out.cols(), o);
}

void layer_norm_forward(const LayerNorm& norm, const Matrix& x, Matrix& out) {
    assert(x.cols() == norm.weight.size() && "layer_norm_forward: width mismatch");
    out.resize(x.rows(), x.cols());
    const float inv_c = 1.0f / float(x.cols());
    auto norm_rows = [&](Eigen::Index r0, Eigen::Index r1) {
        for (Eigen::Index r = r0; r < r1; ++r) {
            const auto row = x.row(r);
            const float mean = row.sum() * inv_c;
            const float var = (row.array() - mean).square().sum() * inv_c;
            const float inv_std = 1.0f / std::sqrt(var + norm.eps);
            out.row(r) = ((row.array() - mean) * inv_std) * norm.weight.array() + norm.bias.array();
        }
    };
    if (x.size() < 32768) {
        norm_rows(0, x.rows());
        return;
    }
    constexpr Eigen::Index kRows = 16;  // rows per work item
    const Eigen::Index rows = x.rows();
    parallel_for(int((rows + kRows - 1) / kRows), [&](int item, int) {
        norm_rows(item * kRows, std::min(rows, (item + 1) * kRows));
    });
}

bool softmax_row_inplace(float* row, int n) {
#if defined(__AVX512F__)
    // 16 lanes at a time from the row's start, the last group masked (its missing lanes read as -inf,
    // whose exp is 0): no scalar tail, which on a 197-token row took a third of the time (Eigen's
    // expression did the last 5 entries with scalar expf).
    const __m512 neg_inf = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
    auto lanes = [n](int i) { return n - i >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (n - i)) - 1u); };
    __m512 vmax = neg_inf;
    for (int i = 0; i < n; i += 16) vmax = _mm512_max_ps(vmax, _mm512_mask_loadu_ps(neg_inf, lanes(i), row + i));
    const float m = _mm512_reduce_max_ps(vmax);
    if (m == -std::numeric_limits<float>::infinity()) {
        std::fill_n(row, n, 0.0f);
        return false;
    }
    const __m512 vm = _mm512_set1_ps(m);
    __m512 vsum = _mm512_setzero_ps();
    for (int i = 0; i < n; i += 16) {
        const __mmask16 k = lanes(i);
        const __m512 e = Eigen::internal::pexp(_mm512_sub_ps(_mm512_mask_loadu_ps(neg_inf, k, row + i), vm));
        vsum = _mm512_add_ps(vsum, e);
        _mm512_mask_storeu_ps(row + i, k, e);
    }
    const __m512 inv = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(vsum));
    for (int i = 0; i < n; i += 16) {
        const __mmask16 k = lanes(i);
        _mm512_mask_storeu_ps(row + i, k, _mm512_mul_ps(_mm512_maskz_loadu_ps(k, row + i), inv));
    }
    return true;
#else
    Eigen::Map<Eigen::ArrayXf> r(row, n);
    const float m = r.maxCoeff();
    if (m == -std::numeric_limits<float>::infinity()) {
        r.setZero();
        return false;
    }
    r = (r - m).exp();  // exp(-inf) == 0 exactly, so masked keys stay exactly 0
    r *= 1.0f / r.sum();
    return true;
#endif
}

Linear make_linear(const std::vector<float>& w, int out, int in, const std::vector<float>& bias) {
    assert(w.size() == size_t(out) * size_t(in) && "make_linear: weight size");
    Linear l;
    // [out, in] row-major read as its transpose [in, out]: element (r, c) at w[c * in + r].
    l.weight.pack(w.data(), in, out, 1, in);
    if (!bias.empty()) {
        assert(bias.size() == size_t(out) && "make_linear: bias size");
        l.bias = Eigen::Map<const RowVector>(bias.data(), out);
    }
    return l;
}

Linear make_linear_in_out(const Matrix& w, const RowVector& bias) {
    assert((bias.size() == 0 || bias.size() == w.cols()) && "make_linear_in_out: bias size");
    Linear l;
    l.weight = PackedMatrix(w);
    l.bias = bias;
    return l;
}

}  // namespace vitscope
