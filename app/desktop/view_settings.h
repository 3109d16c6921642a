// What the user is looking at (not what the engine computes): layer, head, query, colours, tool.
// Changing any of these re-renders from the cached trace; none of them runs the model.
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

    void set_layer(int layer);
    void set_head(int head);
    void set_query(int query);
    void set_style(const FigureStyle& style);
    void set_tool(ToolMode tool);
    // Keeps the selection inside a trace's shape (after a model change).
    void clamp_to(int depth, int heads, int tokens);

    void load(QSettings& s);
    void save(QSettings& s) const;

signals:
    void selection_changed();  // layer, head or query
    void style_changed();
    void tool_changed();

private:
    int layer_ = 0;
    int head_ = 0;
    int query_ = 0;  // CLS
    FigureStyle style_;
    ToolMode tool_ = ToolMode::Query;
};

}  // namespace vitscope
