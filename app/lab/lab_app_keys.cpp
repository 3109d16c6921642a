// LabApp's keys for teaching live (the keyboard and scripted `key NAME` both end in press()) and
// the layer sweep they start.
#include "lab_app.h"

#include "attention_masks.h"

#include <GLFW/glfw3.h>

#include <algorithm>
#include <cctype>

namespace vitscope {

bool parse_lab_key(const std::string& name, LabKey& key, int& digit) {
    std::string n;
    for (char c : name) n += char(std::toupper(static_cast<unsigned char>(c)));
    digit = 0;
    if (n.size() == 1 && n[0] >= '0' && n[0] <= '9') {
        digit = n[0] - '0';
        key = digit == 0 ? LabKey::MeanOfHeads : LabKey::HeadNumber;
        return true;
    }
    static const std::pair<const char*, LabKey> names[] = {
        {"LEFT", LabKey::Left}, {"RIGHT", LabKey::Right}, {"UP", LabKey::Up},     {"DOWN", LabKey::Down},
        {"SPACE", LabKey::Space}, {"S", LabKey::S},       {"M", LabKey::M},       {"P", LabKey::P},
        {"F", LabKey::F},       {"H", LabKey::H},         {"PLUS", LabKey::Plus}, {"+", LabKey::Plus},
        {"MINUS", LabKey::Minus}, {"-", LabKey::Minus},   {"ESCAPE", LabKey::Escape}, {"ESC", LabKey::Escape},
    };
    for (const auto& [text, k] : names)
        if (n == text) {
            key = k;
            return true;
        }
    return false;
}


void LabApp::press(LabKey key, int digit) {
    const WorkspaceState& s = compute_.state();
    const FigureInputs in = inputs();
    FigureSelection sel = s.selection;
    const int layers = std::max(in.num_layers(), 1);
    const int heads = in.has_trace() ? in.num_heads(std::clamp(sel.layer, 0, layers - 1)) : 1;
    AttentionOptions o = s.options;
    switch (key) {
    case LabKey::Left: sel.layer = std::max(sel.layer - 1, 0); set_selection(sel); break;
    case LabKey::Right: sel.layer = std::min(sel.layer + 1, layers - 1); set_selection(sel); break;
    case LabKey::Up: sel.head = sel.head == kMeanOfHeads ? 0 : std::min(sel.head + 1, heads - 1); set_selection(sel); break;
    case LabKey::Down: sel.head = sel.head == kMeanOfHeads ? heads - 1 : std::max(sel.head - 1, 0); set_selection(sel); break;
    case LabKey::MeanOfHeads: sel.head = kMeanOfHeads; set_selection(sel); break;
    case LabKey::HeadNumber:
        if (digit - 1 < heads) {
            sel.head = digit - 1;
            set_selection(sel);
        }
        break;
    case LabKey::Space:
        view_.sweeping = !view_.sweeping;
        if (view_.sweeping) {
            if (sel.layer >= layers - 1) set_selection({0, sel.head, sel.query});
            sweep_next_s_ = ImGui::GetTime() + 0.6;
        }
        break;
    case LabKey::S: o.scale_mode = ScaleMode((int(o.scale_mode) + 1) % 3); compute_.policy().set_options(o); break;
    case LabKey::M: view_.mask_tool = !view_.mask_tool; changed(); break;
    case LabKey::P: o.padding_mask = !o.padding_mask; compute_.policy().set_options(o); break;
    case LabKey::F: view_.fullscreen = !view_.fullscreen; host_.set_fullscreen(view_.fullscreen); break;
    case LabKey::H: view_.help = !view_.help; break;
    case LabKey::Plus: view_.ui_scale = std::min(view_.ui_scale * 1.15f, 3.0f); changed(); break;
    case LabKey::Minus: view_.ui_scale = std::max(view_.ui_scale / 1.15f, 0.6f); changed(); break;
    case LabKey::Escape:
        if (view_.help) {
            view_.help = false;
        } else if (view_.fullscreen) {
            view_.fullscreen = false;
            host_.set_fullscreen(false);
        }
        break;
    }
}

void LabApp::handle_keyboard() {
    const ImGuiIO& io = ImGui::GetIO();
    if (io.WantTextInput) return;
    static const std::pair<int, LabKey> keys[] = {
        {GLFW_KEY_LEFT, LabKey::Left}, {GLFW_KEY_RIGHT, LabKey::Right}, {GLFW_KEY_UP, LabKey::Up},
        {GLFW_KEY_DOWN, LabKey::Down}, {GLFW_KEY_SPACE, LabKey::Space}, {GLFW_KEY_S, LabKey::S},
        {GLFW_KEY_M, LabKey::M},       {GLFW_KEY_P, LabKey::P},         {GLFW_KEY_F, LabKey::F},
        {GLFW_KEY_H, LabKey::H},       {GLFW_KEY_EQUAL, LabKey::Plus},  {GLFW_KEY_KP_ADD, LabKey::Plus},
        {GLFW_KEY_MINUS, LabKey::Minus}, {GLFW_KEY_KP_SUBTRACT, LabKey::Minus}, {GLFW_KEY_ESCAPE, LabKey::Escape},
    };
    // Dear ImGui 1.86 (before the 1.87 key API): IsKeyPressed takes the backend's native key codes.
    for (const auto& [code, key] : keys)
        if (ImGui::IsKeyPressed(code)) press(key);
    for (int d = 0; d <= 9; ++d)
        if (ImGui::IsKeyPressed(GLFW_KEY_0 + d, false) || ImGui::IsKeyPressed(GLFW_KEY_KP_0 + d, false))
            press(d == 0 ? LabKey::MeanOfHeads : LabKey::HeadNumber, d);
}

void LabApp::advance_sweep(double now_s) {
    const int layers = inputs().num_layers();
    FigureSelection sel = compute_.state().selection;
    if (script_sweep_left_ > 0 && layers > 0) {  // scripted drag: one layer per frame, wrapping
        --script_sweep_left_;
        sel.layer = (sel.layer + 1) % layers;
        set_selection(sel);
    }
    if (!view_.sweeping || now_s < sweep_next_s_) return;
    if (sel.layer >= layers - 1) {
        view_.sweeping = false;
        return;
    }
    ++sel.layer;
    set_selection(sel);
    sweep_next_s_ = now_s + 0.6;
}
}  // namespace vitscope
