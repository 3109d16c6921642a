// The model's evaluation transform: RGB floats in, a normalised [3, H, W] tensor out.
// Decoding image files is the front end's job.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace vitscope {

struct RgbImage {
    int width = 0;
    int height = 0;
    std::vector<float> pixels;  // [height, width, 3], values in [0, 1]
};

enum class PreprocessMode {
    Crop,  // resize the shorter side to size / crop_pct (bicubic, antialiased), then center crop
    Pad,   // letterbox the whole image into the model's input; padding patches are marked
    None,  // the image must already be exactly the model's input size
};

const char* preprocess_mode_name(PreprocessMode m);
bool parse_preprocess_mode(const std::string& s, PreprocessMode& out);

struct PreprocessConfig {
    int height = 224;  // model input size
    int width = 224;
    int patch_size = 16;
    float crop_pct = 0.9f;
    std::array<float, 3> mean{0.485f, 0.456f, 0.406f};
    std::array<float, 3> std{0.229f, 0.224f, 0.225f};
};

struct ModelInput {
    int height = 0;
    int width = 0;
    std::vector<float> chw;  // [3, height, width], normalised
    // Per patch (row-major over the patch grid): 1 when the patch lies entirely in padding.
    std::vector<unsigned char> patch_is_padding;
    // Where the image content lies in the input (pixels), for drawing.
    int content_x = 0, content_y = 0, content_width = 0, content_height = 0;

    int grid_height(int patch) const { return height / patch; }
    int grid_width(int patch) const { return width / patch; }
    bool has_padding() const;
};

// The resized image 'crop' makes before cropping is at most this many pixels (an extreme aspect
// ratio would otherwise ask for gigabytes: 1x100000 pixels at crop 224/256 -> 256x25600000).
constexpr int64_t kMaxResizePixels = 64'000'000;

// Throws std::invalid_argument with a user-facing message (e.g. wrong size for `none`, empty image,
// an input size or patch outside model_limits.h).
ModelInput preprocess(const RgbImage& image, PreprocessMode mode, const PreprocessConfig& cfg);

// Throws std::invalid_argument unless `input` is a `channels` x H x W tensor with H and W multiples
// of `patch` (what every model's forward pass needs).
void check_model_input(const ModelInput& input, int channels, int patch);

// Wraps an already-normalised [3, H, W] tensor (tests, reference inputs).
ModelInput model_input_from_tensor(std::vector<float> chw, int height, int width, int patch_size);

}  // namespace vitscope
