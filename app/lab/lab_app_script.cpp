// LabApp's scripted mode: one command per frame until one has to wait (wait-idle, wait-frames,
// sweep-layers, scripted mouse events), fed through the same paths as the keyboard and the mouse.
#include "lab_app.h"

#include "attention_masks.h"

#include "image_view_hit.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace vitscope {

bool LabApp::run_command(const ScriptCommand& c) {
    const std::string where = args_.script + ":" + std::to_string(c.line) + ": ";
    auto number = [&](size_t i) {
        try {
            return std::stod(c.args[i]);
        } catch (const std::exception&) {
            throw std::runtime_error(where + c.name + ": '" + c.args[i] + "' is not a number");
        }
    };
    const WorkspaceState& s = compute_.state();
    FigureSelection sel = s.selection;
    // Idle now, and already at the start of the previous frame: that frame drew the last result.
    if (c.name == "wait-idle") return compute_.idle() && !images_.busy() && idle_frames_ >= 2;
    if (c.name == "wait-frames") {
        if (wait_frames_ == 0) wait_frames_ = int(number(0)) + 1;
        return --wait_frames_ == 0;
    }
    if (c.name == "sweep-layers") {
        if (wait_frames_ == 0) {
            script_sweep_left_ = int(number(0));
            wait_frames_ = 1;
        }
        if (script_sweep_left_ > 0) return false;
        wait_frames_ = 0;
        return true;
    }
    if (c.name == "click-patch" || c.name == "hover-patch" || c.name == "drag-patches") {
        // Mouse events on the image view's patch centres, one per frame (before_new_frame feeds
        // them to ImGui); the command ends when they have all been seen.
        if (!mouse_started_) {
            auto centre = [&](size_t row_arg) {
                float x = 0, y = 0;
                if (!image_view_patch_center(image_panel_.figure(), int(number(row_arg)), int(number(row_arg + 1)), x, y))
                    throw std::runtime_error(where + c.name + ": no patch (" + c.args[row_arg] + ", " +
                                             c.args[row_arg + 1] + ") in the image view (is a trace shown? wait-idle first)");
                return image_panel_.screen_point(x, y);
            };
            const ImVec2 a = centre(0);
            const ImVec2 b = c.name == "drag-patches" ? centre(2) : a;
            if (c.name != "hover-patch") scripted_mouse_.push_back({a, true});  // a hover only moves
            for (int i = 1; i <= 8 && c.name == "drag-patches"; ++i)
                scripted_mouse_.push_back({ImVec2(a.x + (b.x - a.x) * float(i) / 8, a.y + (b.y - a.y) * float(i) / 8), true});
            scripted_mouse_.push_back({b, false});
            mouse_started_ = true;
        }
        if (!scripted_mouse_.empty()) return false;
        mouse_started_ = false;
        return true;
    }
    if (c.name == "layer") sel.layer = int(number(0));
    else if (c.name == "head") sel.head = c.args[0] == "mean" ? kMeanOfHeads : int(number(0));
    else if (c.name == "query") sel.query = int(number(0));
    if (c.name == "layer" || c.name == "head" || c.name == "query") {
        set_selection(sel);
        return true;
    }
    AttentionOptions o = s.options;
    FigureStyle st = s.style;
    if (c.name == "key") {
        LabKey key;
        int digit = 0;
        if (!parse_lab_key(c.args[0], key, digit)) throw std::runtime_error(where + "key " + c.args[0] + ": unknown key");
        press(key, digit);
    } else if (c.name == "temperature") {
        o.temperature = float(number(0));
        compute_.policy().set_options(o);
    } else if (c.name == "scale") {
        if (!parse_scale_mode(c.args[0], o.scale_mode))
            throw std::runtime_error(where + "scale " + c.args[0] + ": expected head, model or none");
        compute_.policy().set_options(o);
    } else if (c.name == "image") {
        open_image(c.args[0]);
    } else if (c.name == "model") {
        open_model(c.args[0]);
    } else if (c.name == "open") {
        open_path(c.args[0]);  // as a file dropped onto the window
    } else if (c.name == "opacity" || c.name == "grid" || c.name == "colormap") {
        if (c.name == "opacity") st.opacity = std::clamp(float(number(0)), 0.0f, 1.0f);
        if (c.name == "grid") st.show_grid = c.args[0] == "on";
        if (c.name == "colormap" && !parse_colormap(c.args[0], st.colormap))
            throw std::runtime_error(where + "colormap " + c.args[0] + ": expected viridis, inferno, magma or grey");
        compute_.policy().set_style(st);
        changed();
    } else if (c.name == "tab") {
        static const char* tabs[] = {"Heads", "Saturation", "Distance"};
        view_.select_tab = nullptr;
        for (const char* t : tabs)
            if (c.args[0].size() == std::string(t).size() &&
                std::equal(c.args[0].begin(), c.args[0].end(), t, [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
                view_.select_tab = t;
        if (!view_.select_tab) throw std::runtime_error(where + "tab " + c.args[0] + ": expected heads, saturation or distance");
    } else if (c.name == "screenshot") {
        screenshot_requests_.push_back(c.args[0]);
    } else if (c.name == "quit") {
        quit_ = true;
    }
    return true;
}

void LabApp::run_script() {
    while (script_pos_ < script_.size() && !quit_) {
        if (!run_command(script_[script_pos_])) return;
        ++script_pos_;
        // A screenshot shows this frame: later commands wait for the next one.
        if (!screenshot_requests_.empty()) return;
    }
}

void LabApp::before_new_frame() {
    ImGuiIO& io = ImGui::GetIO();
    io.FontGlobalScale = view_.ui_scale;
    if (!scripted_mouse_.empty()) {
        io.MousePos = scripted_mouse_.front().pos;
        io.MouseDown[0] = scripted_mouse_.front().down;
        scripted_mouse_rest_ = io.MousePos;
        scripted_mouse_.pop_front();
    } else if (scripted_mouse_rest_) {  // the scripted mouse stays where it was left, button up
        io.MousePos = *scripted_mouse_rest_;
        io.MouseDown[0] = false;
    }
}
}  // namespace vitscope
