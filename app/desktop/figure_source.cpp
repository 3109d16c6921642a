#include "figure_source.h"

#include "session.h"
#include "view_settings.h"

#include <QFileInfo>

namespace vitscope {

FigureInputs figure_inputs(const Session& s) {
    FigureInputs in;
    in.vit = s.trace();
    in.vit_baseline = s.baseline();
    in.swin = s.swin_trace();
    in.swin_baseline = s.swin_baseline();
    in.model = s.model();
    const QImage img = s.input_image();
    if (!img.isNull()) {
        const QImage rgba = img.format() == QImage::Format_RGBA8888 ? img : img.convertToFormat(QImage::Format_RGBA8888);
        in.image.width = rgba.width();
        in.image.height = rgba.height();
        in.image.key = uint64_t(img.cacheKey());
        in.image.rgba.resize(size_t(rgba.width()) * rgba.height() * 4);
        for (int y = 0; y < rgba.height(); ++y)
            std::copy_n(rgba.constScanLine(y), size_t(rgba.width()) * 4, &in.image.rgba[size_t(y) * rgba.width() * 4]);
    }
    for (const QString& l : s.labels()) in.labels.push_back(l.toStdString());
    in.model_name = s.model_name().toStdString();
    in.image_name = QFileInfo(s.image_name()).fileName().toStdString();
    if (in.image_name.empty()) in.image_name = s.image_name().toStdString();
    in.preprocess = preprocess_mode_name(s.preprocess_mode());
    return in;
}

FigureSelection figure_selection(const ViewSettings& v) { return {v.layer(), v.head(), v.query()}; }

Theme live_theme(const ViewSettings& v) {
    return v.text_scale() == 1.0f ? theme_dark() : theme_scaled(theme_dark(), v.text_scale());
}

FigureOptions figure_options(const ViewSettings& v) {
    FigureOptions o;
    o.style = v.style();
    o.swin_regions = v.show_swin_regions();
    o.provenance = false;
    return o;
}

}  // namespace vitscope
