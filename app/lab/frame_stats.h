// Frame times of the lab, kept per situation (idle, a forward running, a layer sweep), for the
// benchmark numbers (median and 99th percentile) printed with --print-state.
#pragma once

#include <string>
#include <vector>

namespace vitscope {

struct FrameTimeSummary {
    int frames = 0;
    double median_ms = 0, p99_ms = 0, max_ms = 0;
};

FrameTimeSummary summarize_frame_times(std::vector<double> ms);

struct FrameStats {
    std::vector<double> all, computing, sweeping;
    void add(double ms, bool computing_now, bool sweeping_now);
};

}  // namespace vitscope
