// The query's attention row as a bar chart over all keys, with its entropy and largest probability.
#pragma once

#include <QWidget>
#include <vector>

namespace vitscope {

class Session;
class ViewSettings;

class QueryRowChart : public QWidget {
    Q_OBJECT
public:
    QueryRowChart(Session* session, ViewSettings* settings, QWidget* parent = nullptr);
    double entropy() const { return entropy_; }  // nats, of the displayed row
    float max_prob() const { return max_; }
    const std::vector<float>& row() const { return row_; }

protected:
    void paintEvent(QPaintEvent*) override;

private:
    void rebuild();

    Session* session_;
    ViewSettings* settings_;
    std::vector<float> row_;
    std::vector<unsigned char> masked_;
    double entropy_ = 0;
    float max_ = 0;
    int argmax_ = -1;
    QString title_;
};

}  // namespace vitscope
