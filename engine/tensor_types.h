// The engine's matrix and buffer types.
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <vector>

namespace vitscope {

// Activations are [tokens, channels], row-major, as in PyTorch.
using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vector = Eigen::VectorXf;
using RowVector = Eigen::Matrix<float, 1, Eigen::Dynamic>;
// Flat float storage aligned like Eigen's own (64 bytes with AVX-512): vectorised reductions over
// it then take the same path on every run, so results are bit-for-bit reproducible.
using FloatBuffer = std::vector<float, Eigen::aligned_allocator<float>>;

// How many values are NaN or infinite (a model's output must have none to mean anything).
template <typename Values>
int64_t count_non_finite(const Values& v) {
    int64_t n = 0;
    for (const float x : v) n += std::isfinite(x) ? 0 : 1;
    return n;
}

}  // namespace vitscope
