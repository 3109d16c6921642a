// Decoding image files into the engine's RGB floats (Qt's image readers), with limits that keep a
// huge or broken file from taking the process down.
#pragma once

#include "preprocess.h"

#include <QImage>
#include <QString>

namespace vitscope {

// Images above this many pixels are refused (a 100-megapixel photo is still fine).
constexpr qint64 kMaxImagePixels = 200'000'000;

// Throws std::runtime_error with "<path>: <reason>" when the file cannot be read or decoded.
RgbImage load_rgb_image(const QString& path);

// Converts any QImage to RGB floats in [0,1] (alpha is composited over black).
RgbImage rgb_image_from_qimage(const QImage& image);
}  // namespace vitscope
