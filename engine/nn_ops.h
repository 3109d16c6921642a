// The small building blocks every transformer here is made of: Linear, LayerNorm, GELU, softmax.
#pragma once

#include <Eigen/Core>
#include <vector>

namespace vitscope {

// Activations are [tokens, channels], row-major, as in PyTorch.
using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vector = Eigen::VectorXf;
using RowVector = Eigen::Matrix<float, 1, Eigen::Dynamic>;
// Flat float storage aligned like Eigen's own (64 bytes with AVX-512): vectorised reductions over
// it then take the same path on every run, so results are bit-for-bit reproducible.
using FloatBuffer = std::vector<float, Eigen::aligned_allocator<float>>;

// y = x W^T + b. `weight_t` is stored already transposed ([in, out]) once at load time, so every call
// is a plain row-major GEMM with no copy.
struct Linear {
    Matrix weight_t;  // [in, out]
    RowVector bias;   // [out], may be empty

    int in_features() const { return int(weight_t.rows()); }
    int out_features() const { return int(weight_t.cols()); }
};

struct LayerNorm {
    RowVector weight;  // [C]
    RowVector bias;    // [C]
    float eps = 1e-6f;
};

// out = x W^T + b ; out is resized as needed.
void linear_forward(const Linear& layer, const Matrix& x, Matrix& out);
// Row-wise LayerNorm.
void layer_norm_forward(const LayerNorm& norm, const Matrix& x, Matrix& out);
// Exact (erf) GELU, in place.
void gelu_inplace(Matrix& x);
// Numerically stable softmax of one row in place. Entries equal to -inf get exactly 0.
// Returns false (and writes zeros) when every entry is -inf: an all-masked row.
bool softmax_row_inplace(float* row, int n);

// Builds a Linear from a PyTorch [out, in] weight and optional [out] bias.
Linear make_linear(const std::vector<float>& weight_out_in, int out, int in, const std::vector<float>& bias);

}  // namespace vitscope
