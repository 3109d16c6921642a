#include "matrix_view.h"

#include "attention_stats.h"
#include "session.h"
#include "swin_figure.h"
#include "view_settings.h"

#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

namespace vitscope {

AttentionMatrixView::AttentionMatrixView(Session* session, ViewSettings* settings, QWidget* parent)
    : GlHeatmapWidget(parent), session_(session), settings_(settings) {
    setMouseTracking(true);
    setMinimumSize(220, 220);
    connect(session_, &Session::trace_changed, this, &AttentionMatrixView::rebuild);
    connect(session_, &Session::model_changed, this, [this] {
        zoom_ = 1.0f;
        pan_ = {};
        rebuild();
    });
    connect(settings_, &ViewSettings::selection_changed, this, &AttentionMatrixView::rebuild);
    connect(settings_, &ViewSettings::style_changed, this, &AttentionMatrixView::rebuild);
}

void AttentionMatrixView::rebuild() {
    const auto trace = session_->trace();
    const auto st = session_->swin_trace();
    if (st && !st->blocks.empty()) {
        const int block = std::clamp(settings_->layer(), 0, int(st->blocks.size()) - 1);
        const int H = st->blocks[size_t(block)].num_heads;
        const int head = settings_->head() == kMeanOfHeads ? kMeanOfHeads : std::clamp(settings_->head(), 0, H - 1);
        figure_ = swin_matrix_figure(*st, block, head, settings_->query(), settings_->style());
        query_ = swin_query(*st, block, settings_->query());
    } else if (!trace || trace->layers.empty()) {
        figure_ = HeatmapFigure{};
    } else {
        const int layer = std::clamp(settings_->layer(), 0, int(trace->layers.size()) - 1);
        const int head = settings_->head() == kMeanOfHeads ? kMeanOfHeads
                                                           : std::clamp(settings_->head(), 0, trace->num_heads - 1);
        const int query = std::clamp(settings_->query(), 0, trace->num_tokens - 1);
        figure_ = matrix_figure(*trace, layer, head, query, settings_->style());
    }
    update();
}

HeatmapLayout AttentionMatrixView::figure_layout() const {
    LayoutStyle s;
    s.title_height = 16;
    HeatmapLayout l = layout_heatmap(figure_, {0, 0, float(width()), float(height())}, s);
    l.grid = {float(l.grid.x + pan_.x()), float(l.grid.y + pan_.y()), l.grid.w * zoom_, l.grid.h * zoom_};
    return l;
}

void AttentionMatrixView::draw_gl(HeatmapRenderer& r, float dpr) {
    if (figure_.num_cells() > 0) r.draw(figure_, figure_layout(), dpr);
}

void AttentionMatrixView::draw_overlay(QPainter& p) {
    if (figure_.num_cells() == 0) return;
    const HeatmapLayout l = figure_layout();
    // Keep the title and colorbar readable over a zoomed matrix.
    p.fillRect(QRectF(0, 0, width(), l.title.y + l.title.h), QColor(41, 41, 46));
    p.fillRect(QRectF(l.colorbar.x - 4, 0, width() - l.colorbar.x + 4, height()), QColor(41, 41, 46));
    HeatmapLayout text = l;
    draw_figure_text(p, figure_, text);
    // The colorbar strip was covered: redraw it in QPainter from the same table.
    const ColormapTable& cm = colormap_table(figure_.colormap);
    for (int i = 0; i < int(l.colorbar.h); ++i) {
        const float t = 1.0f - float(i) / std::max(l.colorbar.h - 1, 1.0f);
        const Rgb8 c = cm[size_t(colormap_index(t))];
        p.fillRect(QRectF(l.colorbar.x, l.colorbar.y + i, l.colorbar.w, 1), QColor(c.r, c.g, c.b));
    }
    draw_figure_text(p, figure_, text);
    p.setPen(QColor(200, 200, 205));
    p.drawText(QRectF(6, height() - 18, width() - 12, 16), Qt::AlignLeft | Qt::AlignVCenter,
               !hover_.isEmpty() ? hover_
               : session_->swin_trace()
                   ? tr("rows: query slots · columns: key slots of the window · magenta: shift mask −100 · grey: padding")
                   : tr("rows: queries · columns: keys · wheel: zoom · drag: pan"));
}

void AttentionMatrixView::wheelEvent(QWheelEvent* e) {
    const HeatmapLayout l = figure_layout();
    const float factor = e->angleDelta().y() > 0 ? 1.25f : 0.8f;
    const float nz = std::clamp(zoom_ * factor, 1.0f, 64.0f);
    const QPointF c = e->position();
    // Keep the point under the cursor fixed.
    const QPointF origin(l.grid.x, l.grid.y);
    const QPointF new_origin = c - (c - origin) * (nz / zoom_);
    pan_ += new_origin - origin;
    zoom_ = nz;
    if (zoom_ == 1.0f) pan_ = {};
    update();
}

void AttentionMatrixView::mousePressEvent(QMouseEvent* e) {
    press_pos_ = e->position();
    press_pan_ = pan_;
    dragged_ = false;
}

void AttentionMatrixView::mouseMoveEvent(QMouseEvent* e) {
    if (e->buttons() & Qt::LeftButton) {
        const QPointF d = e->position() - press_pos_;
        if (d.manhattanLength() > 3) dragged_ = true;
        if (dragged_ && zoom_ > 1.0f) {
            pan_ = press_pan_ + d;
            update();
        }
    }
    const auto trace = session_->trace();
    const auto st = session_->swin_trace();
    const HitResult h = hit_test(figure_, figure_layout(), float(e->position().x()), float(e->position().y()));
    QString text;
    if (st && h.kind == HitResult::Patch) {
        auto slot = [&](int p) {
            const SwinTokenLocation loc = swin_token_location(*st, query_.block, query_.window, p);
            return loc.padding ? tr("slot %1 (padding)").arg(p) : tr("slot %1 (%2, %3)").arg(p).arg(loc.row).arg(loc.col);
        };
        text = tr("window %1: %2 → %3: %4").arg(query_.window).arg(slot(h.row), slot(h.col))
                   .arg(double(figure_.values[size_t(h.index)]), 0, 'g', 4);
        if (figure_.cell_flags[size_t(h.index)] & kCellShiftMasked) text += tr(" · shift mask −100");
    } else if (trace && h.kind == HitResult::Patch)
        text = tr("query %1 → key %2: %3")
                   .arg(QString::fromStdString(trace->token_name(h.row)), QString::fromStdString(trace->token_name(h.col)))
                   .arg(double(figure_.values[size_t(h.index)]), 0, 'g', 4);
    if (text != hover_) {
        hover_ = text;
        update();
    }
}

void AttentionMatrixView::mouseReleaseEvent(QMouseEvent* e) {
    if (dragged_) return;
    const HitResult h = hit_test(figure_, figure_layout(), float(e->position().x()), float(e->position().y()));
    if (h.kind != HitResult::Patch) return;
    if (const auto st = session_->swin_trace()) {
        // A query slot of the window: the patch under that token (padding slots hold none).
        const SwinTokenLocation loc = swin_token_location(*st, query_.block, query_.window, h.row);
        if (!loc.padding) settings_->set_query(swin_patch_of_token(*st, query_.block, loc.row, loc.col));
        return;
    }
    settings_->set_query(h.row);
}

}  // namespace vitscope
