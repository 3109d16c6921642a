#include "analyses_panel.h"

#include "figure_source.h"
#include "session.h"
#include "view_settings.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QSlider>
#include <QSpinBox>
#include <QVBoxLayout>

#include <cmath>

namespace vitscope {

AnalysisCanvas::AnalysisCanvas(Session* session, ViewSettings* settings, QWidget* parent)
    : GlFigureWidget(parent), session_(session), settings_(settings) {
    setMinimumSize(320, 240);
    connect(session_, &Session::trace_changed, this, &AnalysisCanvas::refresh);
    connect(session_, &Session::model_changed, this, &AnalysisCanvas::refresh);
    connect(settings_, &ViewSettings::selection_changed, this, &AnalysisCanvas::refresh);
    connect(settings_, &ViewSettings::style_changed, this, &AnalysisCanvas::refresh);
}

void AnalysisCanvas::set_view(FigureView v) {
    view_ = v;
    refresh();
}

void AnalysisCanvas::set_rollout(const RolloutOptions& r) {
    extra_.rollout = r;
    refresh();
}

void AnalysisCanvas::set_sandbox_dk(int dk) {
    extra_.sandbox_dk = dk;
    refresh();
}

BuiltFigure AnalysisCanvas::build(float width, float height) {
    FigureOptions o = figure_options(*settings_);
    o.rollout = extra_.rollout;
    o.sandbox_dk = extra_.sandbox_dk;
    return build_view_figure(view_, figure_inputs(*session_), figure_selection(*settings_), o, live_theme(*settings_), width,
                             height);
}

void AnalysisCanvas::mousePressEvent(QMouseEvent* e) {
    // The distance plot: a click on a layer's column selects that layer.
    if (view_ != FigureView::Distance || built().panels.empty()) return;
    const RectF g = built().panels.front().layout.grid;
    const int L = built().panels.front().grid_w;
    if (L > 0 && g.contains(float(e->position().x()), float(e->position().y())))
        settings_->set_layer(std::clamp(int((float(e->position().x()) - g.x) / g.w * float(L)), 0, L - 1));
}

AnalysesPanel::AnalysesPanel(Session* session, ViewSettings* settings, QWidget* parent)
    : QWidget(parent), canvas_(new AnalysisCanvas(session, settings, this)) {
    which_ = new QComboBox;
    const std::pair<FigureView, QString> items[] = {
        {FigureView::Distance, tr("Mean attention distance per head (ViT Fig. 7)")},
        {FigureView::Saturation, tr("Softmax saturation: why divide by √d_k")},
        {FigureView::Sandbox, tr("Sandbox: q·k spread against d_k")},
        {FigureView::Rollout, tr("Attention rollout")},
        {FigureView::HeadSimilarity, tr("Head similarity: why many heads")},
        {FigureView::Leakage, tr("Padding leakage: why masks")},
        {FigureView::PosEmbed, tr("Position embedding similarity")},
        {FigureView::Filters, tr("Patch filter components")}};
    for (const auto& [v, name] : items) which_->addItem(name, int(v));
    fusion_ = new QComboBox;
    fusion_->addItems({"mean", "max", "min"});
    discard_ = new QDoubleSpinBox;
    discard_->setRange(0.0, 0.99);
    discard_->setSingleStep(0.05);
    discard_->setToolTip(tr("Discard ratio: the smallest fused attention entries set to 0 before the rollout"));
    start_ = new QSpinBox;
    start_->setRange(0, 0);
    start_->setToolTip(tr("First layer chained into the rollout"));
    rollout_box_ = new QWidget;
    auto* rl = new QHBoxLayout(rollout_box_);
    rl->setContentsMargins(0, 0, 0, 0);
    rl->addWidget(new QLabel(tr("fuse")));
    rl->addWidget(fusion_);
    rl->addWidget(new QLabel(tr("discard")));
    rl->addWidget(discard_);
    rl->addWidget(new QLabel(tr("from layer")));
    rl->addWidget(start_);
    dk_ = new QSlider(Qt::Horizontal);
    dk_->setRange(0, 10);  // d_k = 2^value
    dk_->setValue(6);
    dk_label_ = new QLabel;
    sandbox_box_ = new QWidget;
    auto* sl = new QHBoxLayout(sandbox_box_);
    sl->setContentsMargins(0, 0, 0, 0);
    sl->addWidget(new QLabel(tr("d_k")));
    sl->addWidget(dk_, 1);
    sl->addWidget(dk_label_);
    auto* top = new QHBoxLayout;
    top->addWidget(which_, 1);
    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(2, 2, 2, 2);
    v->addLayout(top);
    v->addWidget(rollout_box_);
    v->addWidget(sandbox_box_);
    v->addWidget(canvas_, 1);
    connect(which_, &QComboBox::currentIndexChanged, this, &AnalysesPanel::sync);
    auto rollout_changed = [this] {
        RolloutOptions r;
        parse_head_fusion(fusion_->currentText().toStdString(), r.fusion);
        r.discard_ratio = discard_->value();
        r.start_layer = start_->value();
        canvas_->set_rollout(r);
    };
    connect(fusion_, &QComboBox::currentIndexChanged, this, rollout_changed);
    connect(discard_, &QDoubleSpinBox::valueChanged, this, rollout_changed);
    connect(start_, &QSpinBox::valueChanged, this, rollout_changed);
    connect(dk_, &QSlider::valueChanged, this, [this](int e) {
        dk_label_->setText(QString::number(1 << e));
        canvas_->set_sandbox_dk(1 << e);
    });
    connect(session, &Session::trace_changed, this, [this, session] {
        const auto t = session->trace();
        start_->setRange(0, t ? std::max(int(t->layers.size()) - 1, 0) : 0);
    });
    dk_label_->setText("64");
    canvas_->set_sandbox_dk(64);
    sync();
}

void AnalysesPanel::show_view(FigureView v) {
    const int i = which_->findData(int(v));
    if (i >= 0) which_->setCurrentIndex(i);
}

void AnalysesPanel::sync() {
    const FigureView v = FigureView(which_->currentData().toInt());
    rollout_box_->setVisible(v == FigureView::Rollout);
    sandbox_box_->setVisible(v == FigureView::Sandbox);
    canvas_->set_view(v);
}

}  // namespace vitscope
