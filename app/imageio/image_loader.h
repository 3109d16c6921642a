// Decoding image files into the engine's RGB floats (Qt's image readers), with limits that keep a
// huge or broken file from taking the process down.
#pragma once

#include "preprocess.h"

#include <QImage>
#include <QString>

namespace vitscope {

// Files above this many pixels are refused unread (a 100-megapixel photo is still fine): formats
// that cannot scale while decoding need 4 bytes per pixel in Qt's decoder first.
constexpr qint64 kMaxImagePixels = 200'000'000;

// Larger images are downscaled on decode (aspect ratio kept) to at most this many pixels, 4096x4096:
// what follows (float RGB copy, planar copy, resize) then costs at most ~0.6 GB. No model input is
// larger than 4096x4096 (kMaxImageSide), so nothing a model can see is lost.
constexpr qint64 kMaxDecodedPixels = 4096LL * 4096;

// Images longer than this many times their width (or wider than this many times their height) are
// refused: a square model input shows a sliver of them at best, and Qt's smooth downscaling of a
// very thin image on decode takes minutes (a 16x1048600 BMP: three minutes, found by fuzz_image).
constexpr int kMaxAspectRatio = 100;

// Throws std::runtime_error with "<path>: <reason>" when the file cannot be read or decoded. When
// the image was downscaled on decode and `note` is given, it says so ("<path>: WxH pixels decoded at
// wxh ...").
RgbImage load_rgb_image(const QString& path, QString* note = nullptr);

// The size an image of `size` is decoded at: itself, or scaled to at most kMaxDecodedPixels.
QSize decoded_size(QSize size);

// Converts any QImage to RGB floats in [0,1] (alpha is composited over black).
RgbImage rgb_image_from_qimage(const QImage& image);
}  // namespace vitscope
