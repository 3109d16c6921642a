// How many panels may draw their pictures again in one frame. A software rasteriser spends ~8 ms on
// one panel's pictures at 1600x1000, so when a new forward pass (or a layer step) changes two panels
// at once, one is drawn this frame and the other next frame (its previous figure stays on screen,
// pictures and text together); the panel that waited goes first the next time, so during a sweep
// they take turns. Unlimited on frames that are saved (screenshots) and for resized panels.
#pragma once

namespace vitscope {

class PanelRenderBudget {
public:
    // At the start of a frame; `unlimited`: every panel draws (a frame that is saved or the last).
    void new_frame(bool unlimited);
    // Whether `panel`, whose figure changed, may draw now; false: it waits for the next frame.
    bool may_render(const void* panel);

private:
    static constexpr int kUnlimited = 1 << 30;
    int left_ = kUnlimited;
    const void* waited_last_ = nullptr;  // the panel that waited in the previous frame: it goes first
    const void* waited_now_ = nullptr;
};

}  // namespace vitscope
