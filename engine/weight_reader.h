// Reads named tensors of a checkpoint into the engine's layer structs, checking each shape and
// counting parameters. Shared by the architecture loaders (the naming mapping lives in each).
#pragma once

#include "nn_ops.h"
#include "safetensors.h"

#include <string>
#include <vector>

namespace vitscope {

class WeightReader {
public:
    explicit WeightReader(const SafetensorsFile& f) : f_(f) {}

    bool has(const std::string& name) const { return f_.has(name); }
    const std::vector<int64_t>& shape(const std::string& name) const { return f_.info(name).shape; }

    // Throws FileError naming the file and tensor when it is missing, has another shape, an integer
    // dtype, or a NaN or infinite value.
    std::vector<float> read(const std::string& name, const std::vector<int64_t>& shape);
    RowVector vec(const std::string& name, int n);
    LayerNorm layer_norm(const std::string& base, int n, float eps);

    enum class Bias { IfPresent, Required, None };
    // `base`.weight [out, in] (and `base`.bias [out]) -> a Linear laid out for row-major GEMM.
    Linear linear(const std::string& base, int out, int in, Bias bias = Bias::IfPresent);

    int64_t parameters() const { return params_; }

private:
    const SafetensorsFile& f_;
    int64_t params_ = 0;
};

}  // namespace vitscope
