// The question before a pass whose attention would not fit the memory budget: keep attention for
// the visible layer only, keep everything anyway, or cancel.
#pragma once

#include "compute_policy.h"

#include <QString>
#include <QWidget>

#include <functional>

namespace vitscope {

// The dialog's text: the estimate, the budget and what each choice means.
QString memory_budget_question(const MemoryDecision& decision, bool swin);

// Shows the question modally and returns the choice (closing the box cancels).
MemoryChoice ask_memory_choice(QWidget* parent, const MemoryDecision& decision, bool swin);

// Tests and scripts: when set, ask_memory_choice calls this with the question's text instead of
// showing the box. An empty function shows the box again.
void set_memory_choice_answerer(std::function<MemoryChoice(const QString& question)> answerer);

}  // namespace vitscope
