// Where the embedded default models and sample images live, for every front end (no Qt).
#pragma once

#include <string>

namespace vitscope {

// $VITSCOPE_ASSETS when set, else the source tree's assets/ folder (compiled in) when it exists,
// else ../share/vitscope/assets beside the running executable (an installed or moved binary).
std::string default_assets_folder();
std::string default_vit_model_folder();   // <assets>/models/vitscope-vit-tiny
std::string default_swin_model_folder();  // <assets>/models/vitscope-swin-tiny
std::string default_image_file();         // <assets>/images/default.png

}  // namespace vitscope
