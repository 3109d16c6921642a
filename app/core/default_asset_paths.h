// Where the embedded default models and sample images live, for every front end (no Qt).
#pragma once

#include <string>

namespace vitscope {

// $VITSCOPE_ASSETS when set, else ../share/vitscope/assets beside the running executable when it
// exists (an installed program), else the source tree's assets/ folder (compiled in) when it exists,
// else that installed path (a moved binary: its assets are expected there).
std::string default_assets_folder();
std::string default_vit_model_folder();   // <assets>/models/vitscope-vit-tiny
std::string default_swin_model_folder();  // <assets>/models/vitscope-swin-tiny
std::string default_image_file();         // <assets>/images/default.png

// The rule itself, for tests: `env` ($VITSCOPE_ASSETS, may be empty), `built` (the compiled-in
// folder), `executable` (the running binary's path).
std::string assets_folder_for(const std::string& env, const std::string& built, const std::string& executable);

}  // namespace vitscope
