// The full N x N attention matrix of the selected head: wheel zooms about the cursor, drag pans,
// click picks the query row; the query row is lightened and masked keys are hatched. For Swin it is
// the M^2 x M^2 matrix of the query's window, the shift mask's -100 entries cross-hatched.
#pragma once

#include "gl_heatmap_widget.h"
#include "swin_figure.h"

namespace vitscope {

class Session;
class ViewSettings;

class AttentionMatrixView : public GlHeatmapWidget {
    Q_OBJECT
public:
    AttentionMatrixView(Session* session, ViewSettings* settings, QWidget* parent = nullptr);
    const HeatmapFigure& figure() const { return figure_; }
    const SwinQuery& swin_query_shown() const { return query_; }

protected:
    void draw_gl(HeatmapRenderer& r, float dpr) override;
    void draw_overlay(QPainter& p) override;
    void wheelEvent(QWheelEvent* e) override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;

private:
    void rebuild();
    HeatmapLayout figure_layout() const;  // base layout with zoom and pan applied to the grid

    Session* session_;
    ViewSettings* settings_;
    HeatmapFigure figure_;
    SwinQuery query_;  // Swin: the window shown
    float zoom_ = 1.0f;
    QPointF pan_;
    QPointF press_pos_, press_pan_;
    bool dragged_ = false;
    QString hover_;
};

}  // namespace vitscope
