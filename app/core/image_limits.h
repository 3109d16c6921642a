// The limits every image decoder of vitscope applies (Qt's readers in the app, stb_image in the
// lab), so that a huge or broken file cannot take the process down. Plain integers, no decoder.
#pragma once

#include <cstdint>
#include <string>

namespace vitscope {

// Files above this many pixels are refused unread (a 100-megapixel photo is still fine): formats
// that cannot scale while decoding need 4 bytes per pixel in the decoder first.
constexpr int64_t kMaxImagePixels = 200'000'000;

// Larger images are downscaled on decode (aspect ratio kept) to at most this many pixels, 4096x4096:
// what follows (float RGB copy, planar copy, resize) then costs at most ~0.6 GB. No model input is
// larger than 4096x4096 (kMaxImageSide), so nothing a model can see is lost.
constexpr int64_t kMaxDecodedPixels = 4096LL * 4096;

// Images longer than this many times their width (or wider than this many times their height) are
// refused: a square model input shows a sliver of them at best, and smooth downscaling of a very
// thin image takes minutes (a 16x1048600 BMP: three minutes, found by fuzz_image).
constexpr int kMaxAspectRatio = 100;

struct ImageSize {
    int width = 0, height = 0;
    bool operator==(const ImageSize&) const = default;
};

// The size an image of `size` is decoded at: itself, or scaled to at most kMaxDecodedPixels.
ImageSize decoded_size(ImageSize size);

// Why an image of this size is refused ("image is 30000x20000 pixels, more than the 200-megapixel
// limit"), or empty when it is not.
std::string image_size_problem(ImageSize size);

// The note for an image downscaled on decode ("<path>: WxH pixels decoded at wxh (...)").
std::string downscale_note(const std::string& path, ImageSize size, ImageSize decoded);

}  // namespace vitscope
