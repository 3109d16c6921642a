// The Analyses dock: why attention behaves as it does, for the model and image on screen. One
// figure at a time (view_figures.h): attention rollout (head fusion, discard ratio, start layer),
// mean attention distance, softmax saturation (current options beside the paper's), the d_k
// sandbox (d_k slider), padding leakage, head similarity with each head ablated, position-embedding
// similarity and patch-filter components. Right-click exports or copies the figure.
#pragma once

#include "gl_figure_widget.h"

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSlider;
class QSpinBox;

namespace vitscope {

class Session;
class ViewSettings;

class AnalysisCanvas : public GlFigureWidget {
    Q_OBJECT
public:
    AnalysisCanvas(Session* session, ViewSettings* settings, QWidget* parent = nullptr);
    FigureView figure_view() const override { return view_; }
    void set_view(FigureView v);
    void set_rollout(const RolloutOptions& r);
    void set_sandbox_dk(int dk);
    const FigureOptions& extra_options() const { return extra_; }

protected:
    BuiltFigure build(float width, float height) override;
    void mousePressEvent(QMouseEvent* e) override;

private:
    Session* session_;
    ViewSettings* settings_;
    FigureView view_ = FigureView::Distance;
    FigureOptions extra_;
};

class AnalysesPanel : public QWidget {
    Q_OBJECT
public:
    AnalysesPanel(Session* session, ViewSettings* settings, QWidget* parent = nullptr);
    AnalysisCanvas* canvas() const { return canvas_; }
    void show_view(FigureView v);

private:
    void sync();

    AnalysisCanvas* canvas_;
    QComboBox* which_;
    QComboBox* fusion_;
    QDoubleSpinBox* discard_;
    QSpinBox* start_;
    QSlider* dk_;
    QLabel* dk_label_;
    QWidget* rollout_box_;
    QWidget* sandbox_box_;
};

}  // namespace vitscope
