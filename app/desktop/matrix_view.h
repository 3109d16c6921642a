// The full N x N attention matrix of the selected head: wheel zooms about the cursor, drag pans,
// click picks the query row; the query row is lightened and masked keys are hatched. For Swin it is
// the M^2 x M^2 matrix of the query's window, the shift mask's -100 entries cross-hatched.
#pragma once

#include "gl_figure_widget.h"
#include "swin_figure.h"

namespace vitscope {

class Session;
class ViewSettings;

class AttentionMatrixView : public GlFigureWidget {
    Q_OBJECT
public:
    AttentionMatrixView(Session* session, ViewSettings* settings, QWidget* parent = nullptr);
    FigureView figure_view() const override { return FigureView::Matrix; }
    const HeatmapFigure& figure() const { return built().figure; }
    const SwinQuery& swin_query_shown() const {
        built();  // the query window is found with the figure
        return query_;
    }
    // The readout of the cell under the mouse ("" when none), shown as the figure's hint line.
    QString hover_text() const { return hover_; }

protected:
    BuiltFigure build(float width, float height) override;
    void wheelEvent(QWheelEvent* e) override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void leaveEvent(QEvent* e) override;

private:
    HeatmapLayout figure_layout() const;  // the layout with zoom and pan applied to the grid
    QString readout_at(const QPointF& pos) const;  // "" outside the cells
    // The data changed: rebuild, then recompute the readout under the mouse from the new figure.
    void data_changed();

    Session* session_;
    ViewSettings* settings_;
    SwinQuery query_;  // Swin: the window shown
    float zoom_ = 1.0f;
    QPointF pan_;
    QPointF press_pos_, press_pan_;
    bool dragged_ = false;
    QString hover_;
    bool mouse_inside_ = false;
    QPointF mouse_pos_;
};

}  // namespace vitscope
