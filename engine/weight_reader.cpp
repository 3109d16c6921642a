#include "weight_reader.h"

#include "tensor_names.h"

#include <cmath>

namespace vitscope {

std::vector<float> WeightReader::read(const std::string& name, const std::vector<int64_t>& shape) {
    std::vector<float> v = f_.read_f32(name, shape);
    // A NaN or infinite weight makes every output NaN: refuse it here, where the tensor has a name.
    for (size_t i = 0; i < v.size(); ++i)
        if (!std::isfinite(v[i]))
            throw FileError(f_.path() + ": tensor " + quoted_name(name) + " holds " + (std::isnan(v[i]) ? "NaN" : "infinity") +
                            " at element " + std::to_string(i));
    params_ += f_.info(name).numel();
    return v;
}

RowVector WeightReader::vec(const std::string& name, int n) {
    std::vector<float> v = read(name, {n});
    return Eigen::Map<const RowVector>(v.data(), n);
}

LayerNorm WeightReader::layer_norm(const std::string& base, int n, float eps) {
    LayerNorm ln;
    ln.weight = vec(base + ".weight", n);
    ln.bias = vec(base + ".bias", n);
    ln.eps = eps;
    return ln;
}

Linear WeightReader::linear(const std::string& base, int out, int in, Bias bias) {
    std::vector<float> w = read(base + ".weight", {out, in});
    std::vector<float> b;
    if (bias == Bias::Required || (bias == Bias::IfPresent && has(base + ".bias"))) b = read(base + ".bias", {out});
    return make_linear(w, out, in, b);
}

}  // namespace vitscope
