// How attention values become colours: which values share a scale, and linear or log mapping.
#pragma once

#include <span>
#include <string>
#include <vector>

namespace vitscope {

enum class Normalization {
    PerMap,    // each heatmap uses its own min..max
    PerLayer,  // every head (and the mean) of a layer share one min..max, for the current query
    Global,    // every head of every layer shares one min..max, for the current query
    RawFixed,  // raw probabilities on a fixed 0..1 scale
};
constexpr int kNumNormalizations = 4;

const char* normalization_name(Normalization n);  // "per map", "per layer", "global", "raw 0..1"

struct ValueRange {
    float lo = 0.0f;
    float hi = 1.0f;
    bool operator==(const ValueRange&) const = default;
};

// min..max of the values (non-finite values ignored); {0, 1} when there are none. A flat range is
// widened so that hi > lo.
ValueRange range_of(std::span<const float> values);
ValueRange merge_ranges(ValueRange a, ValueRange b);

// The smallest value a log scale shows, relative to the top of the range: log scales span at most
// this many decades (probabilities reach exactly 0 under masks).
constexpr float kLogDecades = 4.0f;

// The range actually mapped when `log_scale` is set: lo is raised to at least hi * 10^-kLogDecades
// (and above 0). Returns `r` unchanged for linear scales.
ValueRange effective_range(ValueRange r, bool log_scale);

// Maps v to [0,1]: (v - lo) / (hi - lo), or the same in log10 space, clamped. `r` must already be
// an effective range. The fragment shader implements exactly this.
float normalize_value(float v, ValueRange r, bool log_scale);

struct ColorbarTick {
    float t = 0.0f;  // position along the colorbar in [0,1]
    float value = 0.0f;
    std::string label;
};

// Ticks for a colorbar over `r` (effective range): linear: `count` evenly spaced values; log: the
// decades inside the range plus both ends.
std::vector<ColorbarTick> colorbar_ticks(ValueRange r, bool log_scale, int count = 5);

// Short label for a value: 3 significant digits, e.g. "0.0123", "1e-04".
std::string format_value(float v);

}  // namespace vitscope
