// Decoding image files into the engine's RGB floats (Qt's image readers), with limits that keep a
// huge or broken file from taking the process down.
#pragma once

#include "image_limits.h"
#include "preprocess.h"

#include <QImage>
#include <QString>

namespace vitscope {

// The limits (kMaxImagePixels, kMaxDecodedPixels, kMaxAspectRatio) are in image_limits.h.

// Throws std::runtime_error with "<path>: <reason>" when the file cannot be read or decoded. When
// the image was downscaled on decode and `note` is given, it says so ("<path>: WxH pixels decoded at
// wxh ...").
RgbImage load_rgb_image(const QString& path, QString* note = nullptr);

// The size an image of `size` is decoded at: itself, or scaled to at most kMaxDecodedPixels.
QSize decoded_size(QSize size);

// Converts any QImage to RGB floats in [0,1] (alpha is composited over black).
RgbImage rgb_image_from_qimage(const QImage& image);
}  // namespace vitscope
