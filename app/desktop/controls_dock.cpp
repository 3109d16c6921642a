#include "controls_dock.h"

#include "attention_stats.h"
#include "figure_source.h"
#include "session.h"
#include "swin_figure.h"
#include "view_settings.h"

#include <QAbstractSlider>
#include <QAbstractSpinBox>
#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QWheelEvent>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QRadioButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSlider>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace vitscope {

namespace {
// A one-line "what this shows / why it matters" under an option, for students: small, muted, wrapped.
QLabel* note(const QString& text) {
    auto* l = new QLabel(text);
    l->setWordWrap(true);
    l->setObjectName("option_note");
    QFont f = l->font();
    f.setPointSizeF(f.pointSizeF() * 0.88);
    l->setFont(f);
    // Between the text and the background colour: quieter than the controls, still readable on a projector.
    QPalette pal = l->palette();
    const QColor t = pal.color(QPalette::WindowText), b = pal.color(QPalette::Window);
    pal.setColor(QPalette::WindowText, QColor((t.red() * 7 + b.red() * 3) / 10, (t.green() * 7 + b.green() * 3) / 10,
                                              (t.blue() * 7 + b.blue() * 3) / 10));
    l->setPalette(pal);
    return l;
}

// Temperature slider: -100..100 maps to 10^(v/100), i.e. 0.1 .. 10, with 1 in the middle.
float temperature_of(int v) { return std::pow(10.0f, float(v) / 100.0f); }
int slider_of(float t) { return int(std::lround(std::log10(std::max(t, 1e-3f)) * 100.0f)); }
}  // namespace

ControlsDock::ControlsDock(Session* session, ViewSettings* settings, QWidget* parent)
    : QDockWidget(tr("Controls"), parent), session_(session), settings_(settings) {
    setObjectName("controls");
    auto* body = new QWidget;
    auto* v = new QVBoxLayout(body);
    v->addWidget(build_view_group());
    v->addWidget(build_swin_group());
    v->addWidget(build_options_group());
    v->addWidget(build_style_group());
    v->addStretch();
    auto* scroll = new QScrollArea;
    scroll->setWidget(body);
    scroll->setWidgetResizable(true);
    // Wide enough at the sizes the window starts with; in a very small window it scrolls sideways
    // rather than cutting labels.
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    setWidget(scroll);
    scroll_ = scroll;
    guard_wheel(body);
    connect(session_, &Session::model_changed, this, &ControlsDock::on_model_changed);
    connect(session_, &Session::trace_changed, this, &ControlsDock::sync_options);
    connect(settings_, &ViewSettings::selection_changed, this, &ControlsDock::sync_selection);
    on_model_changed();
}

void ControlsDock::guard_wheel(QWidget* root) {
    for (QWidget* w : root->findChildren<QWidget*>()) {
        if (!qobject_cast<QComboBox*>(w) && !qobject_cast<QAbstractSpinBox*>(w) && !qobject_cast<QAbstractSlider*>(w))
            continue;
        w->setFocusPolicy(Qt::StrongFocus);  // not Qt::WheelFocus: the wheel must not grab focus
        w->removeEventFilter(this);
        w->installEventFilter(this);
    }
}

bool ControlsDock::eventFilter(QObject* watched, QEvent* e) {
    if (e->type() == QEvent::Wheel) {
        auto* w = qobject_cast<QWidget*>(watched);
        if (w && !w->hasFocus()) {
            // Scroll the dock instead (sent on explicitly: Qt does not pass a refused wheel event up).
            QCoreApplication::sendEvent(scroll_->verticalScrollBar(), e);
            return true;
        }
    }
    return QDockWidget::eventFilter(watched, e);
}

QWidget* ControlsDock::build_view_group() {
    auto* g = new QGroupBox(tr("Look at"));
    auto* f = new QFormLayout(g);
    layer_ = new QSlider(Qt::Horizontal);
    layer_label_ = new QLabel;
    layer_label_->setWordWrap(true);  // "stage 2 · block 5 (SW-MSA)": wraps rather than being cut
    auto* lrow = new QHBoxLayout;
    lrow->addWidget(layer_, 1);
    lrow->addWidget(layer_label_);
    layer_title_ = new QLabel(tr("Layer"));
    f->addRow(layer_title_, lrow);
    head_ = new QSlider(Qt::Horizontal);
    head_label_ = new QLabel;
    auto* hrow = new QHBoxLayout;
    hrow->addWidget(head_, 1);
    hrow->addWidget(head_label_);
    f->addRow(tr("Head"), hrow);
    query_ = new QSpinBox;
    query_label_ = new QLabel;
    query_label_->setWordWrap(true);
    cls_ = new QPushButton(tr("CLS"));
    auto* qrow = new QHBoxLayout;
    qrow->addWidget(query_);
    qrow->addWidget(cls_);
    qrow->addWidget(query_label_, 1);
    f->addRow(tr("Query"), qrow);
    query_tool_ = new QRadioButton(tr("Pick query"));
    mask_tool_ = new QRadioButton(tr("Mask keys"));
    query_tool_->setToolTip(tr("Click a patch: its row of attention (where it looks) is drawn over the image."));
    mask_tool_->setToolTip(tr("Click or drag over patches to mask them as keys: no query may attend to them."));
    layer_->setToolTip(tr("Layer ([ and ]): early layers look locally, late layers globally."));
    head_->setToolTip(tr("Head (, and .): the last position is the mean of the heads."));
    query_->setToolTip(tr("The query token (Home: CLS). Swin: a token of the block's stage map, row × width + col."));
    query_tool_->setChecked(true);
    auto* trow = new QHBoxLayout;
    trow->addWidget(query_tool_);
    trow->addWidget(mask_tool_);
    f->addRow(tr("Click"), trow);
    mask_label_ = new QLabel;
    auto* clear = new QPushButton(tr("Clear mask"));
    auto* mrow = new QHBoxLayout;
    mrow->addWidget(mask_label_, 1);
    mrow->addWidget(clear);
    f->addRow(tr("User mask"), mrow);

    connect(layer_, &QSlider::valueChanged, this, [this](int v) {
        if (!syncing_) settings_->set_layer(v);
    });
    // The head slider's last position is the mean of heads.
    connect(head_, &QSlider::valueChanged, this, [this](int v) {
        if (!syncing_) settings_->set_head(v == head_->maximum() ? kMeanOfHeads : v);
    });
    connect(query_, &QSpinBox::valueChanged, this, [this](int v) {
        if (syncing_) return;
        // The box shows a token of the layer (Swin: of the block's stage map); the selection keeps
        // what AttentionSource::selection_of makes of it.
        const auto src = attention_source(*session_);
        if (!src || src->layers() == 0) return settings_->set_query(v);
        const int layer = std::clamp(settings_->layer(), 0, src->layers() - 1);
        settings_->set_query(src->selection_of(layer, std::clamp(v, 0, src->num_tokens(layer) - 1)));
    });
    connect(cls_, &QPushButton::clicked, this, [this] { settings_->set_query(0); });
    connect(query_tool_, &QRadioButton::toggled, this, [this](bool on) {
        settings_->set_tool(on ? ToolMode::Query : ToolMode::Mask);
    });
    connect(clear, &QPushButton::clicked, this, [this] {
        AttentionOptions o = session_->options();
        o.masked_keys.clear();
        session_->set_options(o);
    });
    return g;
}

QWidget* ControlsDock::build_options_group() {
    auto* g = new QGroupBox(tr("Attention options"));
    auto* f = new QFormLayout(g);
    scale_ = new QComboBox;
    scale_->addItem(tr("1/√d_head (paper)"));
    scale_->addItem(tr("1/√d_model"));
    scale_->addItem(tr("none"));
    f->addRow(tr("Scale"), scale_);
    scale_->setToolTip(tr("What q·k is divided by before the softmax. The paper uses √d_head: without it the dot "
                          "products grow with the head size and the softmax saturates on one key."));
    f->addRow(note(tr("Without 1/√d the logits are large and attention collapses onto one key (entropy drops).")));
    temperature_ = new QSlider(Qt::Horizontal);
    temperature_->setRange(-100, 100);
    temperature_label_ = new QLabel;
    auto* trow = new QHBoxLayout;
    trow->addWidget(temperature_, 1);
    trow->addWidget(temperature_label_);
    f->addRow(tr("Temperature"), trow);
    temperature_->setToolTip(tr("Divides the logits once more: below 1 sharpens every attention row, above 1 flattens it "
                                "towards uniform. 1 is the trained model."));
    f->addRow(note(tr("Low temperature: sharper maps; high: flatter. The model was trained at 1.")));
    causal_ = new QCheckBox(tr("causal (query i sees keys ≤ i)"));
    causal_->setToolTip(tr("A language model's mask: each token may only look at tokens before it. Images have no "
                           "order, so ViT uses no causal mask; try it to see what breaks."));
    f->addRow(causal_);
    f->addRow(note(tr("Text models hide the future; an image has none, so the predictions degrade.")));
    padding_mask_ = new QCheckBox(tr("mask padding keys"));
    preprocess_ = new QComboBox;
    preprocess_->addItem(tr("crop"));
    preprocess_->addItem(tr("pad"));
    auto* prow = new QHBoxLayout;
    prow->addWidget(preprocess_);
    prow->addWidget(padding_mask_);
    f->addRow(tr("Preprocess"), prow);
    preprocess_->setToolTip(tr("crop: resize and centre-crop to the model's input (the paper); pad: keep the whole "
                               "image and fill the rest with padding patches."));
    padding_mask_->setToolTip(tr("Keys in the padding get −∞ before the softmax, so no query attends to them. "
                                 "Off: attention leaks onto empty patches."));
    f->addRow(note(tr("A mask sets logits to −∞: masked keys get exactly zero attention.")));
    first_layer_ = new QSpinBox;
    last_layer_ = new QSpinBox;
    auto* rrow = new QHBoxLayout;
    rrow->addWidget(first_layer_);
    rrow->addWidget(new QLabel(tr("to")));
    rrow->addWidget(last_layer_);
    f->addRow(tr("Layers"), rrow);
    first_layer_->setToolTip(tr("The options above apply only to these layers (blocks); the others run as trained."));
    last_layer_->setToolTip(first_layer_->toolTip());
    ablation_box_ = new QWidget;
    new QHBoxLayout(ablation_box_);
    ablation_box_->layout()->setContentsMargins(0, 0, 0, 0);
    f->addRow(tr("Heads on"), ablation_box_);
    ablation_box_->setToolTip(tr("Untick a head to zero its output (ablation) in the layers above; its attention is "
                                 "still computed and shown, greyed and marked \"ablated\"."));
    f->addRow(note(tr("Switch a head off to see what the prediction loses: many heads, many kinds of look-up.")));
    auto* reset = new QPushButton(tr("Paper defaults"));
    f->addRow(reset);

    auto push = [this] { push_options(); };
    connect(scale_, &QComboBox::currentIndexChanged, this, push);
    connect(temperature_, &QSlider::valueChanged, this, [this](int v) {
        temperature_label_->setText(QString::number(double(temperature_of(v)), 'f', 2));
        push_options();
    });
    connect(causal_, &QCheckBox::toggled, this, push);
    connect(padding_mask_, &QCheckBox::toggled, this, push);
    connect(first_layer_, &QSpinBox::valueChanged, this, push);
    connect(last_layer_, &QSpinBox::valueChanged, this, push);
    connect(preprocess_, &QComboBox::currentIndexChanged, this, [this](int i) {
        if (!syncing_) session_->set_preprocess_mode(i == 1 ? PreprocessMode::Pad : PreprocessMode::Crop);
    });
    connect(reset, &QPushButton::clicked, this, [this] {
        session_->set_options(AttentionOptions{});
        if (session_->is_swin()) session_->set_swin_options(SwinOptions{});
        sync_options();
    });
    return g;
}

QWidget* ControlsDock::build_swin_group() {
    auto* g = new QGroupBox(tr("Swin windows"));
    auto* v = new QVBoxLayout(g);
    swin_shift_ = new QCheckBox(tr("shift odd blocks' windows by ⌊M/2⌋ (SW-MSA)"));
    swin_shift_mask_ = new QCheckBox(tr("shift mask (−100 between regions)"));
    swin_bias_ = new QCheckBox(tr("relative position bias"));
    swin_regions_ = new QCheckBox(tr("show windows' regions (tint + ids)"));
    swin_shift_->setToolTip(tr("Odd blocks move their windows by half a window, so information crosses the window "
                               "borders of the block before. Off: every block uses the same windows."));
    swin_shift_mask_->setToolTip(tr("After the cyclic shift a window holds pieces from opposite image edges; the mask "
                                    "adds −100 between them so they do not attend to each other."));
    swin_bias_->setToolTip(tr("A learned bias per head for each relative offset inside the window: Swin's position "
                              "information."));
    swin_regions_->setToolTip(tr("Tint each piece of a shifted window by its region and label it w<window> r<region>."));
    for (QCheckBox* c : {swin_shift_, swin_shift_mask_, swin_bias_, swin_regions_}) v->addWidget(c);
    v->addWidget(note(tr("Attention stays inside 7×7 windows; the shift lets windows talk, the mask keeps "
                         "wrapped-around pieces apart.")));
    auto push = [this] { push_swin_options(); };
    connect(swin_shift_, &QCheckBox::toggled, this, push);
    connect(swin_shift_mask_, &QCheckBox::toggled, this, push);
    connect(swin_bias_, &QCheckBox::toggled, this, push);
    connect(swin_regions_, &QCheckBox::toggled, this, [this](bool on) { settings_->set_show_swin_regions(on); });
    swin_group_ = g;
    return g;
}

void ControlsDock::push_swin_options() {
    if (syncing_ || !session_->is_swin()) return;
    SwinOptions so;
    so.shift = swin_shift_->isChecked();
    so.shift_mask = swin_shift_mask_->isChecked();
    so.relative_position_bias = swin_bias_->isChecked();
    swin_shift_mask_->setEnabled(so.shift);  // the mask only exists between regions of shifted windows
    session_->set_swin_options(so);
}

int ControlsDock::stage_heads() const {
    const auto m = session_->model();
    if (!m) return 1;
    if (m->vit) return m->vit->hp.num_heads;
    const SwinHparams& hp = m->swin->hp;
    int block = std::clamp(settings_->layer(), 0, hp.total_blocks() - 1);
    for (int s = 0; s < hp.num_stages(); ++s) {
        if (block < hp.depths[size_t(s)]) return hp.num_heads[size_t(s)];
        block -= hp.depths[size_t(s)];
    }
    return hp.num_heads.back();
}

QWidget* ControlsDock::build_style_group() {
    auto* g = new QGroupBox(tr("Drawing"));
    auto* f = new QFormLayout(g);
    colormap_ = new QComboBox;
    for (int i = 0; i < kNumColormaps; ++i) colormap_->addItem(colormap_name(Colormap(i)));
    f->addRow(tr("Colormap"), colormap_);
    normalization_ = new QComboBox;
    for (int i = 0; i < kNumNormalizations; ++i) normalization_->addItem(normalization_name(Normalization(i)));
    log_ = new QCheckBox(tr("log"));
    auto* nrow = new QHBoxLayout;
    nrow->addWidget(normalization_, 1);
    nrow->addWidget(log_);
    f->addRow(tr("Scale"), nrow);
    opacity_ = new QSlider(Qt::Horizontal);
    opacity_->setRange(0, 100);
    f->addRow(tr("Opacity"), opacity_);
    colormap_->setToolTip(tr("How values become colours. viridis, inferno and magma are perceptually uniform."));
    normalization_->setToolTip(tr("Which maps share one colour scale: each map its own, a layer's heads together, "
                                  "every layer, or raw probabilities 0..1 (comparable across everything)."));
    log_->setToolTip(tr("Log colour scale: small probabilities become visible (four decades)."));
    opacity_->setToolTip(tr("0: the image only; 100: the colours only."));
    smooth_ = new QCheckBox(tr("smooth"));
    grid_ = new QCheckBox(tr("patch grid"));
    auto* srow = new QHBoxLayout;
    srow->addWidget(smooth_);
    srow->addWidget(grid_);
    f->addRow(tr("Sampling"), srow);
    special_in_range_ = new QCheckBox(tr("CLS / special tokens inside the colour range"));
    special_in_range_->setToolTip(
        tr("Off: the colours span the patches only, so the map keeps its contrast; a special token above that "
           "range is drawn at the top colour and the colourbar gets a ▲ with its value.\n"
           "On: the range includes the special tokens (often much larger), so patch differences look flatter."));
    f->addRow(special_in_range_);

    auto push = [this] {
        if (syncing_) return;
        FigureStyle s;
        s.colormap = Colormap(colormap_->currentIndex());
        s.normalization = Normalization(normalization_->currentIndex());
        s.log_scale = log_->isChecked();
        s.opacity = float(opacity_->value()) / 100.0f;
        s.sampling = smooth_->isChecked() ? Sampling::Smooth : Sampling::Nearest;
        s.show_grid = grid_->isChecked();
        s.special_in_range = special_in_range_->isChecked();
        settings_->set_style(s);
    };
    connect(colormap_, &QComboBox::currentIndexChanged, this, push);
    connect(normalization_, &QComboBox::currentIndexChanged, this, push);
    connect(log_, &QCheckBox::toggled, this, push);
    connect(opacity_, &QSlider::valueChanged, this, push);
    connect(smooth_, &QCheckBox::toggled, this, push);
    connect(grid_, &QCheckBox::toggled, this, push);
    connect(special_in_range_, &QCheckBox::toggled, this, push);
    auto sync = [this] {
        syncing_ = true;
        const FigureStyle& s = settings_->style();
        colormap_->setCurrentIndex(int(s.colormap));
        normalization_->setCurrentIndex(int(s.normalization));
        log_->setChecked(s.log_scale);
        opacity_->setValue(int(std::lround(s.opacity * 100)));
        smooth_->setChecked(s.sampling == Sampling::Smooth);
        grid_->setChecked(s.show_grid);
        special_in_range_->setChecked(s.special_in_range);
        syncing_ = false;
    };
    connect(settings_, &ViewSettings::style_changed, this, sync);
    sync();
    return g;
}

void ControlsDock::on_model_changed() {
    const auto m = session_->model();
    int depth = 1, heads = 1, tokens = 1;
    const bool swin = m && m->swin;
    if (m && m->vit) {
        depth = m->vit->hp.depth;
        heads = m->vit->hp.num_heads;
        tokens = m->vit->hp.num_prefix_tokens() + m->vit->hp.num_patches();
    } else if (swin) {
        const SwinHparams& hp = m->swin->hp;
        depth = hp.total_blocks();
        heads = *std::max_element(hp.num_heads.begin(), hp.num_heads.end());  // ablation: head indices of any stage
        tokens = (m->input_height() / hp.patch_size) * (m->input_width() / hp.patch_size);  // stage-0 patches
    }
    syncing_ = true;
    layer_title_->setText(swin ? tr("Block") : tr("Layer"));
    swin_group_->setVisible(swin);
    cls_->setEnabled(!swin);
    layer_->setRange(0, depth - 1);
    head_->setRange(0, heads);  // the last position: mean of heads
    query_->setRange(0, std::max(tokens - 1, 0));
    first_layer_->setRange(0, depth - 1);
    last_layer_->setRange(0, depth - 1);
    for (QCheckBox* c : head_on_) delete c;
    head_on_.clear();
    for (int h = 0; h < heads; ++h) {
        auto* c = new QCheckBox(QString::number(h));
        c->setChecked(true);
        connect(c, &QCheckBox::toggled, this, [this] { push_options(); });
        ablation_box_->layout()->addWidget(c);
        head_on_.push_back(c);
    }
    guard_wheel(ablation_box_);
    syncing_ = false;
    settings_->clamp_to(depth, heads, tokens);
    sync_selection();
    sync_options();
}

void ControlsDock::sync_selection() {
    // Swin stages differ in head count: keep the head inside the selected block's stage.
    const int heads = stage_heads();
    if (settings_->head() != kMeanOfHeads && settings_->head() >= heads) {
        settings_->set_head(heads - 1);  // re-enters through selection_changed
        return;
    }
    syncing_ = true;
    const int head = settings_->head();
    head_->setRange(0, heads);
    layer_->setValue(settings_->layer());
    head_->setValue(head == kMeanOfHeads ? head_->maximum() : head);
    for (int h = 0; h < int(head_on_.size()); ++h) head_on_[size_t(h)]->setVisible(h < heads);
    head_label_->setText(head == kMeanOfHeads ? tr("mean") : QString::number(head));
    // The query box holds a token of the shown layer (Swin: of the block's stage map).
    if (const auto src = attention_source(*session_); src && src->layers() > 0) {
        const int layer = std::clamp(settings_->layer(), 0, src->layers() - 1);
        const int q = src->query_token(layer, settings_->query());
        layer_label_->setText(QString::fromStdString(src->name(layer)));
        query_->setRange(0, std::max(src->num_tokens(layer) - 1, 0));
        query_->setValue(q);
        query_label_->setText(QString::fromStdString(src->query_name(layer, q)));
    } else {
        layer_label_->setText(QString::number(settings_->layer()));
        query_->setValue(settings_->query());
        query_label_->setText(QString());
    }
    syncing_ = false;
}

void ControlsDock::sync_options() {
    syncing_ = true;
    const AttentionOptions& o = session_->options();
    scale_->setCurrentIndex(int(o.scale_mode));
    temperature_->setValue(slider_of(o.temperature));
    temperature_label_->setText(QString::number(double(o.temperature), 'f', 2));
    causal_->setChecked(o.causal);
    padding_mask_->setChecked(o.padding_mask);
    preprocess_->setCurrentIndex(session_->preprocess_mode() == PreprocessMode::Pad ? 1 : 0);
    first_layer_->setValue(o.first_layer);
    last_layer_->setValue(o.last_layer < 0 ? last_layer_->maximum() : o.last_layer);
    for (int h = 0; h < int(head_on_.size()); ++h)
        head_on_[size_t(h)]->setChecked(std::find(o.ablated_heads.begin(), o.ablated_heads.end(), h) == o.ablated_heads.end());
    mask_label_->setText(session_->is_swin() ? tr("%n patch(es) masked", nullptr, int(o.masked_keys.size()))
                                             : tr("%n key(s) masked", nullptr, int(o.masked_keys.size())));
    const SwinOptions& so = session_->swin_options();
    swin_shift_->setChecked(so.shift);
    swin_shift_mask_->setChecked(so.shift_mask);
    swin_shift_mask_->setEnabled(so.shift);
    swin_bias_->setChecked(so.relative_position_bias);
    swin_regions_->setChecked(settings_->show_swin_regions());
    syncing_ = false;
    sync_selection();
}

void ControlsDock::push_options() {
    if (syncing_) return;
    AttentionOptions o = session_->options();
    o.scale_mode = ScaleMode(scale_->currentIndex());
    o.temperature = temperature_of(temperature_->value());
    if (std::fabs(o.temperature - 1.0f) < 1e-6f) o.temperature = 1.0f;
    o.causal = causal_->isChecked();
    o.padding_mask = padding_mask_->isChecked();
    o.first_layer = first_layer_->value();
    o.last_layer = last_layer_->value() == last_layer_->maximum() ? -1 : last_layer_->value();
    o.ablated_heads.clear();
    for (int h = 0; h < int(head_on_.size()); ++h)
        if (!head_on_[size_t(h)]->isChecked()) o.ablated_heads.push_back(h);
    session_->set_options(o);
}

}  // namespace vitscope
