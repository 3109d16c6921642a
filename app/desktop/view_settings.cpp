#include "view_settings.h"

#include "attention_stats.h"
#include "session.h"

#include <QSettings>

#include <algorithm>

namespace vitscope {

ViewSettings::ViewSettings(Session* session, QObject* parent) : QObject(parent), session_(session) {}

const FigureSelection& ViewSettings::selection() const { return session_->state().selection; }
const FigureStyle& ViewSettings::style() const { return session_->state().style; }

void ViewSettings::set_selection(const FigureSelection& sel) {
    const FigureSelection& now = selection();
    if (sel.layer == now.layer && sel.head == now.head && sel.query == now.query) return;
    session_->set_selection(sel);
    emit selection_changed();
}

void ViewSettings::set_layer(int layer) {
    FigureSelection s = selection();
    s.layer = layer;
    set_selection(s);
}

void ViewSettings::set_head(int head) {
    FigureSelection s = selection();
    s.head = head;
    set_selection(s);
}

void ViewSettings::set_query(int query) {
    FigureSelection s = selection();
    s.query = query;
    set_selection(s);
}

void ViewSettings::set_style(const FigureStyle& style) {
    session_->set_style(style);
    emit style_changed();
}

void ViewSettings::set_tool(ToolMode tool) {
    if (tool == tool_) return;
    tool_ = tool;
    emit tool_changed();
}

void ViewSettings::set_text_scale(float scale) {
    if (scale == text_scale_) return;
    text_scale_ = scale;
    emit style_changed();
}

void ViewSettings::set_show_swin_regions(bool on) {
    if (on == show_regions_) return;
    show_regions_ = on;
    emit style_changed();
}

void ViewSettings::clamp_to(int depth, int heads, int tokens) {
    FigureSelection s = selection();
    s.layer = std::clamp(s.layer, 0, std::max(depth - 1, 0));
    if (s.head != kMeanOfHeads) s.head = std::clamp(s.head, 0, std::max(heads - 1, 0));
    s.query = std::clamp(s.query, 0, std::max(tokens - 1, 0));
    set_selection(s);
}

void ViewSettings::load(QSettings& s) {
    FigureStyle st;
    st.colormap = Colormap(std::clamp(s.value("view/colormap", 0).toInt(), 0, kNumColormaps - 1));
    st.normalization = Normalization(std::clamp(s.value("view/normalization", 0).toInt(), 0, kNumNormalizations - 1));
    st.log_scale = s.value("view/log_scale", false).toBool();
    st.sampling = s.value("view/smooth", false).toBool() ? Sampling::Smooth : Sampling::Nearest;
    st.opacity = std::clamp(s.value("view/opacity", 0.6).toFloat(), 0.0f, 1.0f);
    st.show_grid = s.value("view/grid", true).toBool();
    st.special_in_range = s.value("view/special_in_range", false).toBool();
    set_style(st);
}

void ViewSettings::save(QSettings& s) const {
    const FigureStyle& style_ = style();
    s.setValue("view/colormap", int(style_.colormap));
    s.setValue("view/normalization", int(style_.normalization));
    s.setValue("view/log_scale", style_.log_scale);
    s.setValue("view/smooth", style_.sampling == Sampling::Smooth);
    s.setValue("view/opacity", double(style_.opacity));
    s.setValue("view/grid", style_.show_grid);
    s.setValue("view/special_in_range", style_.special_in_range);
}

}  // namespace vitscope
