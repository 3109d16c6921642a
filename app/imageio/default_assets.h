// Where the embedded default models and sample images live, as QStrings for the Qt front end (the
// Qt-free functions in app/core/default_asset_paths.h decide).
#pragma once

#include <QString>

namespace vitscope {

// $VITSCOPE_ASSETS when set, else ../share/vitscope/assets beside the executable when it exists
// (an installed program), else the source tree's assets/ folder (see default_assets_folder()).
QString default_assets_dir();
QString default_vit_model_path();   // <assets>/models/vitscope-vit-tiny
QString default_swin_model_path();  // <assets>/models/vitscope-swin-tiny
QString default_image_path();       // <assets>/images/default.png

}  // namespace vitscope
