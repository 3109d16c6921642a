// The lab's window contents and behaviour, shaped around Dear ImGui's immediate mode: main.cpp owns
// GLFW, the GL context and ImGui (as in ImGui's example_glfw_opengl3) and calls frame() once per
// frame. LabApp owns the async compute (engine on a std::thread), the figure panels, the keys, the
// scripted mode and the frame statistics. Requests never block the UI; the latest wins.
#pragma once

#include "async_compute.h"
#include "async_image_loader.h"
#include "figure_panel.h"
#include "frame_stats.h"
#include "lab_args.h"
#include "lab_edits.h"
#include "lab_script.h"
#include "lab_state_json.h"
#include "lab_view_state.h"

#include <array>
#include <imgui.h>

#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace vitscope {

// What the window offers the app (main.cpp implements it over GLFW).
class LabHost {
public:
    virtual ~LabHost() = default;
    virtual void set_fullscreen(bool on) = 0;
    virtual void request_close() = 0;
};

// The teaching keys; the keyboard and `key NAME` in scripts both end in LabApp::press().
// MeanOfHeads is the 0 key; HeadNumber the keys 1..9 (the digit comes beside it).
enum class LabKey { Left, Right, Up, Down, Space, S, M, P, F, H, Plus, Minus, Escape, MeanOfHeads, HeadNumber };
// "S", "LEFT", "SPACE", "PLUS", "3", ... -> key (and `digit` for 0..9). False when unknown.
bool parse_lab_key(const std::string& name, LabKey& key, int& digit);

class LabApp {
public:
    LabApp(LabHost& host, const LabArgs& args);
    ~LabApp();

    bool initialize_gl(const GlProcLoader& loader, std::string& error);
    void release_gl();  // needs the context
    void set_fonts(const ImGuiFigureFonts& fonts) { fonts_ = fonts; }

    // Opens a dropped or scripted path: a folder or .safetensors is a model, anything else an image.
    void open_path(const std::string& path);

    // After the backends' NewFrame, before ImGui::NewFrame: scripted mouse input.
    void before_new_frame();
    // Between ImGui::NewFrame and ImGui::Render. `frame_ms`: the previous frame's duration.
    void frame(float fb_scale, double frame_ms);
    // After the window's clear, before ImGui renders the draw data: copies the figure panels'
    // pictures into the window (LiveFigurePanel::present).
    void before_render(int fb_height);
    // This frame must be drawn even if ImGui's draw data did not change: a panel's pictures changed
    // or a screenshot is due.
    bool must_draw() const;
    void frame_drawn() { ++frames_drawn_; }
    // After the draw data is rendered, before the swap: screenshots of the default framebuffer.
    void after_render(int fb_width, int fb_height);

    bool should_quit() const { return quit_; }
    void request_quit() { quit_ = true; }  // this frame is the last (its screenshot is taken)
    int exit_code() const { return exit_code_; }
    const LabViewState& view() const { return view_; }
    std::string state_json() const;

private:
    void press(LabKey key, int digit = 0);
    void apply(const LabEdits& edits);
    void set_selection(FigureSelection sel);
    void open_model(const std::string& path);
    void open_image(const std::string& path);
    void take_decoded_image();
    void show_error(const std::string& message);
    void changed() { ++revision_; }
    void handle_keyboard();
    void advance_sweep(double now_s);
    void run_script();
    bool run_command(const ScriptCommand& c);  // false: wait (call again next frame)
    void image_clicks();
    void layout(float fb_scale);
    void status_line();
    FigureInputs inputs() const;

    LabHost& host_;
    LabArgs args_;
    AsyncCompute compute_;
    AsyncImageLoader images_;
    LabViewState view_;
    LiveFigurePanel image_panel_, heads_panel_, saturation_panel_, distance_panel_;
    std::array<LiveFigurePanel*, 4> panels() { return {&image_panel_, &heads_panel_, &saturation_panel_, &distance_panel_}; }
    std::array<const LiveFigurePanel*, 4> panels() const {
        return {&image_panel_, &heads_panel_, &saturation_panel_, &distance_panel_};
    }
    PanelRenderBudget render_budget_;
    ImGuiFigureFonts fonts_;
    uint64_t revision_ = 1;
    std::vector<std::string> errors_;
    std::set<int> mask_drag_visited_;  // tokens a mask-tool drag has toggled
    std::string hover_readout_;   // the image view's readout of the cell under the mouse ("" when none)
    std::string note_;            // a line under the status: "loading …", "… downscaled on decode"
    bool note_transient_ = false;  // cleared by the next result
    FrameStats stats_;
    double sweep_next_s_ = 0;
    int script_sweep_left_ = 0;
    int frames_ = 0;
    int frames_drawn_ = 0;
    bool quit_ = false;
    int exit_code_ = 0;

    // Scripted mode.
    std::vector<ScriptCommand> script_;
    size_t script_pos_ = 0;
    int wait_frames_ = 0;
    int idle_frames_ = 0;  // frames in a row that began with the compute idle
    struct ScriptedMouse {
        ImVec2 pos;
        bool down = false;  // the left button
    };
    std::deque<ScriptedMouse> scripted_mouse_;  // one per frame
    std::optional<ImVec2> scripted_mouse_rest_;  // where the scripted mouse stays after its events (as a real one)
    bool mouse_started_ = false;
    std::vector<std::string> screenshot_requests_;
};

}  // namespace vitscope
