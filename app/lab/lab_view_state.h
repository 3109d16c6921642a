// What the lab shows beside the workspace state: tool, layer sweep, UI scale, help, fullscreen.
// Plain data, owned by LabApp, read by the panels.
#pragma once

namespace vitscope {

struct LabViewState {
    bool mask_tool = false;  // clicks on the image mask keys instead of choosing the query
    bool sweeping = false;   // the layer sweep is playing
    float ui_scale = 1.0f;   // + / -: text and controls, for projectors
    bool help = false;       // the help overlay
    bool fullscreen = false;
    const char* select_tab = nullptr;  // a tab of the figure views to bring to front ("Heads", ...)
};

}  // namespace vitscope
