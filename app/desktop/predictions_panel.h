// Top-5 classes under the current options and, when those differ from the paper's defaults, the
// baseline top-5 beside them with the change in probability.
#pragma once

#include <QWidget>

class QLabel;
class QTreeWidget;

namespace vitscope {

class Session;

class PredictionsPanel : public QWidget {
    Q_OBJECT
public:
    explicit PredictionsPanel(Session* session, QWidget* parent = nullptr);
    QTreeWidget* current_list() const { return current_; }
    QTreeWidget* baseline_list() const { return baseline_; }

private:
    void rebuild();

    Session* session_;
    QLabel* header_;
    QTreeWidget* current_;
    QTreeWidget* baseline_;
};

}  // namespace vitscope
