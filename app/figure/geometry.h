// The primitives of figure coordinates: rectangles (logical pixels, origin top-left) and colours.
#pragma once

#include <cstdint>

namespace vitscope {

struct RectF {
    float x = 0, y = 0, w = 0, h = 0;
    bool contains(float px, float py) const { return px >= x && py >= y && px < x + w && py < y + h; }
    bool empty() const { return w <= 0 || h <= 0; }
    float right() const { return x + w; }
    float bottom() const { return y + h; }
    bool operator==(const RectF&) const = default;
};

struct Rgba {
    uint8_t r = 0, g = 0, b = 0, a = 255;
    bool operator==(const Rgba&) const = default;
};

}  // namespace vitscope
