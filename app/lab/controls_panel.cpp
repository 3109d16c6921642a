#include "controls_panel.h"

#include <imgui.h>

#include <string>

namespace vitscope {

namespace {

void layer_and_head(const WorkspaceState& s, const FigureInputs& in, LabEdits& edits) {
    FigureSelection sel = clamp_selection(in, s.selection);
    const int layers = in.num_layers();
    bool changed = false;
    const std::string layer_label = in.layer_name(sel.layer);
    changed |= ImGui::SliderInt("Layer", &sel.layer, 0, std::max(layers - 1, 0), layer_label.c_str());
    const int heads = in.num_heads(sel.layer);
    int head_slot = sel.head == kMeanOfHeads ? heads : sel.head;  // the last slot is the mean
    const std::string head_label = sel.head == kMeanOfHeads ? "mean of heads" : "head " + std::to_string(sel.head);
    if (ImGui::SliderInt("Head", &head_slot, 0, heads, head_label.c_str())) {
        sel.head = head_slot >= heads ? kMeanOfHeads : head_slot;
        changed = true;
    }
    const std::string query_label = in.query_name(sel.query);
    changed |= ImGui::SliderInt("Query", &sel.query, 0, std::max(in.num_query_tokens() - 1, 0), query_label.c_str());
    if (changed) edits.selection = sel;
}

void attention_options(const WorkspaceState& s, const LabViewState& view, LabEdits& edits) {
    AttentionOptions o = s.options;
    bool changed = false;
    changed |= ImGui::SliderFloat("Temperature", &o.temperature, 0.05f, 5.0f, "%.2f", ImGuiSliderFlags_Logarithmic);
    static const char* scales[] = {"1/sqrt(d_head) (paper)", "1/sqrt(d_model)", "none"};
    int scale = int(o.scale_mode);
    if (ImGui::Combo("Scale (S)", &scale, scales, 3)) {
        o.scale_mode = ScaleMode(scale);
        changed = true;
    }
    changed |= ImGui::Checkbox("Padding mask (P)", &o.padding_mask);
    ImGui::SameLine();
    changed |= ImGui::Checkbox("Causal", &o.causal);
    bool tool = view.mask_tool;
    if (ImGui::Checkbox("Mask tool (M)", &tool)) edits.toggle_mask_tool = true;
    ImGui::SameLine();
    ImGui::Text("%d masked", int(o.masked_keys.size()));
    if (!o.masked_keys.empty()) {
        ImGui::SameLine();
        if (ImGui::Button("Clear mask")) {
            o.masked_keys.clear();
            changed = true;
        }
    }
    if (!o.is_paper_default()) {
        if (ImGui::Button("Paper defaults")) {
            o = AttentionOptions{};
            changed = true;
        }
    }
    if (changed) edits.options = o;
}

void swin_switches(const WorkspaceState& s, LabEdits& edits) {
    SwinOptions so = s.swin_options;
    bool changed = false;
    changed |= ImGui::Checkbox("Shift", &so.shift);
    ImGui::SameLine();
    changed |= ImGui::Checkbox("Shift mask", &so.shift_mask);
    ImGui::SameLine();
    changed |= ImGui::Checkbox("Rel. position bias", &so.relative_position_bias);
    if (changed) edits.swin_options = so;
}

void drawing(const WorkspaceState& s, LabEdits& edits) {
    FigureStyle st = s.style;
    bool changed = false;
    static const char* maps[] = {"viridis", "inferno", "magma", "grey"};
    int cmap = int(st.colormap);
    if (ImGui::Combo("Colormap", &cmap, maps, 4)) {
        st.colormap = Colormap(cmap);
        changed = true;
    }
    changed |= ImGui::SliderFloat("Opacity", &st.opacity, 0.0f, 1.0f, "%.2f");
    changed |= ImGui::Checkbox("Patch grid", &st.show_grid);
    ImGui::SameLine();
    bool smooth = st.sampling == Sampling::Smooth;
    if (ImGui::Checkbox("Smooth", &smooth)) {
        st.sampling = smooth ? Sampling::Smooth : Sampling::Nearest;
        changed = true;
    }
    ImGui::SameLine();
    changed |= ImGui::Checkbox("Log", &st.log_scale);
    if (changed) edits.style = st;
    static const char* modes[] = {"crop", "pad (letterbox)", "none (exact size)"};  // PreprocessMode order
    int mode = int(s.mode);
    if (ImGui::Combo("Preprocess", &mode, modes, 3)) edits.mode = PreprocessMode(mode);
}

}  // namespace

LabEdits show_controls_panel(const WorkspaceState& state, const FigureInputs& inputs, const LabViewState& view) {
    LabEdits edits;
    if (!inputs.has_trace()) {
        ImGui::TextDisabled("Waiting for the first forward pass…");
        return edits;
    }
    ImGui::PushItemWidth(-ImGui::GetFontSize() * 9);
    layer_and_head(state, inputs, edits);
    if (ImGui::Button(view.sweeping ? "Stop sweep (Space)" : "Play layer sweep (Space)")) edits.toggle_sweep = true;
    ImGui::Separator();
    attention_options(state, view, edits);
    if (state.is_swin()) swin_switches(state, edits);
    ImGui::Separator();
    drawing(state, edits);
    ImGui::PopItemWidth();
    return edits;
}

}  // namespace vitscope
