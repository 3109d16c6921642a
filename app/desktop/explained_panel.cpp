#include "explained_panel.h"

#include "figure_source.h"
#include "session.h"
#include "swin_explained_figures.h"
#include "view_settings.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPushButton>
#include <QSlider>
#include <QTimer>
#include <QVBoxLayout>

namespace vitscope {

ExplainedCanvas::ExplainedCanvas(Session* session, ViewSettings* settings, QWidget* parent)
    : GlFigureWidget(parent), session_(session), settings_(settings) {
    setMouseTracking(true);
    setMinimumSize(320, 240);
    connect(session_, &Session::trace_changed, this, &ExplainedCanvas::refresh);
    connect(session_, &Session::model_changed, this, &ExplainedCanvas::refresh);
    connect(settings_, &ViewSettings::selection_changed, this, &ExplainedCanvas::refresh);
    connect(settings_, &ViewSettings::style_changed, this, &ExplainedCanvas::refresh);
}

void ExplainedCanvas::set_view(FigureView v) {
    view_ = v;
    hover_.clear();
    refresh();
}

void ExplainedCanvas::set_step(int step) {
    step_ = std::clamp(step, 0, kSwinShiftSteps - 1);
    refresh();
}

BuiltFigure ExplainedCanvas::build(float width, float height) {
    FigureOptions o = figure_options(*settings_);
    o.swin_step = step_;
    o.hint = hover_.toStdString();
    return build_view_figure(view_, figure_inputs(*session_), figure_selection(*settings_), o, live_theme(*settings_), width,
                             height);
}

void ExplainedCanvas::mousePressEvent(QMouseEvent* e) {
    if (view_ != FigureView::Hierarchy) return;
    const auto st = session_->swin_trace();
    if (!st) return;
    for (const FigurePanel& p : built().panels)
        if (p.layout.grid.contains(float(e->position().x()), float(e->position().y())) && p.head >= 0 &&
            size_t(p.head) < st->stage_first_block.size()) {
            settings_->set_layer(st->stage_first_block[size_t(p.head)]);
            return;
        }
}

void ExplainedCanvas::mouseMoveEvent(QMouseEvent* e) {
    if (view_ != FigureView::Logits || built().panels.empty()) return;
    const RectF g = built().panels.front().layout.grid;
    QString text;
    if (g.contains(float(e->position().x()), float(e->position().y()))) {
        const LogitTermsData d = logit_terms_data(figure_inputs(*session_), figure_selection(*settings_));
        const int n = int(d.qk.size());
        const int k = n > 0 ? std::clamp(int((float(e->position().x()) - g.x) / g.w * float(n)), 0, n - 1) : -1;
        if (k >= 0)
            text = tr("key %1 %2: q·k %3 + bias %4 + mask %5 → p = %6")
                       .arg(k)
                       .arg(QString::fromStdString(d.key_names[size_t(k)]))
                       .arg(double(d.qk[size_t(k)]), 0, 'g', 4)
                       .arg(double(d.bias[size_t(k)]), 0, 'g', 4)
                       .arg(double(d.mask[size_t(k)]), 0, 'g', 4)
                       .arg(double(d.softmax[size_t(k)]), 0, 'g', 4);
    }
    if (text != hover_) {
        hover_ = text;
        emit hovered(text);
        refresh();
    }
}

ExplainedPanel::ExplainedPanel(Session* session, ViewSettings* settings, QWidget* parent)
    : QWidget(parent), session_(session), settings_(settings), canvas_(new ExplainedCanvas(session, settings, this)) {
    which_ = new QComboBox;
    which_->addItem(tr("Swin: the cyclic shift, step by step"), int(FigureView::Shift));
    which_->addItem(tr("The logits taken apart (q·k, bias, mask)"), int(FigureView::Logits));
    which_->addItem(tr("Swin: relative position bias of a head"), int(FigureView::Bias));
    which_->addItem(tr("Swin: the stage hierarchy"), int(FigureView::Hierarchy));
    step_ = new QSlider(Qt::Horizontal);
    step_->setRange(1, kSwinShiftSteps);
    step_->setPageStep(1);
    step_->setToolTip(tr("Step of the shifted-window scheme"));
    play_ = new QPushButton(tr("Play"));
    play_->setCheckable(true);
    timer_ = new QTimer(this);
    timer_->setInterval(1400);
    leakage_ = new QLabel;
    leakage_->setWordWrap(true);
    leakage_->setToolTip(tr("Mean attention a query gives to keys of another shift region of its window. The -100 "
                            "mask makes it 0; switch the shift mask off to see what the mask prevents."));
    auto* top = new QHBoxLayout;
    top->addWidget(which_, 1);
    top->addWidget(new QLabel(tr("Step")));
    top->addWidget(step_);
    top->addWidget(play_);
    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(2, 2, 2, 2);
    v->addLayout(top);
    v->addWidget(canvas_, 1);
    v->addWidget(leakage_);
    connect(which_, &QComboBox::currentIndexChanged, this, &ExplainedPanel::view_changed);
    connect(step_, &QSlider::valueChanged, this, [this](int s) { canvas_->set_step(s - 1); });
    connect(play_, &QPushButton::toggled, this, &ExplainedPanel::play);
    connect(timer_, &QTimer::timeout, this, [this] { step_->setValue(step_->value() % kSwinShiftSteps + 1); });
    connect(session_, &Session::trace_changed, this, &ExplainedPanel::update_leakage);
    connect(settings_, &ViewSettings::selection_changed, this, &ExplainedPanel::update_leakage);
    view_changed();
}

void ExplainedPanel::play(bool on) {
    if (play_->isChecked() != on) play_->setChecked(on);
    if (on) timer_->start();
    else timer_->stop();
}

void ExplainedPanel::view_changed() {
    const FigureView v = FigureView(which_->currentData().toInt());
    const bool shift = v == FigureView::Shift;
    step_->setEnabled(shift);
    play_->setEnabled(shift);
    if (!shift) play(false);
    // The logits exist only when the engine keeps them: ask for them while this view is shown.
    AttentionOptions o = session_->options();
    if (o.keep_logits != (v == FigureView::Logits)) {
        o.keep_logits = v == FigureView::Logits;
        session_->set_options(o);
    }
    canvas_->set_view(v);
}

QString ExplainedPanel::leakage_text() const { return leakage_->text(); }

void ExplainedPanel::update_leakage() {
    const auto st = session_->swin_trace();
    if (!st || st->blocks.empty()) {
        leakage_->setText(QString());
        return;
    }
    const int block = std::clamp(settings_->layer(), 0, int(st->blocks.size()) - 1);
    if (!st->blocks[size_t(block)].geometry.shifted()) {
        leakage_->setText(tr("Cross-region attention: none in this block (W-MSA, no shift)."));
        return;
    }
    QStringList parts;
    const std::vector<double> share = swin_cross_region_share(*st, block);
    for (size_t h = 0; h < share.size(); ++h) parts << tr("h%1 %2").arg(h).arg(share[h], 0, 'f', 4);
    leakage_->setText(tr("Cross-region attention (mean per query%1): %2")
                          .arg(st->swin_options.shift_mask ? tr(", shift mask on: exactly 0") : tr(", shift mask OFF"))
                          .arg(parts.join(" · ")));
}

}  // namespace vitscope
