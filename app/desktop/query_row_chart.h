// The query's attention row as a bar chart over all keys (Swin: the slots of its window), with its
// entropy and largest probability: the Query figure of view_figures.h, painted with the exporter's
// QPainter backend (it has no cell grids for the GL renderer).
#pragma once

#include "figure_parts.h"

#include <QWidget>

#include <vector>

namespace vitscope {

class Session;
class ViewSettings;

class QueryRowChart : public QWidget {
    Q_OBJECT
public:
    QueryRowChart(Session* session, ViewSettings* settings, QWidget* parent = nullptr);
    FigureView figure_view() const { return FigureView::Query; }
    double entropy() const { return data_.entropy; }  // nats, of the displayed row
    float max_prob() const { return data_.max; }
    const std::vector<float>& row() const { return data_.row; }

protected:
    void paintEvent(QPaintEvent*) override;
    void resizeEvent(QResizeEvent* e) override;

private:
    void rebuild();

    Session* session_;
    ViewSettings* settings_;
    QueryRowData data_;
    DrawList list_;  // built when the data, the selection or the size change; painted as is
};

}  // namespace vitscope
