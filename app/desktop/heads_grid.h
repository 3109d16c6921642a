// Small multiples: every head of the current layer plus the mean of heads, each a heatmap of the
// query's attention over the image thumbnail with its own colorbar. Click a tile to select a head.
// For Swin: every head of the selected block's stage, each over the stage map with its windows.
#pragma once

#include "gl_figure_widget.h"

#include <QWidget>
#include <vector>

class QComboBox;
class QCheckBox;

namespace vitscope {

class Session;
class ViewSettings;

class HeadsCanvas : public GlFigureWidget {
    Q_OBJECT
public:
    HeadsCanvas(Session* session, ViewSettings* settings, QWidget* parent = nullptr);
    FigureView figure_view() const override { return FigureView::Heads; }
    int tile_count() const { return int(built().panels.size()); }
    QPoint tile_center(int tile) const;  // tile H is the mean of heads

protected:
    BuiltFigure build(float width, float height) override;
    void mousePressEvent(QMouseEvent* e) override;

private:
    Session* session_;
    ViewSettings* settings_;
};

class HeadsGrid : public QWidget {
    Q_OBJECT
public:
    HeadsGrid(Session* session, ViewSettings* settings, QWidget* parent = nullptr);
    HeadsCanvas* canvas() const { return canvas_; }

private:
    void sync_from_settings();

    ViewSettings* settings_;
    HeadsCanvas* canvas_;
    QComboBox* normalization_;
    QCheckBox* log_;
};

}  // namespace vitscope
