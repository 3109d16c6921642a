// The model's input with the patch grid and the selected head's attention from the query (the
// Image figure of view_figures.h). Hover names the token; click picks the query (Query tool) or
// toggles masked keys (Mask tool, click or drag). For Swin the grid is the selected block's stage
// map, with that block's window partition (shifted where it is shifted) drawn over it and keys
// outside the query's window dimmed.
#pragma once

#include "gl_figure_widget.h"
#include "swin_figure.h"

#include <set>

namespace vitscope {

class Session;
class ViewSettings;

class ImageView : public GlFigureWidget {
    Q_OBJECT
public:
    ImageView(Session* session, ViewSettings* settings, QWidget* parent = nullptr);

    FigureView figure_view() const override { return FigureView::Image; }
    // The heatmap on screen (its values are the attention probabilities shown).
    const HeatmapFigure& figure() const { return built().figure; }
    HeatmapLayout figure_layout() const;
    // The width at which the heatmap fills a view of this height (the window sizes its docks by it).
    int width_to_fill(int view_height) const;
    int patch_count() const { return figure().num_cells(); }
    // Centre of a patch (Swin: of a token of the shown stage map) in widget coordinates.
    QPoint patch_center(int patch) const;
    // Swin: the partition drawn over the map (empty for ViT).
    const SwinPartition& partition() const {
        built();  // the partition is made with the figure
        return partition_;
    }
    int figure_builds() const { return builds_; }
    // The status-bar readout for the cell under the mouse ("" when none), as last emitted.
    QString hover_text() const { return hover_text_; }

signals:
    void hovered(const QString& text);  // empty when the mouse leaves the tokens

protected:
    BuiltFigure build(float width, float height) override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void leaveEvent(QEvent* e) override;

private:
    int token_at(const QPointF& pos) const;  // a token of the shown layer (Swin: of its stage map); -1 when none
    int shown_layer() const;                 // the layer (Swin: block) on screen
    void apply_tool(int token);
    void emit_hover();
    QString hover_readout() const;  // the readout for hover_token_ ("" for none)
    // The data under the mouse changed (trace, selection, style): rebuild, then recompute which cell
    // the mouse is over (a Swin stage map has other cells) and its readout.
    void data_changed();

    Session* session_;
    ViewSettings* settings_;
    SwinPartition partition_;
    int hover_token_ = -1;
    bool mouse_inside_ = false;
    QPointF mouse_pos_;
    QString hover_text_;
    bool dragging_ = false;
    std::set<int> drag_visited_;
    int builds_ = 0;
};

}  // namespace vitscope
