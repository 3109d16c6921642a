// Every control in one dock: what to look at (layer, head, query, tool), how attention is computed
// (scale, temperature, masks, causal, ablation, layer range) and how it is drawn (colormap, scale,
// opacity, sampling). View controls only change ViewSettings; option controls go to the Session.
// For Swin the layer slider walks every block ("stage S · block B (W-MSA / SW-MSA)"), the head slider
// follows the block's stage, and a Swin group holds the shift / shift mask / position bias switches.
// For Swin the Query box counts tokens of the selected block's stage map (row * W_s + col) and the
// "Heads on" boxes show only that stage's heads. The mouse wheel scrolls the dock: a combo box,
// spin box or slider takes the wheel only once it has focus (click or Tab).
#pragma once

#include <QDockWidget>
#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QScrollArea;
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
    QRadioButton* query_tool() const { return query_tool_; }
    QRadioButton* mask_tool() const { return mask_tool_; }
    QLabel* layer_label() const { return layer_label_; }
    QCheckBox* swin_shift() const { return swin_shift_; }
    QCheckBox* swin_shift_mask() const { return swin_shift_mask_; }
    QCheckBox* swin_bias() const { return swin_bias_; }
    QCheckBox* swin_regions() const { return swin_regions_; }
    QSpinBox* query_box() const { return query_; }
    QCheckBox* special_in_range() const { return special_in_range_; }
    const std::vector<QCheckBox*>& head_on_boxes() const { return head_on_; }

protected:
    bool eventFilter(QObject* watched, QEvent* e) override;

private:
    QWidget* build_view_group();
    QWidget* build_options_group();
    QWidget* build_style_group();
    QWidget* build_swin_group();
    void push_swin_options();
    int stage_heads() const;  // heads of the selected block (ViT: of every layer)
    void on_model_changed();
    void sync_selection();
    void sync_options();
    void push_options();
    void guard_wheel(QWidget* root);  // wheel scrolls the dock unless the control has focus

    Session* session_;
    ViewSettings* settings_;
    bool syncing_ = false;
    QScrollArea* scroll_ = nullptr;

    QSlider* layer_ = nullptr;
    QLabel* layer_title_ = nullptr;
    QLabel* layer_label_ = nullptr;
    QPushButton* cls_ = nullptr;
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
    QCheckBox* special_in_range_ = nullptr;

    QWidget* swin_group_ = nullptr;
    QCheckBox* swin_shift_ = nullptr;
    QCheckBox* swin_shift_mask_ = nullptr;
    QCheckBox* swin_bias_ = nullptr;
    QCheckBox* swin_regions_ = nullptr;
};

}  // namespace vitscope
