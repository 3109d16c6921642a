#include "matrix_view.h"

#include "attention_stats.h"
#include "figure_source.h"
#include "session.h"
#include "swin_figure.h"
#include "view_settings.h"

#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

namespace vitscope {

AttentionMatrixView::AttentionMatrixView(Session* session, ViewSettings* settings, QWidget* parent)
    : GlFigureWidget(parent), session_(session), settings_(settings) {
    setMouseTracking(true);
    setMinimumSize(140, 110);
    connect(session_, &Session::trace_changed, this, &AttentionMatrixView::data_changed);
    connect(session_, &Session::model_changed, this, [this] {
        zoom_ = 1.0f;
        pan_ = {};
        data_changed();
    });
    connect(settings_, &ViewSettings::selection_changed, this, &AttentionMatrixView::data_changed);
    connect(settings_, &ViewSettings::style_changed, this, &AttentionMatrixView::data_changed);
}

BuiltFigure AttentionMatrixView::build(float width, float height) {
    const FigureInputs in = figure_inputs(*session_);
    const FigureSelection sel = figure_selection(*settings_);
    FigureOptions o = figure_options(*settings_);
    o.matrix_zoom = zoom_;
    o.matrix_pan_x = float(pan_.x());
    o.matrix_pan_y = float(pan_.y());
    o.hint = !hover_.isEmpty() ? hover_.toStdString()
             : in.swin ? tr("rows: query slots · columns: key slots of the window · magenta: shift mask −100 · grey: padding")
                             .toStdString()
                       : tr("rows: queries · columns: keys · wheel: zoom · drag: pan").toStdString();
    if (in.swin && !in.swin->blocks.empty()) {
        const int block = std::clamp(sel.layer, 0, int(in.swin->blocks.size()) - 1);
        query_ = swin_query(*in.swin, block, sel.query);
    }
    return build_view_figure(FigureView::Matrix, in, sel, o, live_theme(*settings_), width, height);
}

HeatmapLayout AttentionMatrixView::figure_layout() const {
    return built().panels.empty() ? HeatmapLayout{} : built().panels.front().layout;
}

void AttentionMatrixView::wheelEvent(QWheelEvent* e) {
    const HeatmapLayout l = figure_layout();
    const float factor = e->angleDelta().y() > 0 ? 1.25f : 0.8f;
    const float nz = std::clamp(zoom_ * factor, 1.0f, 64.0f);
    const QPointF c = e->position();
    // Keep the point under the cursor fixed.
    const QPointF origin(l.grid.x, l.grid.y);
    const QPointF new_origin = c - (c - origin) * (nz / zoom_);
    pan_ += new_origin - origin;
    zoom_ = nz;
    if (zoom_ == 1.0f) pan_ = {};
    refresh();
}

void AttentionMatrixView::mousePressEvent(QMouseEvent* e) {
    press_pos_ = e->position();
    press_pan_ = pan_;
    dragged_ = false;
}

void AttentionMatrixView::mouseMoveEvent(QMouseEvent* e) {
    if (e->buttons() & Qt::LeftButton) {
        const QPointF d = e->position() - press_pos_;
        if (d.manhattanLength() > 3) dragged_ = true;
        if (dragged_ && zoom_ > 1.0f) {
            pan_ = press_pan_ + d;
            refresh();
        }
    }
    mouse_inside_ = true;
    mouse_pos_ = e->position();
    const QString text = readout_at(mouse_pos_);
    if (text != hover_) {
        hover_ = text;
        refresh();
    }
}

void AttentionMatrixView::leaveEvent(QEvent*) {
    mouse_inside_ = false;
    if (!hover_.isEmpty()) {
        hover_.clear();
        refresh();
    }
}

void AttentionMatrixView::data_changed() {
    refresh();  // the figure (and query_) for the new data
    const QString text = mouse_inside_ ? readout_at(mouse_pos_) : QString();
    if (text != hover_) {
        hover_ = text;
        refresh();  // the hint line shows the readout
    }
}

QString AttentionMatrixView::readout_at(const QPointF& pos) const {
    const auto trace = session_->trace();
    const auto st = session_->swin_trace();
    const HitResult h = hit_test(figure(), figure_layout(), float(pos.x()), float(pos.y()));
    if (h.kind != HitResult::Patch || size_t(h.index) >= figure().values.size()) return QString();
    QString text;
    if (st && h.kind == HitResult::Patch) {
        auto slot = [&](int p) {
            const SwinTokenLocation loc = swin_token_location(*st, query_.block, query_.window, p);
            return loc.padding ? tr("slot %1 (padding)").arg(p) : tr("slot %1 (%2, %3)").arg(p).arg(loc.row).arg(loc.col);
        };
        text = tr("window %1: %2 → %3: %4").arg(query_.window).arg(slot(h.row), slot(h.col))
                   .arg(double(figure().values[size_t(h.index)]), 0, 'g', 4);
        if (size_t(h.index) < figure().cell_flags.size() && (figure().cell_flags[size_t(h.index)] & kCellShiftMasked))
            text += tr(" · shift mask −100");
    } else if (trace && h.kind == HitResult::Patch)
        text = tr("query %1 → key %2: %3")
                   .arg(QString::fromStdString(trace->token_name(h.row)), QString::fromStdString(trace->token_name(h.col)))
                   .arg(double(figure().values[size_t(h.index)]), 0, 'g', 4);
    return text;
}


void AttentionMatrixView::mouseReleaseEvent(QMouseEvent* e) {
    if (dragged_) return;
    const HitResult h = hit_test(figure(), figure_layout(), float(e->position().x()), float(e->position().y()));
    if (h.kind != HitResult::Patch) return;
    // The row's token (a Swin window's padding slots stand for none) becomes the query.
    const std::vector<int>& tokens = figure().matrix_tokens;
    const auto src = attention_source(*session_);
    if (!src || size_t(h.row) >= tokens.size() || tokens[size_t(h.row)] < 0) return;
    const int layer = std::clamp(settings_->layer(), 0, src->layers() - 1);
    settings_->set_query(src->selection_of(layer, tokens[size_t(h.row)]));
}

}  // namespace vitscope
