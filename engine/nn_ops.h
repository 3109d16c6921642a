// The small building blocks every transformer here is made of: Linear (with GELU or a residual sum
// fused into its product), LayerNorm, softmax.
#pragma once

#include "packed_gemm.h"
#include "tensor_types.h"

#include <vector>

namespace vitscope {

// y = x W^T + b. The weight is packed once at load time ([in, out], column panels; packed_gemm.h),
// so every call reads the activations in place and the weights in the kernel's order.
struct Linear {
    PackedMatrix weight;  // [in, out]
    RowVector bias;       // [out], may be empty

    int in_features() const { return weight.rows(); }
    int out_features() const { return weight.cols(); }
};

struct LayerNorm {
    RowVector weight;  // [C]
    RowVector bias;    // [C]
    float eps = 1e-6f;
};

// What a Linear does with its result, fused into the matrix product's last pass.
enum class LinearOutput {
    Store,        // out = x W^T + b (out is resized)
    AddToOutput,  // out += x W^T + b (a residual connection; out must already have the shape)
    Gelu,         // out = GELU(x W^T + b) (out is resized)
};

void linear_forward(const Linear& layer, const Matrix& x, Matrix& out, LinearOutput mode = LinearOutput::Store);
// Row-wise LayerNorm.
void layer_norm_forward(const LayerNorm& norm, const Matrix& x, Matrix& out);
// Numerically stable softmax of one row in place. Entries equal to -inf get exactly 0.
// Returns false (and writes zeros) when every entry is -inf: an all-masked row.
bool softmax_row_inplace(float* row, int n);

// Builds a Linear from a PyTorch [out, in] weight and optional [out] bias.
Linear make_linear(const std::vector<float>& weight_out_in, int out, int in, const std::vector<float>& bias);
// The same from a weight already laid out [in, out] (y = x W + b).
Linear make_linear_in_out(const Matrix& weight_in_out, const RowVector& bias);

}  // namespace vitscope
