// The state of one workspace as plain data, shared by every front end (the Qt app, the ImGui lab):
// what the user asked for (model, image, preprocessing, options, selection, style) and what has been
// computed for it (the model's input, the traces under the current and the paper's options).
// No Qt, no threads: ComputePolicy owns one and changes it; front ends read it.
#pragma once

#include "draw_list.h"
#include "heatmap_figure.h"
#include "model_loader.h"
#include "preprocess.h"
#include "swin_forward.h"
#include "view_figures.h"
#include "vit_forward.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vitscope {

struct WorkspaceState {
    // What was asked for.
    std::shared_ptr<const LoadedModel> model;
    std::string model_path;
    std::vector<std::string> labels;  // class names (may be empty)
    std::shared_ptr<const RgbImage> image;
    std::string image_name;
    PreprocessMode mode = PreprocessMode::Crop;
    AttentionOptions options;
    SwinOptions swin_options;
    FigureSelection selection;
    FigureStyle style;

    // What has been computed (for an earlier request, possibly: see ComputePolicy).
    std::shared_ptr<const ModelInput> input;
    std::shared_ptr<const RgbImage> input_source;  // the image `input` came from
    PreprocessMode input_mode = PreprocessMode::Crop;
    std::shared_ptr<const FigureImage> input_picture;  // `input` de-normalised, made once per input
    std::shared_ptr<const ViTTrace> trace, baseline;   // ViT family: current and paper-default options
    std::shared_ptr<const SwinTrace> swin_trace, swin_baseline;

    bool is_swin() const { return model && model->swin; }
    bool has_trace() const { return trace || swin_trace; }
    const RowVector* logits() const;           // of the current trace (null without one)
    const RowVector* baseline_logits() const;  // of the paper-default trace
    bool paper_default() const;                // the current trace uses the paper's options
    std::string model_name() const;
};

// The paper's options for Swin: every AttentionOptions and SwinOptions default.
bool swin_paper_default(const AttentionOptions& options, const SwinOptions& swin_options);

// What the figure builders draw from, for the state's current traces.
FigureInputs figure_inputs(const WorkspaceState& state);
// The state's current trace through the model-neutral AttentionSource (empty without one), without
// copying the picture and labels figure_inputs carries. It points into the state's traces.
std::optional<AttentionSource> attention_source(const WorkspaceState& state);

}  // namespace vitscope
