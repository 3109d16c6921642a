// Whether a frame would put different pixels on the screen than the frame drawn before it: the lab
// draws only frames that would (a software rasteriser spends most of a frame's time drawing it,
// and a frame that changes nothing costs the compute thread those cores for nothing). ImGui's draw
// data is compared with a copy of the last drawn one, byte for byte; the figure panels' own
// pictures (drawn outside ImGui) and screenshots are the caller's to add.
#pragma once

#include <imgui.h>

#include <cstdint>
#include <vector>

namespace vitscope {

class FrameDamage {
public:
    // True when `data` (with the framebuffer size) differs from the frame before; remembers it as
    // what the screen shows (the caller draws every changed frame, and may draw others).
    bool update(const ImDrawData& data, int fb_width, int fb_height);
    // The screen lost what was drawn (an expose): the next frame counts as changed.
    void invalidate() { valid_ = false; }

private:
    static void snapshot(const ImDrawData& data, std::vector<uint8_t>& out);
    std::vector<uint8_t> last_, current_;
    int fb_width_ = 0, fb_height_ = 0;
    bool valid_ = false;
};

}  // namespace vitscope
