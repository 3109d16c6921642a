#include "export_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>

namespace vitscope {

namespace {
constexpr double kCmPerInch = 2.54;
}

ExportDialog::ExportDialog(const ExportRequest& r, bool swin, QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Export figure"));
    view_ = new QComboBox;
    const QString names[kNumFigureViews] = {tr("Image and attention"), tr("Heads grid"), tr("Attention matrix"),
                                            tr("Query row chart"), tr("Swin windows and window matrix"),
                                            tr("Predictions"), tr("Side by side: paper defaults vs current options"),
                                            tr("Swin: a step of the cyclic shift"), tr("Logits taken apart"),
                                            tr("Swin: relative position bias"), tr("Swin: stage hierarchy"),
                                            tr("Attention rollout"), tr("Mean attention distance"),
                                            tr("Softmax saturation"), tr("Sandbox: q·k against d_k"),
                                            tr("Padding leakage"), tr("Head similarity"),
                                            tr("Position embedding similarity"), tr("Patch filter components"),
                                            tr("Overview: every layer and head")};
    for (int i = 0; i < kNumFigureViews; ++i) {
        const FigureView v = FigureView(i);
        const bool swin_only = v == FigureView::Windows || v == FigureView::Shift || v == FigureView::Bias ||
                               v == FigureView::Hierarchy;
        const bool vit_only = v == FigureView::Rollout || v == FigureView::PosEmbed || v == FigureView::Filters;
        if ((swin_only && !swin) || (vit_only && swin)) continue;
        view_->addItem(names[i], i);
    }
    view_->setCurrentIndex(std::max(0, view_->findData(int(r.view))));
    path_ = new QLineEdit(r.path);
    path_->setPlaceholderText(tr("figure.png, figure.svg or figure.pdf"));
    auto* browse = new QPushButton(tr("Browse…"));
    auto* path_row = new QHBoxLayout;
    path_row->addWidget(path_, 1);
    path_row->addWidget(browse);
    width_ = new QDoubleSpinBox;
    height_ = new QDoubleSpinBox;
    for (QDoubleSpinBox* s : {width_, height_}) {
        s->setRange(1, 16384);
        s->setDecimals(1);
    }
    width_->setValue(r.width_px);
    height_->setValue(r.height_px);
    unit_ = new QComboBox;
    unit_->addItems({tr("px"), tr("cm")});
    auto* size_row = new QHBoxLayout;
    size_row->addWidget(width_);
    size_row->addWidget(new QLabel(QStringLiteral("×")));
    size_row->addWidget(height_);
    size_row->addWidget(unit_);
    dpi_ = new QSpinBox;
    dpi_->setRange(10, 2400);
    dpi_->setValue(int(r.dpi));
    theme_ = new QComboBox;
    theme_->addItems({tr("light (slides, papers)"), tr("dark")});
    theme_->setCurrentIndex(r.dark ? 1 : 0);
    photo_ = new QCheckBox(tr("the photo under the heatmap"));
    photo_->setChecked(r.show_photo);
    caption_ = new QLineEdit(r.caption);
    caption_->setPlaceholderText(tr("optional; model, image and options are always recorded below it"));
    csv_ = new QCheckBox(tr("also write the numbers drawn as CSV beside the figure"));
    csv_->setChecked(r.write_csv);

    auto* form = new QFormLayout;
    form->addRow(tr("View"), view_);
    form->addRow(tr("File"), path_row);
    form->addRow(tr("Size"), size_row);
    form->addRow(tr("DPI"), dpi_);
    form->addRow(tr("Theme"), theme_);
    form->addRow(QString(), photo_);
    form->addRow(tr("Caption"), caption_);
    form->addRow(QString(), csv_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Export"));
    auto* v = new QVBoxLayout(this);
    v->addLayout(form);
    v->addWidget(buttons);
    connect(browse, &QPushButton::clicked, this, &ExportDialog::browse);
    connect(unit_, &QComboBox::currentIndexChanged, this, &ExportDialog::unit_changed);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

void ExportDialog::browse() {
    const QString p = QFileDialog::getSaveFileName(this, tr("Export figure"), path_->text(),
                                                   tr("Figures (*.png *.svg *.pdf)"));
    if (!p.isEmpty()) path_->setText(p);
}

void ExportDialog::unit_changed() {
    const bool cm = unit_->currentIndex() == 1;
    if (cm == cm_) return;
    const double k = cm ? kCmPerInch / dpi_->value() : dpi_->value() / kCmPerInch;  // px -> cm, or cm -> px
    for (QDoubleSpinBox* s : {width_, height_}) s->setValue(s->value() * k);
    cm_ = cm;
}

ExportRequest ExportDialog::request() const {
    ExportRequest r;
    r.view = FigureView(view_->currentData().toInt());
    r.path = path_->text().trimmed();
    r.dpi = dpi_->value();
    const double k = cm_ ? dpi_->value() / kCmPerInch : 1.0;  // to pixels
    r.width_px = width_->value() * k;
    r.height_px = height_->value() * k;
    r.dark = theme_->currentIndex() == 1;
    r.show_photo = photo_->isChecked();
    r.caption = caption_->text();
    r.write_csv = csv_->isChecked();
    return r;
}

}  // namespace vitscope
