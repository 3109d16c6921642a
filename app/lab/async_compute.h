// The lab's thin async shim over the Qt-free ComputePolicy: one std::thread worker runs the
// policy's jobs; the UI thread makes requests through policy() and calls pump() once per frame,
// which hands a finished result back to the policy and starts the next job. Nothing here blocks
// the UI: a request only changes the wish, and the latest wish wins (see compute_policy.h).
#pragma once

#include "compute_policy.h"

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace vitscope {

class AsyncCompute {
public:
    AsyncCompute();
    ~AsyncCompute();  // finishes the running job, then joins the worker
    AsyncCompute(const AsyncCompute&) = delete;
    AsyncCompute& operator=(const AsyncCompute&) = delete;

    // Requests go straight to the policy (UI thread only).
    ComputePolicy& policy() { return policy_; }
    const ComputePolicy& policy() const { return policy_; }
    const WorkspaceState& state() const { return policy_.state(); }

    // UI thread, once per frame: takes a finished result (if any) and starts the next job (if any).
    // Returns what the result changed.
    PolicyEvents pump();
    bool idle() const { return policy_.idle(); }
    bool busy() const { return policy_.running(); }

private:
    void worker_loop();

    ComputePolicy policy_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::optional<ComputeJobVariant> job_;   // handed to the worker
    std::optional<JobResult> result_;        // handed back
    bool quit_ = false;
    std::thread worker_;
};

}  // namespace vitscope
