// Writing RGBA8 pixels as a PNG file (stb_image_write from Debian's libstb-dev), atomically: to a
// temporary file beside the target, then renamed, so a failed write leaves nothing behind.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vitscope {

// `rgba` is width * height * 4 bytes, top row first. Throws std::runtime_error "<path>: <reason>".
void write_png_file(const std::string& path, int width, int height, const std::vector<uint8_t>& rgba);

}  // namespace vitscope
