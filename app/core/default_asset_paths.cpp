#include "default_asset_paths.h"

#include <cstdlib>
#include <filesystem>

namespace vitscope {

std::string default_assets_folder() {
    if (const char* env = std::getenv("VITSCOPE_ASSETS"); env && *env) return env;
    const std::string built = VITSCOPE_ASSETS_DIR;
    std::error_code ec;
    if (std::filesystem::is_directory(built, ec)) return built;
    const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) return (exe.parent_path() / ".." / "share" / "vitscope" / "assets").lexically_normal().string();
    return built;
}

std::string default_vit_model_folder() { return default_assets_folder() + "/models/vitscope-vit-tiny"; }
std::string default_swin_model_folder() { return default_assets_folder() + "/models/vitscope-swin-tiny"; }
std::string default_image_file() { return default_assets_folder() + "/images/default.png"; }

}  // namespace vitscope
