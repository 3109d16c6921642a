#include "async_compute.h"

#include <cstdlib>

#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

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

// VITSCOPE_LAB_COMPUTE_NICE=N (1..19) runs the worker at that nice value so that it yields the
// cores to the UI thread and the GL driver's threads: on Linux the nice value is per thread (and
// threads the engine starts from here inherit it). Off by default: the lab's loop does not wait for
// a vertical blank under a software rasteriser, so a niced worker gets little time and forwards
// take several times longer (README, "Frame times").
void lower_this_thread_priority() {
#if defined(__linux__)
    int nice = 0;
    if (const char* v = std::getenv("VITSCOPE_LAB_COMPUTE_NICE")) nice = std::atoi(v);
    if (nice > 0) setpriority(PRIO_PROCESS, id_t(syscall(SYS_gettid)), nice);
#endif
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
