#include "model_limits.h"

#include "safetensors.h"
#include "tensor_names.h"

namespace vitscope {

int checked_hparam(int64_t value, int64_t lo, int64_t hi, const std::string& file, const std::string& tensor,
                   const std::string& what) {
    if (value < lo || value > hi)
        throw FileError(file + ": tensor " + quoted_name(tensor) + " gives " + what + " " + std::to_string(value) +
                        ", outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return int(value);
}

}  // namespace vitscope
