// What the user is looking at (not what the engine computes): layer, head, query, colours, tool.
// Changing any of these re-renders from the cached trace; none of them runs the model. The selection
// and the figure style live in the Qt-free core's workspace state (the session's ComputePolicy, as in
// the lab); this object is their Qt face with change signals, plus the app's own view choices (tool,
// Swin region tint, text scale).
// For Swin models the layer is the global block index (stages numbered consecutively), the head is
// bounded by that block's stage, and the query is a stage-0 patch index (row * W0 + col): a place in
// the image, which in stage s selects the token covering it (see swin_figure.h).
#pragma once

#include "heatmap_figure.h"
#include "view_figures.h"

#include <QObject>

class QSettings;

namespace vitscope {

enum class ToolMode { Query, Mask };

class Session;

class ViewSettings : public QObject {
    Q_OBJECT
public:
    explicit ViewSettings(Session* session, QObject* parent = nullptr);

    int layer() const { return selection().layer; }
    int head() const { return selection().head; }  // kMeanOfHeads for the mean
    int query() const { return selection().query; }
    const FigureSelection& selection() const;
    const FigureStyle& style() const;
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
    void set_selection(const FigureSelection& selection);

    Session* session_;
    ToolMode tool_ = ToolMode::Query;
    bool show_regions_ = false;
    float text_scale_ = 1.0f;
};

}  // namespace vitscope
