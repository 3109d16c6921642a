#include "image_limits.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace vitscope {

ImageSize decoded_size(ImageSize size) {
    const int64_t pixels = int64_t(size.width) * size.height;
    if (pixels <= kMaxDecodedPixels) return size;
    const double s = std::sqrt(double(kMaxDecodedPixels) / double(pixels));
    return {std::max(1, int(size.width * s)), std::max(1, int(size.height * s))};
}

std::string image_size_problem(ImageSize size) {
    const int64_t w = size.width, h = size.height;
    if (w * h > kMaxImagePixels)
        return "image is " + std::to_string(w) + "x" + std::to_string(h) + " pixels, more than the " +
               std::to_string(kMaxImagePixels / 1'000'000) + "-megapixel limit";
    if (w > 0 && h > 0 && (w > h * kMaxAspectRatio || h > w * kMaxAspectRatio))
        return "image is " + std::to_string(w) + "x" + std::to_string(h) + " pixels, more than " +
               std::to_string(kMaxAspectRatio) + " times as " + (w > h ? "wide" : "tall") + " as it is " +
               (w > h ? "tall" : "wide") + " (no model input can show it)";
    return {};
}

std::string downscale_note(const std::string& path, ImageSize size, ImageSize decoded) {
    char megapixels[32];
    std::snprintf(megapixels, sizeof megapixels, "%.1f", double(kMaxDecodedPixels) / 1e6);
    return path + ": " + std::to_string(size.width) + "x" + std::to_string(size.height) + " pixels decoded at " +
           std::to_string(decoded.width) + "x" + std::to_string(decoded.height) +
           " (images are downscaled to at most " + megapixels + " megapixels)";
}

}  // namespace vitscope
