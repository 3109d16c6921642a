#include "stb_image_file.h"

#include "image_limits.h"

// The one translation unit with stb_image's implementation; static, so that it cannot clash with
// the copy in Debian's libstb.so that the imgui package links.
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>
#define STB_IMAGE_RESIZE_STATIC
#define STB_IMAGE_RESIZE_IMPLEMENTATION
#include <stb_image_resize.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <new>
#include <vector>
#include <stdexcept>

namespace vitscope {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& why) {
    throw std::runtime_error(path + ": " + why);
}

// What a PNG's first bytes say: the signature, and the size its IHDR chunk declares ({0, 0} when
// the file is too short). stb_image refuses to even describe a PNG above 2^30 bytes of pixels, so
// the limits' own message needs the size read here.
struct PngHeader {
    bool signature = false;
    ImageSize size;
};

PngHeader read_png_header(const std::string& path) {
    PngHeader out;
    std::ifstream in(path, std::ios::binary);
    unsigned char h[24] = {};
    in.read(reinterpret_cast<char*>(h), sizeof h);
    static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (in.gcount() < 8 || !std::equal(signature, signature + 8, h)) return out;
    out.signature = true;
    if (in.gcount() < 24 || !std::equal(h + 12, h + 16, "IHDR")) return out;
    auto be32 = [&](int at) { return uint32_t(h[at]) << 24 | uint32_t(h[at + 1]) << 16 | uint32_t(h[at + 2]) << 8 | h[at + 3]; };
    const uint32_t w = be32(16), ht = be32(20);
    if (w > 0 && ht > 0 && w <= 0x7fffffff && ht <= 0x7fffffff) out.size = {int(w), int(ht)};
    return out;
}

RgbImage decode(const std::string& path, std::string* note) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) fail(path, "no such file");
    if (!std::filesystem::is_regular_file(path, ec)) fail(path, "not a file");
    int w = 0, h = 0, channels = 0;
    if (!stbi_info(path.c_str(), &w, &h, &channels)) {
        const PngHeader png = read_png_header(path);
        if (const std::string problem = image_size_problem(png.size); !problem.empty()) fail(path, problem);
        if (png.signature) fail(path, "cannot decode image (a truncated or corrupt PNG)");
        fail(path, std::string("not an image the lab can decode (") + stbi_failure_reason() +
                       "; PNG, JPEG, BMP, GIF, TGA, PSD, HDR, PNM)");
    }
    if (const std::string problem = image_size_problem({w, h}); !problem.empty()) fail(path, problem);
    std::unique_ptr<stbi_uc, void (*)(void*)> pixels(stbi_load(path.c_str(), &w, &h, &channels, 3), stbi_image_free);
    if (!pixels) fail(path, std::string("cannot decode image (") + stbi_failure_reason() + ")");
    const ImageSize target = decoded_size({w, h});
    std::vector<stbi_uc> scaled;
    const stbi_uc* rgb = pixels.get();
    if (target.width != w || target.height != h) {
        scaled.resize(size_t(target.width) * target.height * 3);
        if (!stbir_resize_uint8(rgb, w, h, 0, scaled.data(), target.width, target.height, 0, 3))
            fail(path, "cannot downscale image");
        rgb = scaled.data();
        if (note) *note = downscale_note(path, {w, h}, target);
    }
    RgbImage img;
    img.width = target.width;
    img.height = target.height;
    img.pixels.resize(size_t(img.width) * img.height * 3);
    for (size_t i = 0; i < img.pixels.size(); ++i) img.pixels[i] = float(rgb[i]) / 255.0f;
    return img;
}

}  // namespace

RgbImage load_image_file(const std::string& path, std::string* note) {
    try {
        return decode(path, note);
    } catch (const std::bad_alloc&) {
        fail(path, "not enough memory to decode this image");
    }
}

}  // namespace vitscope
