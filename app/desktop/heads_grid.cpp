#include "heads_grid.h"

#include "attention_stats.h"
#include "session.h"
#include "swin_overlay.h"
#include "view_settings.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QVBoxLayout>

#include <cmath>

namespace vitscope {

HeadsCanvas::HeadsCanvas(Session* session, ViewSettings* settings, QWidget* parent)
    : GlHeatmapWidget(parent), session_(session), settings_(settings) {
    setMinimumSize(240, 200);
    connect(session_, &Session::trace_changed, this, [this] {
        set_image(session_->input_image());
        rebuild();
    });
    connect(session_, &Session::model_changed, this, &HeadsCanvas::rebuild);
    connect(settings_, &ViewSettings::selection_changed, this, &HeadsCanvas::rebuild);
    connect(settings_, &ViewSettings::style_changed, this, &HeadsCanvas::rebuild);
}

int HeadsCanvas::head_of_tile(int tile) const {
    return tile == int(figures_.size()) - 1 ? kMeanOfHeads : tile;
}

void HeadsCanvas::rebuild() {
    figures_.clear();
    partition_ = SwinPartition{};
    const auto trace = session_->trace();
    const auto st = session_->swin_trace();
    if (st && !st->blocks.empty()) {
        const int block = std::clamp(settings_->layer(), 0, int(st->blocks.size()) - 1);
        const int H = st->blocks[size_t(block)].num_heads;
        FigureStyle s = settings_->style();
        s.show_grid = false;
        for (int h = 0; h <= H; ++h) {
            const int head = h == H ? kMeanOfHeads : h;
            HeatmapFigure f = swin_attention_figure(*st, block, head, settings_->query(), s);
            f.title = head == kMeanOfHeads ? "mean" : "head " + std::to_string(h);
            figures_.push_back(std::move(f));
        }
        partition_ = swin_partition(*st, block);
    } else if (trace && !trace->layers.empty()) {
        const int layer = std::clamp(settings_->layer(), 0, int(trace->layers.size()) - 1);
        const int query = std::clamp(settings_->query(), 0, trace->num_tokens - 1);
        FigureStyle s = settings_->style();
        s.show_grid = false;
        for (int h = 0; h <= trace->num_heads; ++h) {
            const int head = h == trace->num_heads ? kMeanOfHeads : h;
            HeatmapFigure f = attention_figure(*trace, layer, head, query, s);
            f.title = head == kMeanOfHeads ? "mean" : "head " + std::to_string(h);
            f.side_values.clear();  // the thumbnails show patches only
            f.side_flags.clear();
            f.side_labels.clear();
            figures_.push_back(std::move(f));
        }
    }
    update();
}

QRectF HeadsCanvas::tile_rect(int tile) const {
    const int n = int(figures_.size());
    const int cols = std::max(1, int(std::ceil(std::sqrt(double(n) * width() / std::max(height(), 1)))));
    const int rows = (n + cols - 1) / cols;
    const double tw = double(width()) / cols, th = double(height()) / std::max(rows, 1);
    return QRectF((tile % cols) * tw, (tile / cols) * th, tw, th);
}

HeatmapLayout HeadsCanvas::tile_layout(int tile) const {
    const QRectF r = tile_rect(tile);
    LayoutStyle s;
    s.margin = 4;
    s.gap = 4;
    s.colorbar_width = 8;
    s.colorbar_labels = 34;
    s.title_height = 13;
    return layout_heatmap(figures_[size_t(tile)], {float(r.x()), float(r.y()), float(r.width()), float(r.height())}, s);
}

QPoint HeadsCanvas::tile_center(int tile) const { return tile_rect(tile).center().toPoint(); }

void HeadsCanvas::draw_gl(HeatmapRenderer& r, float dpr) {
    for (int i = 0; i < int(figures_.size()); ++i) r.draw(figures_[size_t(i)], tile_layout(i), dpr);
}

void HeadsCanvas::draw_overlay(QPainter& p) {
    if (figures_.empty()) {
        p.setPen(QColor(200, 200, 200));
        p.drawText(rect(), Qt::AlignCenter, tr("No attention yet"));
        return;
    }
    for (int i = 0; i < int(figures_.size()); ++i) {
        const HeatmapLayout l = tile_layout(i);
        if (partition_.grid_w > 0) draw_swin_partition(p, partition_, l.grid, {false, true});
        draw_figure_text(p, figures_[size_t(i)], l, true);
        if (head_of_tile(i) == settings_->head()) {
            p.setPen(QPen(QColor(255, 210, 40), 2));
            p.setBrush(Qt::NoBrush);
            p.drawRect(QRectF(l.grid.x - 2, l.grid.y - 2, l.grid.w + 4, l.grid.h + 4));
        }
    }
}

void HeadsCanvas::mousePressEvent(QMouseEvent* e) {
    for (int i = 0; i < int(figures_.size()); ++i)
        if (tile_rect(i).contains(e->position())) {
            settings_->set_head(head_of_tile(i));
            return;
        }
}

HeadsGrid::HeadsGrid(Session* session, ViewSettings* settings, QWidget* parent)
    : QWidget(parent), settings_(settings), canvas_(new HeadsCanvas(session, settings, this)) {
    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Scale:")));
    normalization_ = new QComboBox;
    for (int i = 0; i < kNumNormalizations; ++i) normalization_->addItem(normalization_name(Normalization(i)));
    top->addWidget(normalization_);
    log_ = new QCheckBox(tr("log"));
    top->addWidget(log_);
    top->addStretch();
    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(2, 2, 2, 2);
    v->addLayout(top);
    v->addWidget(canvas_, 1);
    connect(normalization_, &QComboBox::currentIndexChanged, this, [this](int i) {
        FigureStyle s = settings_->style();
        if (int(s.normalization) == i) return;
        s.normalization = Normalization(i);
        settings_->set_style(s);
    });
    connect(log_, &QCheckBox::toggled, this, [this](bool on) {
        FigureStyle s = settings_->style();
        if (s.log_scale == on) return;
        s.log_scale = on;
        settings_->set_style(s);
    });
    connect(settings_, &ViewSettings::style_changed, this, &HeadsGrid::sync_from_settings);
    sync_from_settings();
}

void HeadsGrid::sync_from_settings() {
    QSignalBlocker b1(normalization_), b2(log_);
    normalization_->setCurrentIndex(int(settings_->style().normalization));
    log_->setChecked(settings_->style().log_scale);
}

}  // namespace vitscope
