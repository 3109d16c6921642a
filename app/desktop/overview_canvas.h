// The Overview: every layer (Swin: block) x head as a small map of the query's attention, BertViz's
// "model view" for images (the Overview figure of view_figures.h). Hover reads out the map's entropy
// and mean attention distance; click selects its layer and head.
#pragma once

#include "gl_figure_widget.h"

namespace vitscope {

class Session;
class ViewSettings;

class OverviewCanvas : public GlFigureWidget {
    Q_OBJECT
public:
    OverviewCanvas(Session* session, ViewSettings* settings, QWidget* parent = nullptr);
    FigureView figure_view() const override { return FigureView::Overview; }
    int tile_count() const { return int(built().panels.size()); }
    // Centre of the tile of (layer, head), or (-1, -1) when there is none.
    QPoint tile_center(int layer, int head) const;
    QString hover_text() const { return hover_; }

signals:
    void hovered(const QString& text);

protected:
    BuiltFigure build(float width, float height) override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void leaveEvent(QEvent* e) override;

private:
    const FigurePanel* panel_at(const QPointF& pos) const;

    Session* session_;
    ViewSettings* settings_;
    QString hover_;
};

}  // namespace vitscope
