// What a panel asks to change this frame; LabApp applies it (requests to the compute policy,
// selection and style to the workspace state). Panels stay functions of the state.
#pragma once

#include "attention_options.h"
#include "heatmap_figure.h"
#include "preprocess.h"
#include "swin_forward.h"
#include "view_figures.h"

#include <optional>

namespace vitscope {

struct LabEdits {
    std::optional<AttentionOptions> options;
    std::optional<SwinOptions> swin_options;
    std::optional<PreprocessMode> mode;
    std::optional<FigureSelection> selection;
    std::optional<FigureStyle> style;
    bool toggle_mask_tool = false;
    bool toggle_sweep = false;
};

}  // namespace vitscope
