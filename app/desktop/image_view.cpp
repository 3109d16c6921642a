#include "image_view.h"

#include "figure_frame.h"
#include "figure_parts.h"
#include "figure_source.h"
#include "image_view_hit.h"
#include "session.h"
#include "view_settings.h"

#include <QMouseEvent>

#include <cmath>

namespace vitscope {

ImageView::ImageView(Session* session, ViewSettings* settings, QWidget* parent)
    : GlFigureWidget(parent), session_(session), settings_(settings) {
    setMouseTracking(true);
    setMinimumSize(200, 200);  // small windows (a projector at 640x420) keep every dock apart
    connect(session_, &Session::trace_changed, this, &ImageView::data_changed);
    connect(session_, &Session::model_changed, this, &ImageView::data_changed);
    connect(settings_, &ViewSettings::selection_changed, this, &ImageView::data_changed);
    connect(settings_, &ViewSettings::style_changed, this, &ImageView::data_changed);
    connect(settings_, &ViewSettings::tool_changed, this, [this] {
        setCursor(settings_->tool() == ToolMode::Mask ? Qt::CrossCursor : Qt::ArrowCursor);
        refresh();
    });
}

int ImageView::shown_layer() const {
    const auto src = attention_source(*session_);
    return std::clamp(settings_->layer(), 0, std::max(src ? src->layers() - 1 : 0, 0));
}

BuiltFigure ImageView::build(float width, float height) {
    FigureOptions o = figure_options(*settings_);
    o.hover_token = hover_token_;
    const FigureInputs in = figure_inputs(*session_);
    partition_ = SwinPartition{};
    if (in.swin && !in.swin->blocks.empty()) {
        partition_ = swin_partition(*in.swin, shown_layer());
        o.hint = tr("%1×%2 windows of %3×%3 tokens, shift %4 · dimmed: outside the query's window · ")
                     .arg((partition_.grid_h + partition_.window - 1) / std::max(partition_.window, 1))
                     .arg((partition_.grid_w + partition_.window - 1) / std::max(partition_.window, 1))
                     .arg(partition_.window)
                     .arg(partition_.shift)
                     .toStdString();
    }
    o.hint = (settings_->tool() == ToolMode::Mask ? tr("Mask tool: click or drag to mask keys")
                                                  : tr("Click a patch to make it the query"))
                 .toStdString() +
             " · " + o.hint + normalization_name(o.style.normalization) + (o.style.log_scale ? ", log" : "");
    // While the mouse is over a cell its readout replaces the usage hint (the hint line wraps rather
    // than cuts; the status bar has the same text but less room).
    if (!hover_text_.isEmpty()) o.hint = hover_text_.toStdString();
    if (!in.has_trace()) {
        BuiltFigure b = build_view_figure(FigureView::Image, in, figure_selection(*settings_), o, live_theme(*settings_), width,
                                          height);
        b.list.items.clear();
        b.list.add(TextItem{{0, 0, width, height}, session_->busy() ? "Computing…" : "No model or image", 12.0f,
                            {200, 200, 200}, HAlign::Center, VAlign::Middle});
        return b;
    }
    ++builds_;
    return build_view_figure(FigureView::Image, in, figure_selection(*settings_), o, live_theme(*settings_), width, height);
}

HeatmapLayout ImageView::figure_layout() const {
    return built().panels.empty() ? HeatmapLayout{} : built().panels.front().layout;
}

int ImageView::width_to_fill(int view_height) const {
    const Theme t = live_theme(*settings_);
    const float lines = bottom_lines_height(figure_options(*settings_), t, float(std::max(width(), 200)));
    HeatmapFigure stand_in;  // before the first trace: a 14x14 ViT with its CLS token
    stand_in.grid_w = stand_in.grid_h = 14;
    stand_in.side_values = {0.0f};
    stand_in.title = "title";
    const HeatmapFigure& f = figure().num_cells() > 0 ? figure() : stand_in;
    return int(std::ceil(heatmap_width_for_height(f, float(view_height) - lines, layout_style(t, LayoutSize::Large))));
}

QPoint ImageView::patch_center(int patch) const {
    float x = 0, y = 0;
    cell_center(figure(), figure_layout(), HitResult::Patch, patch, x, y);
    return QPoint(int(x), int(y));
}

int ImageView::token_at(const QPointF& pos) const {
    return image_view_token_at(built(), float(pos.x()), float(pos.y()));
}

void ImageView::apply_tool(int token) {
    const int layer = shown_layer();
    if (settings_->tool() == ToolMode::Query) {
        const int q = image_view_query_of(session_->state(), layer, token);
        if (q >= 0) settings_->set_query(q);
    } else {
        session_->toggle_masked_keys(image_view_mask_keys_of(session_->state(), layer, token));
    }
}

void ImageView::mousePressEvent(QMouseEvent* e) {
    if (e->button() != Qt::LeftButton) return;
    const int t = token_at(e->position());
    dragging_ = true;
    drag_visited_.clear();
    if (t >= 0) drag_visited_.insert(t);
    apply_tool(t);
}

void ImageView::data_changed() {
    refresh();
    if (!mouse_inside_) return;
    hover_token_ = token_at(mouse_pos_);  // a Swin stage map has other cells
    emit_hover();
    refresh();  // the hover frame and the readout line for the new data
}

void ImageView::emit_hover() {
    hover_text_ = hover_readout();
    emit hovered(hover_text_);
}

QString ImageView::hover_readout() const {
    return QString::fromStdString(image_view_readout(built(), session_->state(), shown_layer(), hover_token_));
}

void ImageView::mouseMoveEvent(QMouseEvent* e) {
    mouse_inside_ = true;
    mouse_pos_ = e->position();
    const int t = token_at(e->position());
    if (t != hover_token_) {
        hover_token_ = t;
        emit_hover();
        refresh();
    }
    if (dragging_ && (e->buttons() & Qt::LeftButton) && settings_->tool() == ToolMode::Mask && t >= 0 &&
        !drag_visited_.count(t)) {
        drag_visited_.insert(t);
        apply_tool(t);
    }
}

void ImageView::mouseReleaseEvent(QMouseEvent*) {
    dragging_ = false;
    drag_visited_.clear();
}

void ImageView::leaveEvent(QEvent*) {
    mouse_inside_ = false;
    hover_token_ = -1;
    hover_text_.clear();
    emit hovered(QString());
    refresh();
}

}  // namespace vitscope
