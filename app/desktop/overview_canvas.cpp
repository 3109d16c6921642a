#include "overview_canvas.h"

#include "figure_source.h"
#include "session.h"
#include "view_settings.h"

#include <QMouseEvent>

#include <cmath>

namespace vitscope {

OverviewCanvas::OverviewCanvas(Session* session, ViewSettings* settings, QWidget* parent)
    : GlFigureWidget(parent), session_(session), settings_(settings) {
    setMouseTracking(true);
    setMinimumSize(160, 110);
    connect(session_, &Session::trace_changed, this, &OverviewCanvas::refresh);
    connect(session_, &Session::model_changed, this, &OverviewCanvas::refresh);
    connect(settings_, &ViewSettings::selection_changed, this, &OverviewCanvas::refresh);
    connect(settings_, &ViewSettings::style_changed, this, &OverviewCanvas::refresh);
}

BuiltFigure OverviewCanvas::build(float width, float height) {
    FigureOptions o = figure_options(*settings_);
    o.hint = tr("hover: entropy and mean distance · click: select layer and head").toStdString();
    return build_view_figure(FigureView::Overview, figure_inputs(*session_), figure_selection(*settings_), o,
                             live_theme(*settings_), width, height);
}

const FigurePanel* OverviewCanvas::panel_at(const QPointF& pos) const {
    for (const FigurePanel& p : built().panels) {
        const RectF g = p.layout.grid;
        if (float(pos.x()) >= g.x - 2 && float(pos.x()) <= g.right() + 2 && float(pos.y()) >= g.y - 2 &&
            float(pos.y()) <= g.bottom() + 2)
            return &p;
    }
    return nullptr;
}

QPoint OverviewCanvas::tile_center(int layer, int head) const {
    for (const FigurePanel& p : built().panels)
        if (p.layer == layer && p.head == head)
            return QPoint(int(p.layout.grid.x + p.layout.grid.w / 2), int(p.layout.grid.y + p.layout.grid.h / 2));
    return QPoint(-1, -1);
}

void OverviewCanvas::mousePressEvent(QMouseEvent* e) {
    if (e->button() != Qt::LeftButton) return;
    if (const FigurePanel* p = panel_at(e->position())) {
        // Copy first: set_layer rebuilds the figure, and with it the panel `p` points into.
        const int layer = p->layer, head = p->head;
        settings_->set_layer(layer);
        settings_->set_head(head);
    }
}

void OverviewCanvas::mouseMoveEvent(QMouseEvent* e) {
    QString text;
    if (const FigurePanel* p = panel_at(e->position())) {
        const FigureInputs in = figure_inputs(*session_);
        const OverviewStats st = overview_stats(in, p->layer, p->head, settings_->query());
        text = tr("%1 · head %2 · entropy %3 nats (uniform %4)")
                   .arg(QString::fromStdString(in.layer_name(p->layer)))
                   .arg(p->head)
                   .arg(st.entropy, 0, 'f', 3)
                   .arg(st.uniform_entropy, 0, 'f', 3);
        text += std::isnan(st.mean_distance_px) ? (in.swin ? QString() : tr(" · mean distance: needs a patch query"))
                                                 : tr(" · mean distance %1 px").arg(st.mean_distance_px, 0, 'f', 1);
    }
    if (text != hover_) {
        hover_ = text;
        emit hovered(text);
    }
}

void OverviewCanvas::leaveEvent(QEvent*) {
    hover_.clear();
    emit hovered(QString());
}

}  // namespace vitscope
