#include "image_view.h"

#include "attention_stats.h"
#include "session.h"
#include "swin_overlay.h"
#include "view_settings.h"

#include <QMouseEvent>
#include <QPainter>

namespace vitscope {

ImageView::ImageView(Session* session, ViewSettings* settings, QWidget* parent)
    : GlHeatmapWidget(parent), session_(session), settings_(settings) {
    setMouseTracking(true);
    setMinimumSize(320, 320);
    connect(session_, &Session::trace_changed, this, [this] {
        set_image(session_->input_image());
        rebuild();
    });
    connect(session_, &Session::model_changed, this, &ImageView::rebuild);
    connect(settings_, &ViewSettings::selection_changed, this, &ImageView::rebuild);
    connect(settings_, &ViewSettings::style_changed, this, &ImageView::rebuild);
    connect(settings_, &ViewSettings::tool_changed, this, [this] {
        setCursor(settings_->tool() == ToolMode::Mask ? Qt::CrossCursor : Qt::ArrowCursor);
    });
}

int ImageView::shown_block() const {
    const auto st = session_->swin_trace();
    return st ? std::clamp(settings_->layer(), 0, int(st->blocks.size()) - 1) : 0;
}

void ImageView::rebuild() {
    const auto trace = session_->trace();
    const auto st = session_->swin_trace();
    partition_ = SwinPartition{};
    if (st && !st->blocks.empty()) {
        const int block = shown_block();
        const int H = st->blocks[size_t(block)].num_heads;
        const int head = settings_->head() == kMeanOfHeads ? kMeanOfHeads : std::clamp(settings_->head(), 0, H - 1);
        figure_ = swin_attention_figure(*st, block, head, settings_->query(), settings_->style());
        partition_ = swin_partition(*st, block);
        ++builds_;
    } else if (!trace || trace->layers.empty()) {
        figure_ = HeatmapFigure{};
    } else {
        const int layer = std::clamp(settings_->layer(), 0, int(trace->layers.size()) - 1);
        const int head = settings_->head() == kMeanOfHeads ? kMeanOfHeads
                                                           : std::clamp(settings_->head(), 0, trace->num_heads - 1);
        const int query = std::clamp(settings_->query(), 0, trace->num_tokens - 1);
        figure_ = attention_figure(*trace, layer, head, query, settings_->style());
        ++builds_;
    }
    update();
}

HeatmapLayout ImageView::figure_layout() const {
    LayoutStyle s;
    s.margin = 10;
    s.title_height = 20;
    return layout_heatmap(figure_, {0, 0, float(width()), float(height() - 18)}, s);
}

QPoint ImageView::patch_center(int patch) const {
    float x = 0, y = 0;
    cell_center(figure_, figure_layout(), HitResult::Patch, patch, x, y);
    return QPoint(int(x), int(y));
}

void ImageView::draw_gl(HeatmapRenderer& r, float dpr) {
    if (figure_.num_cells() == 0) return;
    HeatmapFigure f = figure_;
    if (hover_token_ >= 0 && session_->swin_trace()) {
        if (size_t(hover_token_) < f.cell_flags.size()) f.cell_flags[size_t(hover_token_)] |= kCellHover;
    } else if (hover_token_ >= 0 && session_->trace()) {
        const int np = session_->trace()->num_prefix;
        if (hover_token_ < np && size_t(hover_token_) < f.side_flags.size())
            f.side_flags[size_t(hover_token_)] |= kCellHover;
        else if (hover_token_ >= np && size_t(hover_token_ - np) < f.cell_flags.size())
            f.cell_flags[size_t(hover_token_ - np)] |= kCellHover;
    }
    r.draw(f, figure_layout(), dpr);
}

void ImageView::draw_overlay(QPainter& p) {
    if (figure_.num_cells() == 0) {
        p.setPen(QColor(200, 200, 200));
        p.drawText(rect(), Qt::AlignCenter, session_->busy() ? tr("Computing…") : tr("No model or image"));
        return;
    }
    const HeatmapLayout l = figure_layout();
    if (partition_.grid_w > 0) draw_swin_partition(p, partition_, l.grid, {settings_->show_swin_regions(), false});
    draw_figure_text(p, figure_, l);
    QFont f = p.font();
    f.setPointSizeF(8.5);
    p.setFont(f);
    p.setPen(QColor(190, 190, 200));
    QString tool = settings_->tool() == ToolMode::Mask ? tr("Mask tool: click or drag to mask keys")
                                                       : tr("Click a patch to make it the query");
    if (partition_.grid_w > 0)
        tool += tr("  ·  %1×%2 windows of %3×%3 tokens, shift %4  ·  dimmed: outside the query's window")
                    .arg(partition_.num_windows > 0 ? (partition_.grid_h + partition_.window - 1) / partition_.window : 0)
                    .arg(partition_.num_windows > 0 ? (partition_.grid_w + partition_.window - 1) / partition_.window : 0)
                    .arg(partition_.window)
                    .arg(partition_.shift);
    p.drawText(QRectF(10, height() - 20, width() - 20, 18), Qt::AlignLeft | Qt::AlignVCenter,
               tool + QStringLiteral("  ·  ") + QString::fromLatin1(normalization_name(figure_.normalization)) +
                   (figure_.log_scale ? tr(", log") : QString()));
}

int ImageView::token_at(const QPointF& pos) const {
    if (session_->swin_trace() && figure_.num_cells() > 0) {
        const HitResult h = hit_test(figure_, figure_layout(), float(pos.x()), float(pos.y()));
        return h.kind == HitResult::Patch ? h.index : -1;
    }
    const auto trace = session_->trace();
    if (!trace || figure_.num_cells() == 0) return -1;
    const HitResult h = hit_test(figure_, figure_layout(), float(pos.x()), float(pos.y()));
    if (h.kind == HitResult::Patch) return trace->num_prefix + h.index;
    if (h.kind == HitResult::Side) return h.index;
    return -1;
}

void ImageView::apply_tool(int token) {
    if (token < 0) return;
    if (const auto st = session_->swin_trace()) {
        const int row = token / figure_.grid_w, col = token % figure_.grid_w;
        if (settings_->tool() == ToolMode::Query)
            settings_->set_query(swin_patch_of_token(*st, shown_block(), row, col));
        else
            session_->toggle_masked_keys(swin_patches_under_token(*st, shown_block(), row, col));
        return;
    }
    if (settings_->tool() == ToolMode::Query) {
        settings_->set_query(token);
    } else {
        session_->toggle_masked_key(token);
    }
}

void ImageView::mousePressEvent(QMouseEvent* e) {
    if (e->button() != Qt::LeftButton) return;
    const int t = token_at(e->position());
    dragging_ = true;
    drag_visited_.clear();
    if (t >= 0) drag_visited_.insert(t);
    apply_tool(t);
}

void ImageView::mouseMoveEvent(QMouseEvent* e) {
    const int t = token_at(e->position());
    if (t != hover_token_) {
        hover_token_ = t;
        const auto trace = session_->trace();
        const auto st = session_->swin_trace();
        if (t >= 0 && st && size_t(t) < partition_.window_of.size()) {
            const int row = t / figure_.grid_w, col = t % figure_.grid_w;
            QString text = tr("token (%1, %2) · window %3, slot %4").arg(row).arg(col)
                               .arg(partition_.window_of[size_t(t)]).arg(partition_.position_of[size_t(t)]);
            if (!partition_.region_of.empty()) text += tr(" · region %1").arg(partition_.region_of[size_t(t)]);
            text += figure_.cell_flags[size_t(t)] & kCellOutside
                        ? tr(" · outside the query's window: not attended")
                        : tr(" · attention %1").arg(double(figure_.values[size_t(t)]), 0, 'g', 4);
            emit hovered(text);
        } else if (t >= 0 && trace) {
            const float p = t < trace->num_prefix ? figure_.side_values[size_t(t)]
                                                  : figure_.values[size_t(t - trace->num_prefix)];
            QString where = QString::fromStdString(trace->token_name(t));
            if (t >= trace->num_prefix) {
                const int patch = t - trace->num_prefix;
                where = tr("patch %1 (row %2, col %3)").arg(patch).arg(patch / trace->grid_width).arg(patch % trace->grid_width);
            }
            emit hovered(tr("token %1 · %2 · attention %3").arg(t).arg(where).arg(double(p), 0, 'g', 4));
        } else {
            emit hovered(QString());
        }
        update();
    }
    if (dragging_ && (e->buttons() & Qt::LeftButton) && settings_->tool() == ToolMode::Mask && t >= 0 &&
        !drag_visited_.count(t)) {
        drag_visited_.insert(t);
        apply_tool(t);
    }
}

void ImageView::mouseReleaseEvent(QMouseEvent*) {
    dragging_ = false;
    drag_visited_.clear();
}

void ImageView::leaveEvent(QEvent*) {
    hover_token_ = -1;
    emit hovered(QString());
    update();
}

}  // namespace vitscope
