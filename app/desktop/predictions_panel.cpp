#include "predictions_panel.h"

#include "session.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace vitscope {

namespace {

std::vector<float> softmax(const RowVector& logits) {
    std::vector<float> p(size_t(logits.size()));
    if (p.empty()) return p;
    const float m = logits.maxCoeff();
    double s = 0;
    for (size_t i = 0; i < p.size(); ++i) s += p[i] = std::exp(logits[Eigen::Index(i)] - m);
    for (float& v : p) v = float(v / s);
    return p;
}

std::vector<int> top_k(const std::vector<float>& p, int k) {
    std::vector<int> idx(p.size());
    std::iota(idx.begin(), idx.end(), 0);
    k = std::min<int>(k, int(idx.size()));
    std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), [&](int a, int b) { return p[size_t(a)] > p[size_t(b)]; });
    idx.resize(size_t(k));
    return idx;
}

QTreeWidget* make_list(const QStringList& headers) {
    auto* t = new QTreeWidget;
    t->setHeaderLabels(headers);
    t->setRootIsDecorated(false);
    t->setSelectionMode(QAbstractItemView::NoSelection);
    // Every column as wide as its text (class names are never elided: the list scrolls sideways
    // when the dock is narrower); the last column takes what is left.
    t->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    t->header()->setStretchLastSection(true);
    t->setTextElideMode(Qt::ElideNone);
    t->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    t->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    return t;
}

}  // namespace

PredictionsPanel::PredictionsPanel(Session* session, QWidget* parent) : QWidget(parent), session_(session) {
    header_ = new QLabel;
    header_->setWordWrap(true);
    current_ = make_list({tr("#"), tr("class"), tr("p"), tr("Δ vs paper")});
    // The paper's top-5 followed under the current options (macaw 0.90 -> 0.00 under scale none).
    baseline_ = make_list({tr("#"), tr("class (paper's top-5)"), tr("p paper"), tr("p now"), tr("Δ")});
    auto* lists = new QVBoxLayout;  // one above the other: each gets the dock's full width
    lists->addWidget(current_);
    lists->addWidget(baseline_);
    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(2, 2, 2, 2);
    v->addWidget(header_);
    v->addLayout(lists, 1);
    connect(session_, &Session::trace_changed, this, &PredictionsPanel::rebuild);
    connect(session_, &Session::model_changed, this, &PredictionsPanel::rebuild);
    rebuild();
}

void PredictionsPanel::rebuild() {
    current_->clear();
    baseline_->clear();
    const RowVector* logits = session_->logits();
    const RowVector* base = session_->baseline_logits();
    if (!logits || logits->size() == 0) {
        header_->setText(logits ? tr("This model has no classifier.") : tr("No prediction yet."));
        baseline_->setVisible(false);
        current_->setColumnHidden(3, true);
        return;
    }
    const QStringList labels = session_->labels();
    auto name = [&](int c) { return c < labels.size() ? labels[c] : tr("class %1").arg(c); };
    const std::vector<float> p = softmax(*logits);
    const bool changed = !session_->paper_default() && base && base != logits;
    const std::vector<float> pb = changed ? softmax(*base) : p;
    const std::vector<int> top = top_k(p, 5);
    for (int i = 0; i < int(top.size()); ++i) {
        const int c = top[size_t(i)];
        auto* it = new QTreeWidgetItem(current_);
        it->setText(0, QString::number(i + 1));
        it->setText(1, name(c));
        it->setToolTip(1, name(c));
        it->setText(2, QString::number(double(p[size_t(c)]), 'f', 4));
        const double d = double(p[size_t(c)]) - double(pb[size_t(c)]);
        it->setText(3, QString::asprintf("%+.4f", d));
        it->setForeground(3, d > 0 ? QColor(80, 200, 120) : d < 0 ? QColor(240, 100, 100) : QColor(160, 160, 160));
    }
    current_->setColumnHidden(3, !changed);
    baseline_->setVisible(changed);
    if (changed) {
        const std::vector<int> tb = top_k(pb, 5);
        for (int i = 0; i < int(tb.size()); ++i) {
            auto* it = new QTreeWidgetItem(baseline_);
            it->setText(0, QString::number(i + 1));
            it->setText(1, name(tb[size_t(i)]));
            const int c = tb[size_t(i)];
            it->setText(2, QString::number(double(pb[size_t(c)]), 'f', 4));
            it->setText(3, QString::number(double(p[size_t(c)]), 'f', 4));
            const double d = double(p[size_t(c)]) - double(pb[size_t(c)]);
            it->setText(4, QString::asprintf("%+.4f", d));
            it->setForeground(4, d > 0 ? QColor(80, 200, 120) : d < 0 ? QColor(240, 100, 100) : QColor(160, 160, 160));
        }
        header_->setText(tr("Options differ from the paper's defaults: above, the top-5 with them; below, the "
                            "paper's top-5 and what the options make of each."));
    } else {
        header_->setText(tr("Top-5 under the paper's attention."));
    }
}

}  // namespace vitscope
