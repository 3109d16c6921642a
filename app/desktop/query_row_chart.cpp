#include "query_row_chart.h"

#include "figure_export.h"
#include "figure_source.h"
#include "session.h"
#include "view_settings.h"

#include <QPainter>

namespace vitscope {

QueryRowChart::QueryRowChart(Session* session, ViewSettings* settings, QWidget* parent)
    : QWidget(parent), session_(session), settings_(settings) {
    setMinimumHeight(70);
    connect(session_, &Session::trace_changed, this, &QueryRowChart::rebuild);
    connect(session_, &Session::model_changed, this, &QueryRowChart::rebuild);
    connect(settings_, &ViewSettings::selection_changed, this, &QueryRowChart::rebuild);
    connect(settings_, &ViewSettings::style_changed, this, &QueryRowChart::rebuild);
}

void QueryRowChart::rebuild() {
    const FigureInputs in = figure_inputs(*session_);
    data_ = in.has_trace() && in.num_layers() > 0 ? query_row_data(in, clamp_selection(in, figure_selection(*settings_))) : QueryRowData{};
    list_ = build_view_figure(FigureView::Query, in, figure_selection(*settings_), figure_options(*settings_),
                              live_theme(*settings_), float(width()), float(height()))
                .list;
    update();
}

void QueryRowChart::resizeEvent(QResizeEvent* e) {
    QWidget::resizeEvent(e);
    rebuild();
}

void QueryRowChart::paintEvent(QPaintEvent*) {
    QPainter p(this);
    paint_draw_list(p, list_, float(devicePixelRatioF()), CellPath::Raster, PaintLayers::All);
}

}  // namespace vitscope
