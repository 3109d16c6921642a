#include "help_overlay.h"

#include <imgui.h>

namespace vitscope {

void show_help_overlay(bool* open) {
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + vp->WorkSize.x * 0.5f, vp->WorkPos.y + vp->WorkSize.y * 0.5f),
                            ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowBgAlpha(0.92f);
    if (!ImGui::Begin("Keys", open, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoCollapse)) {
        ImGui::End();
        return;
    }
    static const char* rows[][2] = {
        {"Left / Right", "previous / next layer (Swin: block)"},
        {"Up / Down", "previous / next head"},
        {"1 .. 9", "head 0 .. 8"},
        {"0", "mean of the heads"},
        {"Space", "play a layer sweep (again: stop)"},
        {"S", "cycle the scale: 1/sqrt(d_head), 1/sqrt(d_model), none"},
        {"M", "mask tool: a click masks the patch as a key"},
        {"P", "padding mask on / off (with pad preprocessing)"},
        {"F", "fullscreen"},
        {"+ / -", "UI scale for projectors"},
        {"H", "this help"},
        {"click a patch", "make it the query (mask tool: mask it)"},
        {"drop a file", "an image, or a model (folder or .safetensors)"},
    };
    if (ImGui::BeginTable("keys", 2, ImGuiTableFlags_RowBg)) {
        for (const auto& r : rows) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(r[0]);
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(r[1]);
        }
        ImGui::EndTable();
    }
    ImGui::End();
}

}  // namespace vitscope
