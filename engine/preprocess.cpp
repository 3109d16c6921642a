#include "preprocess.h"

#include "checkpoint_source.h"
#include "image_resize.h"
#include "model_limits.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace vitscope {

const char* preprocess_mode_name(PreprocessMode m) {
    switch (m) {
    case PreprocessMode::Crop: return "crop";
    case PreprocessMode::Pad: return "pad";
    case PreprocessMode::None: return "none";
    }
    return "?";
}

bool parse_preprocess_mode(const std::string& s, PreprocessMode& out) {
    if (s == "crop") out = PreprocessMode::Crop;
    else if (s == "pad") out = PreprocessMode::Pad;
    else if (s == "none") out = PreprocessMode::None;
    else return false;
    return true;
}

bool ModelInput::has_padding() const {
    return std::any_of(patch_is_padding.begin(), patch_is_padding.end(), [](unsigned char c) { return c != 0; });
}

namespace {

std::string fmt_int(double v) { return std::to_string(int64_t(v)); }

std::vector<float> to_planar(const RgbImage& img) {
    std::vector<float> chw(size_t(3) * img.height * img.width);
    const size_t plane = size_t(img.height) * img.width;
    for (size_t i = 0; i < plane; ++i)
        for (int c = 0; c < 3; ++c) chw[size_t(c) * plane + i] = img.pixels[i * 3 + size_t(c)];
    return chw;
}

void normalise(std::vector<float>& chw, int h, int w, const PreprocessConfig& cfg) {
    const size_t plane = size_t(h) * w;
    for (int c = 0; c < 3; ++c) {
        const float m = cfg.mean[size_t(c)], inv = 1.0f / cfg.std[size_t(c)];
        for (size_t i = 0; i < plane; ++i) chw[size_t(c) * plane + i] = (chw[size_t(c) * plane + i] - m) * inv;
    }
}

}  // namespace

ModelInput preprocess(const RgbImage& image, PreprocessMode mode, const PreprocessConfig& cfg) {
    if (image.width <= 0 || image.height <= 0) throw std::invalid_argument("the image is empty");
    if (image.pixels.size() != size_t(image.width) * image.height * 3)
        throw std::invalid_argument("the image's pixel buffer does not match its size");
    if (cfg.patch_size < 1 || cfg.height < cfg.patch_size || cfg.width < cfg.patch_size || cfg.height > kMaxImageSide ||
        cfg.width > kMaxImageSide)
        throw std::invalid_argument("input size " + std::to_string(cfg.height) + "x" + std::to_string(cfg.width) +
                                    " with patch size " + std::to_string(cfg.patch_size) + " is outside the limits (patch >= 1, " +
                                    "patch <= side <= " + std::to_string(kMaxImageSide) + ")");
    if (!(cfg.crop_pct >= kMinCropPct && cfg.crop_pct <= kMaxCropPct))
        throw std::invalid_argument("crop_pct " + std::to_string(cfg.crop_pct) + " is outside [" +
                                    std::to_string(kMinCropPct) + ", " + std::to_string(kMaxCropPct) + "]");
    if (cfg.height % cfg.patch_size != 0 || cfg.width % cfg.patch_size != 0)
        throw std::invalid_argument("input size " + std::to_string(cfg.height) + "x" + std::to_string(cfg.width) +
                                    " is not a multiple of the patch size " + std::to_string(cfg.patch_size));
    const int H = cfg.height, W = cfg.width;
    ModelInput in;
    in.height = H;
    in.width = W;
    in.content_width = W;
    in.content_height = H;
    std::vector<float> src = to_planar(image);

    switch (mode) {
    case PreprocessMode::None:
        if (image.width != W || image.height != H)
            throw std::invalid_argument("preprocess 'none' needs an image of exactly " + std::to_string(W) + "x" +
                                        std::to_string(H) + " pixels; this one is " + std::to_string(image.width) +
                                        "x" + std::to_string(image.height) + " (use 'crop' or 'pad')");
        in.chw = std::move(src);
        break;
    case PreprocessMode::Crop: {
        // As timm/torchvision: shorter side -> floor(size / crop_pct), longer side scaled and truncated.
        const int target_short = std::max(int(std::floor(std::min(H, W) / double(cfg.crop_pct))), std::max(H, W));
        // The longer side follows the aspect ratio: bounded before anything is allocated.
        const double long_side = double(target_short) * std::max(image.width, image.height) /
                                 std::min(image.width, image.height);
        if (long_side * target_short > double(kMaxResizePixels))
            throw std::invalid_argument(
                "a " + std::to_string(image.width) + "x" + std::to_string(image.height) + " image would be resized to " +
                std::to_string(target_short) + "x" + fmt_int(long_side) + " before the crop, more than the limit of " +
                std::to_string(kMaxResizePixels) + " pixels (use 'pad')");
        int rw, rh;
        if (image.width <= image.height) {
            rw = target_short;
            rh = std::max(H, int(long_side));
        } else {
            rh = target_short;
            rw = std::max(W, int(long_side));
        }
        const int top = int(std::nearbyint((rh - H) / 2.0));  // round half to even, as torchvision
        const int left = int(std::nearbyint((rw - W) / 2.0));
        // Only the centre crop is computed: the same numbers as resizing all and cropping.
        in.chw = resize_bicubic_antialias_window(src, 3, image.height, image.width, rh, rw, top, left, H, W);
        break;
    }
    case PreprocessMode::Pad: {
        const double s = std::min(double(W) / image.width, double(H) / image.height);
        const int rw = std::clamp(int(std::lround(image.width * s)), 1, W);
        const int rh = std::clamp(int(std::lround(image.height * s)), 1, H);
        std::vector<float> resized = resize_bicubic_antialias(src, 3, image.height, image.width, rh, rw);
        in.content_x = (W - rw) / 2;
        in.content_y = (H - rh) / 2;
        in.content_width = rw;
        in.content_height = rh;
        in.chw.assign(size_t(3) * H * W, 0.0f);
        for (int c = 0; c < 3; ++c) {  // padding is the mean colour, i.e. 0 after normalisation
            std::fill_n(&in.chw[size_t(c) * H * W], size_t(H) * W, cfg.mean[size_t(c)]);
            for (int y = 0; y < rh; ++y)
                std::copy_n(&resized[(size_t(c) * rh + y) * rw], rw,
                            &in.chw[(size_t(c) * H + in.content_y + y) * W + in.content_x]);
        }
        break;
    }
    }
    normalise(in.chw, H, W, cfg);

    const int gh = H / cfg.patch_size, gw = W / cfg.patch_size, P = cfg.patch_size;
    in.patch_is_padding.assign(size_t(gh) * gw, 0);
    for (int gy = 0; gy < gh; ++gy)
        for (int gx = 0; gx < gw; ++gx) {
            const bool outside_x = (gx + 1) * P <= in.content_x || gx * P >= in.content_x + in.content_width;
            const bool outside_y = (gy + 1) * P <= in.content_y || gy * P >= in.content_y + in.content_height;
            in.patch_is_padding[size_t(gy) * gw + gx] = (outside_x || outside_y) ? 1 : 0;
        }
    return in;
}

void check_model_input(const ModelInput& input, int channels, int P) {
    if (input.height <= 0 || input.width <= 0 || input.height % P != 0 || input.width % P != 0)
        throw std::invalid_argument("input " + std::to_string(input.width) + "x" + std::to_string(input.height) +
                                    " is not a multiple of the patch size " + std::to_string(P));
    if (input.chw.size() != size_t(channels) * input.height * input.width)
        throw std::invalid_argument("input tensor does not have " + std::to_string(channels) + " channels");
}

ModelInput model_input_from_tensor(std::vector<float> chw, int height, int width, int patch_size) {
    if (chw.size() != size_t(3) * height * width)
        throw std::invalid_argument("input tensor has " + std::to_string(chw.size()) + " values, expected 3x" +
                                    std::to_string(height) + "x" + std::to_string(width));
    ModelInput in;
    in.height = height;
    in.width = width;
    in.chw = std::move(chw);
    in.content_width = width;
    in.content_height = height;
    in.patch_is_padding.assign(size_t(height / patch_size) * (width / patch_size), 0);
    return in;
}

}  // namespace vitscope
