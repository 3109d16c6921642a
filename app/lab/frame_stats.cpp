#include "frame_stats.h"

#include <algorithm>
#include <cmath>

namespace vitscope {

FrameTimeSummary summarize_frame_times(std::vector<double> ms) {
    FrameTimeSummary s;
    s.frames = int(ms.size());
    if (ms.empty()) return s;
    std::sort(ms.begin(), ms.end());
    // Nearest-rank percentiles.
    auto rank = [&](double p) { return ms[size_t(std::clamp(std::ceil(p * double(ms.size())) - 1.0, 0.0, double(ms.size() - 1)))]; };
    s.median_ms = rank(0.5);
    s.p99_ms = rank(0.99);
    s.max_ms = ms.back();
    return s;
}

void FrameStats::add(double ms, bool computing_now, bool sweeping_now) {
    all.push_back(ms);
    if (computing_now) computing.push_back(ms);
    if (sweeping_now) sweeping.push_back(ms);
}

}  // namespace vitscope
