// The top-k of the current trace beside the paper-default trace's, as plain rows for every front
// end's predictions panel: the classes under the current options with their probability under the
// paper's, and (when the options differ from the paper's) the paper's top-k followed under the
// current options (macaw 0.90 -> 0.00 under scale none).
#pragma once

#include "workspace_state.h"

#include <string>
#include <vector>

namespace vitscope {

struct PredictionRow {
    int cls = 0;
    std::string label;  // the class name, or "class N"
    float p_now = 0;    // under the current options
    float p_paper = 0;  // under the paper's options (== p_now when they apply)
    float delta() const { return p_now - p_paper; }
};

struct PredictionComparison {
    bool has_trace = false;
    bool has_classifier = false;
    bool differs = false;              // the options differ from the paper's (and a baseline is at hand)
    std::vector<PredictionRow> now;    // top-k under the current options
    std::vector<PredictionRow> paper;  // top-k under the paper's options (empty unless `differs`)
};

PredictionComparison compare_predictions(const WorkspaceState& state, int k = 5);

}  // namespace vitscope
