#include "image_loader.h"

#include <QFileInfo>
#include <QImage>
#include <QImageReader>
#include <algorithm>
#include <cmath>
#include <new>
#include <stdexcept>

namespace vitscope {

RgbImage rgb_image_from_qimage(const QImage& image) {
    const QImage rgb = image.convertToFormat(QImage::Format_RGB888);
    RgbImage out;
    out.width = rgb.width();
    out.height = rgb.height();
    out.pixels.resize(size_t(out.width) * out.height * 3);
    for (int y = 0; y < out.height; ++y) {
        const uchar* line = rgb.constScanLine(y);
        float* dst = &out.pixels[size_t(y) * out.width * 3];
        for (int i = 0; i < out.width * 3; ++i) dst[i] = float(line[i]) / 255.0f;
    }
    return out;
}

QSize decoded_size(QSize size) {
    const qint64 pixels = qint64(size.width()) * size.height();
    if (pixels <= kMaxDecodedPixels) return size;
    const double s = std::sqrt(double(kMaxDecodedPixels) / double(pixels));
    return QSize(std::max(1, int(size.width() * s)), std::max(1, int(size.height() * s)));
}

namespace {

template <typename Fail>
void check_aspect_ratio(QSize size, const Fail& fail) {
    const qint64 w = size.width(), h = size.height();
    if (w > 0 && h > 0 && (w > h * kMaxAspectRatio || h > w * kMaxAspectRatio))
        fail(QString("image is %1x%2 pixels, more than %3 times as %4 as it is %5 (no model input can show it)")
                 .arg(w)
                 .arg(h)
                 .arg(kMaxAspectRatio)
                 .arg(w > h ? "wide" : "tall")
                 .arg(w > h ? "tall" : "wide"));
}

RgbImage decode(const QString& path, QString* note) {
    auto fail = [&](const QString& why) { throw std::runtime_error((path + ": " + why).toStdString()); };
    const QFileInfo fi(path);
    if (!fi.exists()) fail("no such file");
    if (!fi.isFile()) fail("not a file");
    QImageReader reader(path);
    reader.setAutoTransform(true);
    if (!reader.canRead()) fail("not an image Qt can decode (" + reader.errorString() + ")");
    const QSize size = reader.size();
    if (size.isValid() && qint64(size.width()) * size.height() > kMaxImagePixels)
        fail(QString("image is %1x%2 pixels, more than the %3-megapixel limit")
                 .arg(size.width())
                 .arg(size.height())
                 .arg(kMaxImagePixels / 1'000'000));
    if (size.isValid()) check_aspect_ratio(size, fail);
    // Formats that do not state their size up front are still bounded by Qt's allocation limit.
    QImageReader::setAllocationLimit(int(kMaxImagePixels * 4 / (1024 * 1024)) + 1);
    const QSize target = size.isValid() ? decoded_size(size) : size;
    if (target != size) {
        reader.setScaledSize(target);
        if (note)
            *note = QString("%1: %2x%3 pixels decoded at %4x%5 (images are downscaled to at most %6 megapixels)")
                        .arg(path)
                        .arg(size.width())
                        .arg(size.height())
                        .arg(target.width())
                        .arg(target.height())
                        .arg(double(kMaxDecodedPixels) / 1e6, 0, 'f', 1);
    }
    const QImage image = reader.read();
    if (image.isNull()) fail("cannot decode image (" + reader.errorString() + ")");
    check_aspect_ratio(image.size(), fail);
    return rgb_image_from_qimage(image);
}

}  // namespace

RgbImage load_rgb_image(const QString& path, QString* note) {
    try {
        return decode(path, note);
    } catch (const std::bad_alloc&) {
        throw std::runtime_error((path + ": not enough memory to decode this image").toStdString());
    }
}

}  // namespace vitscope
