#include "png_file.h"

#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>

#include <filesystem>
#include <stdexcept>
#include <unistd.h>

namespace vitscope {

void write_png_file(const std::string& path, int width, int height, const std::vector<uint8_t>& rgba) {
    namespace fs = std::filesystem;
    if (width <= 0 || height <= 0 || rgba.size() != size_t(width) * height * 4)
        throw std::runtime_error(path + ": no pixels to write (" + std::to_string(width) + "x" +
                                 std::to_string(height) + ")");
    const fs::path target(path);
    std::error_code ec;
    const fs::path folder = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    if (!fs::is_directory(folder, ec))
        throw std::runtime_error(path + ": the folder " + folder.string() + " does not exist");
    const fs::path temp = folder / ("." + target.filename().string() + ".tmp-" + std::to_string(getpid()));
    if (!stbi_write_png(temp.c_str(), width, height, 4, rgba.data(), width * 4)) {
        fs::remove(temp, ec);
        throw std::runtime_error(path + ": cannot write the PNG (is the folder writable?)");
    }
    fs::rename(temp, target, ec);
    if (ec) {
        fs::remove(temp, ec);
        throw std::runtime_error(path + ": cannot move the written PNG into place (" + ec.message() + ")");
    }
}

}  // namespace vitscope
