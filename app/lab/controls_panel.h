// The lab's controls: layer and head, query, temperature, scale mode, padding mask, mask tool and
// the user mask, Swin's switches, preprocessing, colormap and opacity. Big widgets for a lecture
// hall; every change comes back as an edit.
#pragma once

#include "attention_masks.h"
#include "lab_edits.h"
#include "lab_view_state.h"
#include "workspace_state.h"

namespace vitscope {

LabEdits show_controls_panel(const WorkspaceState& state, const FigureInputs& inputs, const LabViewState& view);

}  // namespace vitscope
