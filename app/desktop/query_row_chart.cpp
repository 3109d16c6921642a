#include "query_row_chart.h"

#include "attention_stats.h"
#include "session.h"
#include "swin_figure.h"
#include "view_settings.h"

#include <QPainter>

#include <cmath>

namespace vitscope {

QueryRowChart::QueryRowChart(Session* session, ViewSettings* settings, QWidget* parent)
    : QWidget(parent), session_(session), settings_(settings) {
    setMinimumHeight(110);
    connect(session_, &Session::trace_changed, this, &QueryRowChart::rebuild);
    connect(session_, &Session::model_changed, this, &QueryRowChart::rebuild);
    connect(settings_, &ViewSettings::selection_changed, this, &QueryRowChart::rebuild);
}

void QueryRowChart::rebuild() {
    row_.clear();
    masked_.clear();
    const auto trace = session_->trace();
    const auto st = session_->swin_trace();
    if (st && !st->blocks.empty()) {
        // The keys a Swin query has: the M*M slots of its window.
        const int block = std::clamp(settings_->layer(), 0, int(st->blocks.size()) - 1);
        const int H = st->blocks[size_t(block)].num_heads;
        const int head = settings_->head() == kMeanOfHeads ? kMeanOfHeads : std::clamp(settings_->head(), 0, H - 1);
        const SwinQuery q = swin_query(*st, block, settings_->query());
        row_ = swin_window_row(*st, block, head, q.window, q.position);
        masked_.assign(row_.size(), 0);
        const std::vector<unsigned char> masked = swin_masked_tokens(*st, block, head);
        for (int p = 0; p < int(row_.size()); ++p) {
            const SwinTokenLocation loc = swin_token_location(*st, block, q.window, p);
            if (!loc.padding) masked_[size_t(p)] = masked[size_t(loc.row) * st->blocks[size_t(block)].geometry.width + loc.col];
        }
        entropy_ = attention_entropy(row_);
        const RowPeak pk = attention_peak(row_);
        max_ = pk.value;
        argmax_ = pk.index;
        const SwinTokenLocation at = swin_token_location(*st, block, q.window, std::max(argmax_, 0));
        title_ = tr("query (%1, %2) · window %3 · entropy %4 nats (uniform %5) · max %6 at (%7, %8)")
                     .arg(q.row).arg(q.col).arg(q.window)
                     .arg(entropy_, 0, 'f', 3)
                     .arg(std::log(double(row_.size())), 0, 'f', 3)
                     .arg(double(max_), 0, 'f', 4)
                     .arg(at.row).arg(at.col);
    } else if (trace && !trace->layers.empty()) {
        const int layer = std::clamp(settings_->layer(), 0, int(trace->layers.size()) - 1);
        const int head = settings_->head() == kMeanOfHeads ? kMeanOfHeads
                                                           : std::clamp(settings_->head(), 0, trace->num_heads - 1);
        const int query = std::clamp(settings_->query(), 0, trace->num_tokens - 1);
        row_ = query_row(*trace, layer, head, query);
        masked_.assign(row_.size(), 0);
        for (int k : trace->options.masked_keys)
            if (k >= 0 && size_t(k) < masked_.size()) masked_[size_t(k)] = 1;
        entropy_ = attention_entropy(row_);
        const RowPeak pk = attention_peak(row_);
        max_ = pk.value;
        argmax_ = pk.index;
        title_ = tr("query %1 · entropy %2 nats (uniform %3) · max %4 at %5")
                     .arg(QString::fromStdString(trace->token_name(query)))
                     .arg(entropy_, 0, 'f', 3)
                     .arg(std::log(double(row_.size())), 0, 'f', 3)
                     .arg(double(max_), 0, 'f', 4)
                     .arg(QString::fromStdString(trace->token_name(argmax_)));
    }
    update();
}

void QueryRowChart::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), QColor(41, 41, 46));
    QFont f = p.font();
    f.setPointSizeF(8.5);
    p.setFont(f);
    p.setPen(QColor(230, 230, 235));
    if (row_.empty()) {
        p.drawText(rect(), Qt::AlignCenter, tr("No attention yet"));
        return;
    }
    p.drawText(QRectF(6, 2, width() - 12, 16), Qt::AlignLeft | Qt::AlignVCenter, title_);
    const QRectF plot(30, 22, width() - 36, height() - 30);
    const float top = std::max(max_, 1e-12f);
    const double bw = plot.width() / double(row_.size());
    for (size_t k = 0; k < row_.size(); ++k) {
        const double h = plot.height() * double(row_[k] / top);
        const QRectF bar(plot.left() + bw * double(k), plot.bottom() - h, std::max(bw - (bw > 3 ? 1 : 0), 1.0), h);
        QColor c = int(k) == argmax_ ? QColor(253, 231, 37) : QColor(33, 144, 140);
        if (masked_[k]) {
            c = QColor(230, 40, 40);
            p.fillRect(QRectF(bar.left(), plot.bottom() - 3, bar.width(), 3), c);
        }
        p.fillRect(bar, c);
    }
    p.setPen(QColor(150, 150, 160));
    p.drawLine(plot.bottomLeft(), plot.bottomRight());
    p.drawText(QRectF(0, plot.top() - 6, 28, 14), Qt::AlignRight, QString::number(double(top), 'g', 2));
    p.drawText(QRectF(0, plot.bottom() - 8, 28, 14), Qt::AlignRight, "0");
}

}  // namespace vitscope
