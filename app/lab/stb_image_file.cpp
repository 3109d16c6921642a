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

#include <filesystem>
#include <memory>
#include <new>
#include <vector>
#include <stdexcept>

namespace vitscope {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& why) {
    throw std::runtime_error(path + ": " + why);
}

RgbImage decode(const std::string& path, std::string* note) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) fail(path, "no such file");
    if (!std::filesystem::is_regular_file(path, ec)) fail(path, "not a file");
    int w = 0, h = 0, channels = 0;
    if (!stbi_info(path.c_str(), &w, &h, &channels))
        fail(path, std::string("not an image the lab can decode (") + stbi_failure_reason() +
                       "; PNG, JPEG, BMP, GIF, TGA, PSD, HDR, PNM)");
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
