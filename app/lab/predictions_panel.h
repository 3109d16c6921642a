// The lab's top-5: the model's classes under the current options, and, whenever the options differ
// from the paper's, the paper-default top-5 beside them with the change in probability.
#pragma once

#include "workspace_state.h"

namespace vitscope {

void show_predictions_panel(const WorkspaceState& state);

}  // namespace vitscope
