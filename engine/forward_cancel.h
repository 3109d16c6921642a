// Stopping a forward pass between two layers, from another thread: a front end whose user has
// asked for something newer does not wait for a pass nobody will look at.
#pragma once

#include <functional>
#include <stdexcept>

namespace vitscope {

// Thrown by a forward pass (vit_forward, swin_forward and their recompute/update variants) before a
// layer (Swin: a block) when a ForwardCancelScope on the calling thread asks to stop. The trace is
// then half-updated: compute it again before reading it.
class ForwardCancelled : public std::runtime_error {
public:
    ForwardCancelled() : std::runtime_error("the forward pass was cancelled by a newer request") {}
};

// While alive, forward passes on this thread ask `should_stop` before each layer; scopes nest (the
// innermost one is asked). `should_stop` may read atomics set by other threads.
class ForwardCancelScope {
public:
    explicit ForwardCancelScope(std::function<bool()> should_stop);
    ~ForwardCancelScope();
    ForwardCancelScope(const ForwardCancelScope&) = delete;
    ForwardCancelScope& operator=(const ForwardCancelScope&) = delete;

private:
    friend void check_forward_cancel();
    std::function<bool()> should_stop_;
    const ForwardCancelScope* outer_;
};

// Throws ForwardCancelled when the innermost scope of this thread asks to stop (the forward loops
// call it before each layer; without a scope it costs one thread-local read).
void check_forward_cancel();

}  // namespace vitscope
