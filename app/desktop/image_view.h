// The model's input with the patch grid and the selected head's attention from the query.
// Hover names the token; click picks the query (Query tool) or toggles masked keys (Mask tool,
// click or drag).
#pragma once

#include "gl_heatmap_widget.h"

#include <set>

namespace vitscope {

class Session;
class ViewSettings;

class ImageView : public GlHeatmapWidget {
    Q_OBJECT
public:
    ImageView(Session* session, ViewSettings* settings, QWidget* parent = nullptr);

    // The figure on screen (its values are the attention probabilities shown).
    const HeatmapFigure& figure() const { return figure_; }
    HeatmapLayout figure_layout() const;
    int patch_count() const { return figure_.num_cells(); }
    // Centre of a patch in widget coordinates (for tests and tooltips).
    QPoint patch_center(int patch) const;
    int figure_builds() const { return builds_; }

signals:
    void hovered(const QString& text);  // empty when the mouse leaves the tokens

protected:
    void draw_gl(HeatmapRenderer& r, float dpr) override;
    void draw_overlay(QPainter& p) override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void leaveEvent(QEvent* e) override;

private:
    void rebuild();
    int token_at(const QPointF& pos) const;  // -1 when none
    void apply_tool(int token);

    Session* session_;
    ViewSettings* settings_;
    HeatmapFigure figure_;
    int hover_token_ = -1;
    bool dragging_ = false;
    std::set<int> drag_visited_;
    int builds_ = 0;
};

}  // namespace vitscope
