#include "default_assets.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace vitscope {

QString default_assets_dir() {
    const QString env = qEnvironmentVariable("VITSCOPE_ASSETS");
    if (!env.isEmpty()) return env;
    const QString built = QStringLiteral(VITSCOPE_ASSETS_DIR);
    if (QFileInfo(built).isDir()) return built;
    if (QCoreApplication::instance())
        return QDir(QCoreApplication::applicationDirPath()).filePath("../share/vitscope/assets");
    return built;
}

QString default_vit_model_path() { return default_assets_dir() + "/models/vitscope-vit-tiny"; }
QString default_swin_model_path() { return default_assets_dir() + "/models/vitscope-swin-tiny"; }
QString default_image_path() { return default_assets_dir() + "/images/default.png"; }

}  // namespace vitscope
