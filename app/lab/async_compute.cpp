#include "async_compute.h"

#include "background_compute.h"

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
// forwards run drops from 16.4-22.1 ms to 14.5-16.5 ms, and the passes take ~15% longer: the lab
// now waits for input instead of drawing unchanged frames. VITSCOPE_LAB_COMPUTE_NICE=N (0..19)
// chooses another value; 0 keeps the worker at the UI's priority.
int lab_compute_nice() {
    const char* v = std::getenv("VITSCOPE_LAB_COMPUTE_NICE");
    return v ? std::clamp(std::atoi(v), 0, 19) : 10;
}

}  // namespace

void AsyncCompute::worker_loop() {
    enter_background_compute(lab_compute_nice());
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
