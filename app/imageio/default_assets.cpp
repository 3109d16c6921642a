#include "default_assets.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace vitscope {

namespace {

// The running program's folder: from Qt when an application object exists, else (the CLI's
// commands that need none) from /proc/self/exe; "" when neither says.
QString executable_dir() {
    if (QCoreApplication::instance()) return QCoreApplication::applicationDirPath();
    const QFileInfo self(QStringLiteral("/proc/self/exe"));
    return self.exists() ? QFileInfo(self.canonicalFilePath()).absolutePath() : QString();
}

}  // namespace

QString default_assets_dir() {
    const QString env = qEnvironmentVariable("VITSCOPE_ASSETS");
    if (!env.isEmpty()) return env;
    // An installed program uses its own assets, even where the source tree it was built from exists.
    const QString exe_dir = executable_dir();
    const QString installed = exe_dir.isEmpty() ? QString() : QDir(exe_dir).filePath("../share/vitscope/assets");
    if (!installed.isEmpty() && QFileInfo(installed).isDir()) return QDir::cleanPath(installed);
    const QString built = QStringLiteral(VITSCOPE_ASSETS_DIR);
    if (QFileInfo(built).isDir() || installed.isEmpty()) return built;
    return QDir::cleanPath(installed);
}

QString default_vit_model_path() { return default_assets_dir() + "/models/vitscope-vit-tiny"; }
QString default_swin_model_path() { return default_assets_dir() + "/models/vitscope-swin-tiny"; }
QString default_image_path() { return default_assets_dir() + "/images/default.png"; }

}  // namespace vitscope
