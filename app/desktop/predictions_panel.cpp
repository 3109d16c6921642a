#include "predictions_panel.h"

#include "prediction_comparison.h"
#include "session.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTreeWidget>
#include <QVBoxLayout>


namespace vitscope {

namespace {

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
    const PredictionComparison cmp = compare_predictions(session_->state());
    if (!cmp.has_classifier) {
        header_->setText(cmp.has_trace ? tr("This model has no classifier.") : tr("No prediction yet."));
        baseline_->setVisible(false);
        current_->setColumnHidden(3, true);
        return;
    }
    auto colour = [](double d) { return d > 0 ? QColor(80, 200, 120) : d < 0 ? QColor(240, 100, 100) : QColor(160, 160, 160); };
    for (int i = 0; i < int(cmp.now.size()); ++i) {
        const PredictionRow& r = cmp.now[size_t(i)];
        const QString name = QString::fromStdString(r.label);
        auto* it = new QTreeWidgetItem(current_);
        it->setText(0, QString::number(i + 1));
        it->setText(1, name);
        it->setToolTip(1, name);
        it->setText(2, QString::number(double(r.p_now), 'f', 4));
        it->setText(3, QString::asprintf("%+.4f", double(r.delta())));
        it->setForeground(3, colour(double(r.delta())));
    }
    current_->setColumnHidden(3, !cmp.differs);
    baseline_->setVisible(cmp.differs);
    if (cmp.differs) {
        for (int i = 0; i < int(cmp.paper.size()); ++i) {
            const PredictionRow& r = cmp.paper[size_t(i)];
            auto* it = new QTreeWidgetItem(baseline_);
            it->setText(0, QString::number(i + 1));
            it->setText(1, QString::fromStdString(r.label));
            it->setText(2, QString::number(double(r.p_paper), 'f', 4));
            it->setText(3, QString::number(double(r.p_now), 'f', 4));
            it->setText(4, QString::asprintf("%+.4f", double(r.delta())));
            it->setForeground(4, colour(double(r.delta())));
        }
        header_->setText(tr("Options differ from the paper's defaults: above, the top-5 with them; below, the "
                            "paper's top-5 and what the options make of each."));
    } else {
        header_->setText(tr("Top-5 under the paper's attention."));
    }
}

}  // namespace vitscope
