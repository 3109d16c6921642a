#include "colormap.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace vitscope {
namespace {

// Nine evenly spaced samples (t = 0, 1/8, ..., 1) of each map, as published with the maps
// (matplotlib's viridis/inferno/magma by van der Walt & Smith; the 9-colour hex lists of viridisLite).
constexpr uint32_t kViridis[9] = {0x440154, 0x472D7B, 0x3B528B, 0x2C728E, 0x21908C,
                                  0x27AD81, 0x5DC863, 0xAADC32, 0xFDE725};
constexpr uint32_t kInferno[9] = {0x000004, 0x1F0C48, 0x550F6D, 0x88226A, 0xBA3655,
                                  0xE35933, 0xF98D0A, 0xF9C932, 0xFCFFA4};
constexpr uint32_t kMagma[9] = {0x000004, 0x1C1044, 0x4F127B, 0x812581, 0xB5367A,
                                0xE55064, 0xFB8861, 0xFEC287, 0xFCFDBF};
constexpr uint32_t kGrey[2] = {0x000000, 0xFFFFFF};

struct Anchors {
    const uint32_t* rgb;
    int count;
};

Anchors anchors_of(Colormap c) {
    switch (c) {
        case Colormap::Viridis: return {kViridis, 9};
        case Colormap::Inferno: return {kInferno, 9};
        case Colormap::Magma: return {kMagma, 9};
        case Colormap::Grey: return {kGrey, 2};
    }
    return {kGrey, 2};
}

float channel(uint32_t rgb, int shift) { return float((rgb >> shift) & 0xFF); }

ColormapTable build_table(Colormap c) {
    ColormapTable t;
    for (int i = 0; i < kColormapSize; ++i) t[size_t(i)] = colormap_continuous(c, float(i) / float(kColormapSize - 1));
    return t;
}

}  // namespace

const char* colormap_name(Colormap c) {
    switch (c) {
        case Colormap::Viridis: return "viridis";
        case Colormap::Inferno: return "inferno";
        case Colormap::Magma: return "magma";
        case Colormap::Grey: return "grey";
    }
    return "viridis";
}

bool parse_colormap(const std::string& s, Colormap& out) {
    for (int i = 0; i < kNumColormaps; ++i) {
        if (s == colormap_name(Colormap(i))) {
            out = Colormap(i);
            return true;
        }
    }
    return false;
}

Rgb8 colormap_continuous(Colormap c, float t) {
    const Anchors a = anchors_of(c);
    if (!(t > 0.0f)) t = 0.0f;  // also maps NaN to the low end
    if (t > 1.0f) t = 1.0f;
    const float x = t * float(a.count - 1);
    const int i0 = std::min(int(std::floor(x)), a.count - 2);
    const float f = x - float(i0);
    const uint32_t lo = a.rgb[i0], hi = a.rgb[i0 + 1];
    auto mixc = [&](int shift) {
        const float v = channel(lo, shift) + f * (channel(hi, shift) - channel(lo, shift));
        return uint8_t(std::clamp(int(std::lround(v)), 0, 255));
    };
    return {mixc(16), mixc(8), mixc(0)};
}

const ColormapTable& colormap_table(Colormap c) {
    static const std::vector<ColormapTable> tables = [] {
        std::vector<ColormapTable> v;
        for (int i = 0; i < kNumColormaps; ++i) v.push_back(build_table(Colormap(i)));
        return v;
    }();
    return tables[size_t(c)];
}

int colormap_index(float t) {
    if (!(t > 0.0f)) return 0;
    if (t >= 1.0f) return kColormapSize - 1;
    return int(t * float(kColormapSize - 1) + 0.5f);
}

}  // namespace vitscope
