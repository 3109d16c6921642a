#include "input_picture.h"

#include <algorithm>
#include <cmath>

namespace vitscope {

FigureImage input_picture(const ModelInput& input, const std::array<float, 3>& mean, const std::array<float, 3>& std) {
    FigureImage img;
    img.width = input.width;
    img.height = input.height;
    const size_t plane = size_t(input.width) * size_t(input.height);
    img.rgba.resize(plane * 4);
    uint64_t hash = 1469598103934665603ull;  // FNV-1a over the pixels
    for (size_t i = 0; i < plane; ++i) {
        for (size_t c = 0; c < 3; ++c) {
            const float v = input.chw[c * plane + i] * std[c] + mean[c];
            const uint8_t b = uint8_t(std::clamp(int(std::lround(v * 255.0f)), 0, 255));
            img.rgba[i * 4 + c] = b;
            hash = (hash ^ b) * 1099511628211ull;
        }
        img.rgba[i * 4 + 3] = 255;
    }
    img.key = hash ? hash : 1;
    return img;
}

}  // namespace vitscope
