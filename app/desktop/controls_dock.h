// Every control in one dock: what to look at (layer, head, query, tool), how attention is computed
// (scale, temperature, masks, causal, ablation, layer range) and how it is drawn (colormap, scale,
// opacity, sampling). View controls only change ViewSettings; option controls go to the Session.
#pragma once

#include <QDockWidget>
#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QRadioButton;
class QSlider;
class QSpinBox;
class QVBoxLayout;

namespace vitscope {

class Session;
class ViewSettings;

class ControlsDock : public QDockWidget {
    Q_OBJECT
public:
    ControlsDock(Session* session, ViewSettings* settings, QWidget* parent = nullptr);

    QSlider* layer_slider() const { return layer_; }
    QSlider* head_slider() const { return head_; }
    QComboBox* scale_combo() const { return scale_; }
    QRadioButton* mask_tool() const { return mask_tool_; }

private:
    QWidget* build_view_group();
    QWidget* build_options_group();
    QWidget* build_style_group();
    void on_model_changed();
    void sync_selection();
    void sync_options();
    void push_options();

    Session* session_;
    ViewSettings* settings_;
    bool syncing_ = false;

    QSlider* layer_ = nullptr;
    QLabel* layer_label_ = nullptr;
    QSlider* head_ = nullptr;
    QLabel* head_label_ = nullptr;
    QSpinBox* query_ = nullptr;
    QLabel* query_label_ = nullptr;
    QRadioButton* query_tool_ = nullptr;
    QRadioButton* mask_tool_ = nullptr;
    QLabel* mask_label_ = nullptr;

    QComboBox* scale_ = nullptr;
    QSlider* temperature_ = nullptr;
    QLabel* temperature_label_ = nullptr;
    QCheckBox* causal_ = nullptr;
    QCheckBox* padding_mask_ = nullptr;
    QComboBox* preprocess_ = nullptr;
    QSpinBox* first_layer_ = nullptr;
    QSpinBox* last_layer_ = nullptr;
    QWidget* ablation_box_ = nullptr;
    std::vector<QCheckBox*> head_on_;

    QComboBox* colormap_ = nullptr;
    QComboBox* normalization_ = nullptr;
    QCheckBox* log_ = nullptr;
    QSlider* opacity_ = nullptr;
    QCheckBox* smooth_ = nullptr;
    QCheckBox* grid_ = nullptr;
};

}  // namespace vitscope
