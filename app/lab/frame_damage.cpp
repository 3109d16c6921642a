#include "frame_damage.h"

#include <cstring>

namespace vitscope {

namespace {

template <typename T>
void append(std::vector<uint8_t>& out, const T* p, size_t n) {
    const size_t at = out.size();
    out.resize(at + n * sizeof(T));
    if (n) std::memcpy(&out[at], p, n * sizeof(T));
}

}  // namespace

void FrameDamage::snapshot(const ImDrawData& data, std::vector<uint8_t>& out) {
    out.clear();
    append(out, &data.DisplayPos, 1);
    append(out, &data.DisplaySize, 1);
    append(out, &data.FramebufferScale, 1);
    for (int i = 0; i < data.CmdListsCount; ++i) {
        const ImDrawList& l = *data.CmdLists[i];
        for (const ImDrawCmd& c : l.CmdBuffer) {
            // What the renderer uses of a command (the struct has padding: field by field).
            append(out, &c.ClipRect, 1);
            append(out, &c.TextureId, 1);
            append(out, &c.VtxOffset, 1);
            append(out, &c.IdxOffset, 1);
            append(out, &c.ElemCount, 1);
            append(out, &c.UserCallback, 1);
            append(out, &c.UserCallbackData, 1);
        }
        const int counts[2] = {l.VtxBuffer.Size, l.IdxBuffer.Size};
        append(out, counts, 2);
        append(out, l.VtxBuffer.Data, size_t(l.VtxBuffer.Size));
        append(out, l.IdxBuffer.Data, size_t(l.IdxBuffer.Size));
    }
}

bool FrameDamage::update(const ImDrawData& data, int fb_width, int fb_height) {
    snapshot(data, current_);
    const bool changed = !valid_ || fb_width != fb_width_ || fb_height != fb_height_ || current_.size() != last_.size() ||
                         std::memcmp(current_.data(), last_.data(), last_.size()) != 0;
    last_.swap(current_);
    fb_width_ = fb_width;
    fb_height_ = fb_height;
    valid_ = true;
    return changed;
}

}  // namespace vitscope
