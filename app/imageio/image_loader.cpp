#include "image_loader.h"

#include <QFileInfo>
#include <QImage>
#include <QImageReader>
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

RgbImage load_rgb_image(const QString& path) {
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
    QImageReader::setAllocationLimit(int(kMaxImagePixels * 4 / (1024 * 1024)) + 1);
    const QImage image = reader.read();
    if (image.isNull()) fail("cannot decode image (" + reader.errorString() + ")");
    return rgb_image_from_qimage(image);
}

}  // namespace vitscope
