#include "memory_budget_dialog.h"

#include "memory_budget.h"

#include <QMessageBox>
#include <QPushButton>

namespace vitscope {

namespace {

std::function<MemoryChoice(const QString&)>& answerer() {
    static std::function<MemoryChoice(const QString&)> f;
    return f;
}

QString size_text(int64_t bytes) { return QString::fromStdString(memory_size_text(bytes)); }

}  // namespace

void set_memory_choice_answerer(std::function<MemoryChoice(const QString&)> f) { answerer() = std::move(f); }

QString memory_budget_question(const MemoryDecision& d, bool swin) {
    const QString unit = swin ? QObject::tr("blocks") : QObject::tr("layers");
    return QObject::tr("Keeping the attention of all %1 %2 for this model and image needs about %3 of memory, "
                       "more than the budget of %4 (%6).\n\n"
                       "Keep attention for the visible layer only: about %5; the results are the same, and "
                       "showing another layer computes its attention (a recompute from that layer). Views that "
                       "read every layer (rollout, distance, saturation, leakage, similarity, overview) then "
                       "say so instead of drawing.")
        .arg(d.layers)
        .arg(unit, size_text(d.estimate_bytes), size_text(d.budget_bytes), size_text(d.visible_only_bytes),
             QString::fromStdString(memory_budget_origin()));
}

MemoryChoice ask_memory_choice(QWidget* parent, const MemoryDecision& d, bool swin) {
    const QString text = memory_budget_question(d, swin);
    if (answerer()) return answerer()(text);
    QMessageBox box(QMessageBox::Warning, QObject::tr("Attention would exceed the memory budget"), text,
                    QMessageBox::NoButton, parent);
    QPushButton* visible = box.addButton(QObject::tr("Keep attention for the visible layer only"), QMessageBox::AcceptRole);
    QPushButton* everything = box.addButton(QObject::tr("Keep everything anyway"), QMessageBox::DestructiveRole);
    box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(visible);
    box.exec();
    if (box.clickedButton() == visible) return MemoryChoice::VisibleLayerOnly;
    if (box.clickedButton() == everything) return MemoryChoice::KeepEverything;
    return MemoryChoice::Cancel;
}

}  // namespace vitscope
