// Small multiples: every head of the current layer plus the mean of heads, each a heatmap of the
// query's attention over the image thumbnail with its own colorbar. Click a tile to select a head.
// For Swin: every head of the selected block's stage, each over the stage map with its windows.
#pragma once

#include "gl_heatmap_widget.h"
#include "swin_figure.h"

#include <QWidget>
#include <vector>

class QComboBox;
class QCheckBox;

namespace vitscope {

class Session;
class ViewSettings;

class HeadsCanvas : public GlHeatmapWidget {
    Q_OBJECT
public:
    HeadsCanvas(Session* session, ViewSettings* settings, QWidget* parent = nullptr);
    int tile_count() const { return int(figures_.size()); }
    QPoint tile_center(int tile) const;  // tile H is the mean of heads
    const HeatmapFigure& tile_figure(int tile) const { return figures_[size_t(tile)]; }

protected:
    void draw_gl(HeatmapRenderer& r, float dpr) override;
    void draw_overlay(QPainter& p) override;
    void mousePressEvent(QMouseEvent* e) override;

private:
    void rebuild();
    QRectF tile_rect(int tile) const;
    HeatmapLayout tile_layout(int tile) const;
    int head_of_tile(int tile) const;

    Session* session_;
    ViewSettings* settings_;
    std::vector<HeatmapFigure> figures_;
    SwinPartition partition_;  // Swin: the block's windows, drawn thin over every tile
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
