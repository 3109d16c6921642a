#include "predictions_panel.h"

#include <imgui.h>

#include <cmath>
#include <string>

namespace vitscope {

namespace {

// softmax(logits)[cls]
float probability(const RowVector& logits, int cls) {
    if (cls < 0 || cls >= logits.size()) return 0.0f;
    const float m = logits.maxCoeff();
    return std::exp(logits[cls] - m) / (logits.array() - m).exp().sum();
}

void table(const char* id, const std::vector<Prediction>& top, const RowVector* other, const char* other_name) {
    const int columns = other ? 4 : 3;
    if (!ImGui::BeginTable(id, columns, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) return;
    ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn("class");
    ImGui::TableSetupColumn("p", ImGuiTableColumnFlags_WidthFixed);
    if (other) ImGui::TableSetupColumn(other_name, ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableHeadersRow();
    for (size_t i = 0; i < top.size(); ++i) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::Text("%d", int(i) + 1);
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(top[i].label.empty() ? ("class " + std::to_string(top[i].cls)).c_str()
                                                    : top[i].label.c_str());
        ImGui::TableNextColumn();
        ImGui::Text("%.3f", double(top[i].p));
        if (other) {
            ImGui::TableNextColumn();
            ImGui::Text("%.3f", double(probability(*other, top[i].cls)));
        }
    }
    ImGui::EndTable();
}

}  // namespace

void show_predictions_panel(const WorkspaceState& s) {
    const RowVector* logits = s.logits();
    if (!logits || logits->size() == 0) {
        ImGui::TextDisabled(s.has_trace() ? "This model has no classifier." : "No prediction yet.");
        return;
    }
    const RowVector* paper = s.baseline_logits();
    const bool differs = !s.paper_default() && paper;
    ImGui::TextUnformatted(differs ? "Top-5 under these options" : "Top-5 (paper defaults)");
    table("##top5", top_predictions(*logits, s.labels, 5), differs ? paper : nullptr, "paper");
    if (differs) {
        ImGui::Spacing();
        ImGui::TextUnformatted("Top-5 under the paper's defaults");
        table("##paper5", top_predictions(*paper, s.labels, 5), logits, "now");
    }
}

}  // namespace vitscope
