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
    const ImageSize d = vitscope::decoded_size(ImageSize{size.width(), size.height()});
    return QSize(d.width, d.height);
}

namespace {

template <typename Fail>
void check_size(QSize size, const Fail& fail) {
    const std::string problem = image_size_problem(ImageSize{size.width(), size.height()});
    if (!problem.empty()) fail(QString::fromStdString(problem));
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
    if (size.isValid()) check_size(size, fail);
    // Formats that do not state their size up front are still bounded by Qt's allocation limit.
    QImageReader::setAllocationLimit(int(kMaxImagePixels * 4 / (1024 * 1024)) + 1);
    const QSize target = size.isValid() ? decoded_size(size) : size;
    if (target != size) {
        reader.setScaledSize(target);
        if (note)
            *note = QString::fromStdString(downscale_note(path.toStdString(), ImageSize{size.width(), size.height()},
                                                          ImageSize{target.width(), target.height()}));
    }
    const QImage image = reader.read();
    if (image.isNull()) fail("cannot decode image (" + reader.errorString() + ")");
    check_size(image.size(), fail);
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
