#include "default_asset_paths.h"

#include <cstdlib>
#include <filesystem>

namespace vitscope {

std::string assets_folder_for(const std::string& env, const std::string& built, const std::string& executable) {
    if (!env.empty()) return env;
    std::error_code ec;
    // An installed program uses its own assets, even where the source tree it was built from exists.
    std::string installed;
    if (!executable.empty()) {
        installed = (std::filesystem::path(executable).parent_path() / ".." / "share" / "vitscope" / "assets")
                        .lexically_normal()
                        .string();
        if (std::filesystem::is_directory(installed, ec)) return installed;
    }
    if (std::filesystem::is_directory(built, ec) || installed.empty()) return built;
    return installed;
}

std::string default_assets_folder() {
    const char* env = std::getenv("VITSCOPE_ASSETS");
    std::error_code ec;
    const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    return assets_folder_for(env ? env : "", VITSCOPE_ASSETS_DIR, ec ? std::string() : exe.string());
}

std::string default_vit_model_folder() { return default_assets_folder() + "/models/vitscope-vit-tiny"; }
std::string default_swin_model_folder() { return default_assets_folder() + "/models/vitscope-swin-tiny"; }
std::string default_image_file() { return default_assets_folder() + "/images/default.png"; }

}  // namespace vitscope
