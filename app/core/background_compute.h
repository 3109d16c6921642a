// A front end's compute work runs below its UI thread: the worker thread that runs jobs and the
// engine's helper threads get a higher nice value, so frames and input keep their CPU while a
// forward pass runs on every core (measured in the lab: issue 14's frame times during forwards).
#pragma once

#include "thread_pool.h"

namespace vitscope {

constexpr int kBackgroundComputeNice = 5;  // CFS weight 335 against the UI's 1024

// Call on the worker thread before it runs jobs (the setting stays with the thread).
inline void enter_background_compute(int nice = kBackgroundComputeNice) {
    set_calling_thread_nice(nice);
    set_engine_helper_nice(nice);
}

}  // namespace vitscope
