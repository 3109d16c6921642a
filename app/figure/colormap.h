// Perceptual colormaps as 256-entry 8-bit RGB tables, built from published anchor colours.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace vitscope {

enum class Colormap { Viridis, Inferno, Magma, Grey };
constexpr int kNumColormaps = 4;
constexpr int kColormapSize = 256;

struct Rgb8 {
    uint8_t r = 0, g = 0, b = 0;
    bool operator==(const Rgb8&) const = default;
};

using ColormapTable = std::array<Rgb8, kColormapSize>;

const char* colormap_name(Colormap c);  // "viridis", "inferno", "magma", "grey"
bool parse_colormap(const std::string& s, Colormap& out);

// The continuous map at t in [0,1] (clamped): piecewise-linear between the anchors, rounded.
Rgb8 colormap_continuous(Colormap c, float t);

// The 256-entry table: entry i = colormap_continuous(c, i / 255).
const ColormapTable& colormap_table(Colormap c);

// The table index a normalised value t selects: round(clamp(t) * 255). The fragment shader uses the
// same rule, so CPU and GPU agree on every colour.
int colormap_index(float t);

// Table lookup with that rule.
inline Rgb8 colormap_lookup(Colormap c, float t) { return colormap_table(c)[size_t(colormap_index(t))]; }

}  // namespace vitscope
