#include "async_compute.h"

#include "thread_pool.h"

#include <algorithm>
#include <cstdlib>

namespace vitscope {

AsyncCompute::AsyncCompute() : worker_([this] { worker_loop(); }) {}

AsyncCompute::~AsyncCompute() {
    {
        std::lock_guard lock(mutex_);
        quit_ = true;
    }
    wake_.notify_all();
    worker_.join();
}

namespace {

// The worker (and the engine's helper threads) run at nice 10 so that the UI thread and the GL
// driver's threads keep their CPU while a forward pass runs: on Linux the nice value is per thread.
// Measured under Xvfb + llvmpipe on 2 cores (README, "Frame times"): the p99 frame time while
// forwards run drops from 16-22 ms to 15-17 ms, and the passes take ~15% longer, because the lab
// now waits for input instead of drawing unchanged frames. VITSCOPE_LAB_COMPUTE_NICE=N (0..19)
// chooses another value; 0 keeps the worker at the UI's priority.
void lower_this_thread_priority() {
    int nice = 10;
    if (const char* v = std::getenv("VITSCOPE_LAB_COMPUTE_NICE")) nice = std::clamp(std::atoi(v), 0, 19);
    set_calling_thread_nice(nice);
    set_engine_helper_nice(nice);
}

}  // namespace

void AsyncCompute::worker_loop() {
    lower_this_thread_priority();
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return quit_ || job_.has_value(); });
        if (quit_) return;
        const ComputeJobVariant job = std::move(*job_);
        job_.reset();
        lock.unlock();
        JobResult result = run_job(job);  // the engine, off the UI thread
        lock.lock();
        result_ = std::move(result);
    }
}

PolicyEvents AsyncCompute::pump() {
    PolicyEvents events;
    {
        std::lock_guard lock(mutex_);
        if (result_) {
            events = policy_.accept(std::move(*result_));
            result_.reset();
        }
    }
    if (std::optional<ComputeJobVariant> next = policy_.next_job()) {
        {
            std::lock_guard lock(mutex_);
            job_ = std::move(*next);
        }
        wake_.notify_one();
    }
    return events;
}

}  // namespace vitscope
