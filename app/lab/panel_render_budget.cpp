#include "panel_render_budget.h"

namespace vitscope {

void PanelRenderBudget::new_frame(bool unlimited) {
    left_ = unlimited ? kUnlimited : 1;
    waited_last_ = waited_now_;
    waited_now_ = nullptr;
}

bool PanelRenderBudget::may_render(const void* panel) {
    if (left_ >= kUnlimited) return true;
    // The panel that waited last frame has this frame's turn; the others get what is left after it.
    const bool first = panel == waited_last_ || waited_last_ == nullptr;
    if (left_ > (first ? 0 : 1)) {
        --left_;
        if (panel == waited_last_) waited_last_ = nullptr;
        return true;
    }
    if (!waited_now_) waited_now_ = panel;
    return false;
}

}  // namespace vitscope
