#include "predictions_panel.h"

#include "prediction_comparison.h"

#include <imgui.h>

namespace vitscope {

namespace {

ImVec4 delta_colour(float d) {
    return d > 0 ? ImVec4(0.31f, 0.78f, 0.47f, 1) : d < 0 ? ImVec4(0.94f, 0.39f, 0.39f, 1) : ImVec4(0.63f, 0.63f, 0.63f, 1);
}

// One table: rank, class, then p under `first` and (when `second` is given) under the other options
// and the change.
void table(const char* id, const std::vector<PredictionRow>& rows, bool paper_first, bool with_other) {
    const char* first = paper_first ? "p paper" : "p";
    if (!ImGui::BeginTable(id, with_other ? 5 : 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) return;
    ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn("class");
    ImGui::TableSetupColumn(first, ImGuiTableColumnFlags_WidthFixed);
    if (with_other) {
        ImGui::TableSetupColumn(paper_first ? "p now" : "p paper", ImGuiTableColumnFlags_WidthFixed);
        ImGui::TableSetupColumn("change", ImGuiTableColumnFlags_WidthFixed);
    }
    ImGui::TableHeadersRow();
    for (size_t i = 0; i < rows.size(); ++i) {
        const PredictionRow& r = rows[i];
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::Text("%d", int(i) + 1);
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(r.label.c_str());
        ImGui::TableNextColumn();
        ImGui::Text("%.3f", double(paper_first ? r.p_paper : r.p_now));
        if (with_other) {
            ImGui::TableNextColumn();
            ImGui::Text("%.3f", double(paper_first ? r.p_now : r.p_paper));
            ImGui::TableNextColumn();
            ImGui::TextColored(delta_colour(r.delta()), "%+.3f", double(r.delta()));
        }
    }
    ImGui::EndTable();
}

}  // namespace

void show_predictions_panel(const WorkspaceState& s) {
    const PredictionComparison cmp = compare_predictions(s);
    if (!cmp.has_classifier) {
        ImGui::TextDisabled(cmp.has_trace ? "This model has no classifier." : "No prediction yet.");
        return;
    }
    ImGui::TextUnformatted(cmp.differs ? "Top-5 under these options" : "Top-5 (paper defaults)");
    table("##now", cmp.now, false, cmp.differs);
    if (cmp.differs) {
        ImGui::Spacing();
        ImGui::TextUnformatted("The paper's top-5, under these options");
        table("##paper", cmp.paper, true, true);
    }
}

}  // namespace vitscope
