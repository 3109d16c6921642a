// "Why it works" views that take one mechanism apart, each a figure of view_figures.h drawn live
// (and exported like every other view): Swin's cyclic shift step by step (step slider and Play),
// a query's logits split into q·k, relative position bias and shift mask, a head's relative
// position bias table, and the stage hierarchy (click a stage to go there). For Swin the panel
// also reads out how much attention crosses shift regions in the current block (nonzero only
// with the shift mask off). The logits view asks the session to keep logits while it is shown.
#pragma once

#include "gl_figure_widget.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QSlider;
class QTimer;

namespace vitscope {

class Session;
class ViewSettings;

class ExplainedCanvas : public GlFigureWidget {
    Q_OBJECT
public:
    ExplainedCanvas(Session* session, ViewSettings* settings, QWidget* parent = nullptr);
    FigureView figure_view() const override { return view_; }
    void set_view(FigureView v);
    void set_step(int step);
    int step() const { return step_; }

signals:
    void hovered(const QString& text);

protected:
    BuiltFigure build(float width, float height) override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;

private:
    Session* session_;
    ViewSettings* settings_;
    FigureView view_ = FigureView::Shift;
    int step_ = 0;
    QString hover_;
};

class ExplainedPanel : public QWidget {
    Q_OBJECT
public:
    ExplainedPanel(Session* session, ViewSettings* settings, QWidget* parent = nullptr);
    ExplainedCanvas* canvas() const { return canvas_; }
    QString leakage_text() const;
    void play(bool on);

private:
    void view_changed();
    void update_leakage();

    Session* session_;
    ViewSettings* settings_;
    ExplainedCanvas* canvas_;
    QComboBox* which_;
    QSlider* step_;
    QPushButton* play_;
    QTimer* timer_;
    QLabel* leakage_;
};

}  // namespace vitscope
