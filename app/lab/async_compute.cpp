#include "async_compute.h"

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

void AsyncCompute::worker_loop() {
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
