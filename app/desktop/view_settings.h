// What the user is looking at (not what the engine computes): layer, head, query, colours, tool.
// Changing any of these re-renders from the cached trace; none of them runs the model.
// For Swin models the layer is the global block index (stages numbered consecutively), the head is
// bounded by that block's stage, and the query is a stage-0 patch index (row * W0 + col): a place in
// the image, which in stage s selects the token covering it (see swin_figure.h).
#pragma once

#include "heatmap_figure.h"

#include <QObject>

class QSettings;

namespace vitscope {

enum class ToolMode { Query, Mask };

class ViewSettings : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    int layer() const { return layer_; }
    int head() const { return head_; }  // kMeanOfHeads for the mean
    int query() const { return query_; }
    const FigureStyle& style() const { return style_; }
    ToolMode tool() const { return tool_; }
    bool show_swin_regions() const { return show_regions_; }  // tint and label the shift regions
    float text_scale() const { return text_scale_; }  // figure fonts (presentation mode: > 1)

    void set_layer(int layer);
    void set_head(int head);
    void set_query(int query);
    void set_style(const FigureStyle& style);
    void set_tool(ToolMode tool);
    void set_show_swin_regions(bool on);
    void set_text_scale(float scale);
    // Keeps the selection inside a trace's shape (after a model change).
    void clamp_to(int depth, int heads, int tokens);

    void load(QSettings& s);
    void save(QSettings& s) const;

signals:
    void selection_changed();  // layer, head or query
    void style_changed();  // also the Swin region overlay
    void tool_changed();

private:
    int layer_ = 0;
    int head_ = 0;
    int query_ = 0;  // CLS
    FigureStyle style_;
    ToolMode tool_ = ToolMode::Query;
    bool show_regions_ = false;
    float text_scale_ = 1.0f;
};

}  // namespace vitscope
