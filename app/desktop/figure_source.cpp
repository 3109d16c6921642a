#include "figure_source.h"

#include "session.h"
#include "view_settings.h"


namespace vitscope {

FigureInputs figure_inputs(const Session& s) { return figure_inputs(s.state()); }

std::optional<AttentionSource> attention_source(const Session& s) { return attention_source(s.state()); }

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
