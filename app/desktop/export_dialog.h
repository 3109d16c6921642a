// File > Export figure… (Ctrl+E): which view, where (the format follows the extension: .png, .svg,
// .pdf), the size in pixels or centimetres, the DPI, light or dark, with or without the photo
// under the heatmap, a caption, and the CSV of the numbers drawn beside the figure.
#pragma once

#include "figure_exporter.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;

namespace vitscope {

class ExportDialog : public QDialog {
    Q_OBJECT
public:
    // `swin`: offer the Windows view.
    ExportDialog(const ExportRequest& initial, bool swin, QWidget* parent = nullptr);
    ExportRequest request() const;

private:
    void browse();
    void unit_changed();

    QComboBox* view_;
    QLineEdit* path_;
    QDoubleSpinBox* width_;
    QDoubleSpinBox* height_;
    QComboBox* unit_;
    QSpinBox* dpi_;
    QComboBox* theme_;
    QCheckBox* photo_;
    QLineEdit* caption_;
    QCheckBox* csv_;
    bool cm_ = false;
};

}  // namespace vitscope
