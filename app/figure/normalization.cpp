#include "normalization.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace vitscope {

const char* normalization_name(Normalization n) {
    switch (n) {
        case Normalization::PerMap: return "per map";
        case Normalization::PerLayer: return "per layer";
        case Normalization::Global: return "global";
        case Normalization::RawFixed: return "raw 0..1";
    }
    return "per map";
}

ValueRange range_of(std::span<const float> values) {
    float lo = INFINITY, hi = -INFINITY;
    for (float v : values) {
        if (!std::isfinite(v)) continue;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    if (lo > hi) return {0.0f, 1.0f};
    if (!(hi > lo)) hi = lo + std::max(std::fabs(lo) * 1e-6f, 1e-12f);
    return {lo, hi};
}

ValueRange merge_ranges(ValueRange a, ValueRange b) { return {std::min(a.lo, b.lo), std::max(a.hi, b.hi)}; }

ValueRange effective_range(ValueRange r, bool log_scale) {
    if (!log_scale) return r;
    const float hi = std::max(r.hi, 1e-30f);
    const float floor_v = hi * std::pow(10.0f, -kLogDecades);
    float lo = std::max(r.lo, floor_v);
    if (!(lo < hi)) lo = hi * 0.1f;
    return {lo, hi};
}

float normalize_value(float v, ValueRange r, bool log_scale) {
    float t;
    if (log_scale) {
        const float lv = std::log10(std::max(v, r.lo));
        t = (lv - std::log10(r.lo)) / (std::log10(r.hi) - std::log10(r.lo));
    } else {
        t = (v - r.lo) / (r.hi - r.lo);
    }
    if (!(t > 0.0f)) return 0.0f;
    return std::min(t, 1.0f);
}

std::string format_value(float v) {
    char buf[32];
    const float a = std::fabs(v);
    if (v == 0.0f)
        std::snprintf(buf, sizeof buf, "0");
    else if (a < 1e-3f || a >= 1e4f)
        std::snprintf(buf, sizeof buf, "%.0e", double(v));
    else
        std::snprintf(buf, sizeof buf, "%.3g", double(v));
    return buf;
}

std::vector<ColorbarTick> colorbar_ticks(ValueRange r, bool log_scale, int count) {
    std::vector<ColorbarTick> ticks;
    if (!log_scale) {
        count = std::max(count, 2);
        for (int i = 0; i < count; ++i) {
            const float t = float(i) / float(count - 1);
            const float v = r.lo + t * (r.hi - r.lo);
            ticks.push_back({t, v, format_value(v)});
        }
        return ticks;
    }
    ticks.push_back({0.0f, r.lo, format_value(r.lo)});
    const int e0 = int(std::ceil(std::log10(r.lo) + 1e-4f));
    const int e1 = int(std::floor(std::log10(r.hi) - 1e-4f));
    for (int e = e0; e <= e1; ++e) {
        const float v = std::pow(10.0f, float(e));
        const float t = normalize_value(v, r, true);
        if (t > 0.08f && t < 0.92f) ticks.push_back({t, v, format_value(v)});
    }
    ticks.push_back({1.0f, r.hi, format_value(r.hi)});
    return ticks;
}

}  // namespace vitscope
