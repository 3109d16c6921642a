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
    if (const auto picture = s.input_picture()) in.image = *picture;
    for (const QString& l : s.labels()) in.labels.push_back(l.toStdString());
    in.model_name = s.model_name().toStdString();
    in.image_name = QFileInfo(s.image_name()).fileName().toStdString();
    if (in.image_name.empty()) in.image_name = s.image_name().toStdString();
    in.preprocess = preprocess_mode_name(s.preprocess_mode());
    return in;
}

std::optional<AttentionSource> attention_source(const Session& s) {
    FigureInputs in;  // the traces stay alive in the session
    in.vit = s.trace();
    in.swin = s.swin_trace();
    in.model = s.model();
    return attention_source(in);
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
