#include "default_assets.h"

#include "default_asset_paths.h"

namespace vitscope {

QString default_assets_dir() { return QString::fromStdString(default_assets_folder()); }
QString default_vit_model_path() { return QString::fromStdString(default_vit_model_folder()); }
QString default_swin_model_path() { return QString::fromStdString(default_swin_model_folder()); }
QString default_image_path() { return QString::fromStdString(default_image_file()); }

}  // namespace vitscope
