#include "forward_cancel.h"

namespace vitscope {
namespace {
thread_local const ForwardCancelScope* t_innermost = nullptr;
}  // namespace

ForwardCancelScope::ForwardCancelScope(std::function<bool()> should_stop)
    : should_stop_(std::move(should_stop)), outer_(t_innermost) {
    t_innermost = this;
}

ForwardCancelScope::~ForwardCancelScope() { t_innermost = outer_; }

void check_forward_cancel() {
    if (t_innermost && t_innermost->should_stop_ && t_innermost->should_stop_()) throw ForwardCancelled();
}

}  // namespace vitscope
