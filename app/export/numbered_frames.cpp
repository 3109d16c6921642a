#include "numbered_frames.h"

#include "figure_export.h"

#include <QBuffer>
#include <QDir>
#include <QFileInfo>

#include <cstdio>

namespace vitscope {

std::string numbered_frame_name(const std::string& stem, int index, int count) {
    int digits = 3;
    for (int n = 1000; n < count; n *= 10) ++digits;
    char number[16];
    std::snprintf(number, sizeof number, "%0*d", digits, index);
    return stem + "_" + number + ".png";
}

std::vector<std::string> write_numbered_pngs(const std::string& folder, const std::string& stem,
                                             const std::vector<QImage>& frames) {
    const QString dir = QString::fromStdString(folder);
    const QFileInfo info(dir);
    if (info.exists() && !info.isDir()) throw ExportError(folder + ": not a folder (a file of that name exists)");
    if (!info.exists() && !QDir().mkdir(dir))
        throw ExportError(folder + ": cannot create the folder (does its parent folder exist and is it writable?)");
    std::vector<std::string> paths;
    for (size_t i = 0; i < frames.size(); ++i) {
        QByteArray png;
        QBuffer buffer(&png);
        buffer.open(QIODevice::WriteOnly);
        if (!frames[i].save(&buffer, "PNG")) throw ExportError("PNG encoder failed on frame " + std::to_string(i));
        const std::string path =
            QDir(dir).filePath(QString::fromStdString(numbered_frame_name(stem, int(i), int(frames.size())))).toStdString();
        write_file_atomically(path, png);
        paths.push_back(path);
    }
    return paths;
}

}  // namespace vitscope
