#include "heads_grid.h"

#include "attention_stats.h"
#include "session.h"
#include "figure_source.h"
#include "view_settings.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QVBoxLayout>

#include <cmath>

namespace vitscope {

HeadsCanvas::HeadsCanvas(Session* session, ViewSettings* settings, QWidget* parent)
    : GlFigureWidget(parent), session_(session), settings_(settings) {
    setMinimumSize(160, 110);
    connect(session_, &Session::trace_changed, this, &HeadsCanvas::refresh);
    connect(session_, &Session::model_changed, this, &HeadsCanvas::refresh);
    connect(settings_, &ViewSettings::selection_changed, this, &HeadsCanvas::refresh);
    connect(settings_, &ViewSettings::style_changed, this, &HeadsCanvas::refresh);
}

BuiltFigure HeadsCanvas::build(float width, float height) {
    return build_view_figure(FigureView::Heads, figure_inputs(*session_), figure_selection(*settings_),
                             figure_options(*settings_), live_theme(*settings_), width, height);
}

QPoint HeadsCanvas::tile_center(int tile) const {
    const RectF g = built().panels[size_t(tile)].layout.grid;
    return QPoint(int(g.x + g.w / 2), int(g.y + g.h / 2));
}

void HeadsCanvas::mousePressEvent(QMouseEvent* e) {
    // The tile whose grid is nearest the click (tiles tile the canvas; grids sit inside them).
    int best = -1;
    float best_d = 1e30f;
    for (int i = 0; i < tile_count(); ++i) {
        const RectF g = built().panels[size_t(i)].layout.grid;
        const float dx = std::max({g.x - float(e->position().x()), 0.0f, float(e->position().x()) - g.right()});
        const float dy = std::max({g.y - float(e->position().y()), 0.0f, float(e->position().y()) - g.bottom()});
        const float d = dx * dx + dy * dy;
        if (d < best_d) {
            best_d = d;
            best = i;
        }
    }
    if (best >= 0) settings_->set_head(built().panels[size_t(best)].head);
}

HeadsGrid::HeadsGrid(Session* session, ViewSettings* settings, QWidget* parent)
    : QWidget(parent), settings_(settings), canvas_(new HeadsCanvas(session, settings, this)) {
    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Scale:")));
    normalization_ = new QComboBox;
    for (int i = 0; i < kNumNormalizations; ++i) normalization_->addItem(normalization_name(Normalization(i)));
    top->addWidget(normalization_);
    log_ = new QCheckBox(tr("log"));
    top->addWidget(log_);
    top->addStretch();
    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(2, 2, 2, 2);
    v->addLayout(top);
    v->addWidget(canvas_, 1);
    connect(normalization_, &QComboBox::currentIndexChanged, this, [this](int i) {
        FigureStyle s = settings_->style();
        if (int(s.normalization) == i) return;
        s.normalization = Normalization(i);
        settings_->set_style(s);
    });
    connect(log_, &QCheckBox::toggled, this, [this](bool on) {
        FigureStyle s = settings_->style();
        if (s.log_scale == on) return;
        s.log_scale = on;
        settings_->set_style(s);
    });
    connect(settings_, &ViewSettings::style_changed, this, &HeadsGrid::sync_from_settings);
    sync_from_settings();
}

void HeadsGrid::sync_from_settings() {
    QSignalBlocker b1(normalization_), b2(log_);
    normalization_->setCurrentIndex(int(settings_->style().normalization));
    log_->setChecked(settings_->style().log_scale);
}

}  // namespace vitscope
