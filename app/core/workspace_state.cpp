#include "workspace_state.h"

#include <filesystem>

namespace vitscope {

bool swin_paper_default(const AttentionOptions& options, const SwinOptions& swin_options) {
    return options.is_paper_default() && swin_options == SwinOptions{};
}

const RowVector* WorkspaceState::logits() const {
    if (trace) return &trace->logits;
    if (swin_trace) return &swin_trace->logits;
    return nullptr;
}

const RowVector* WorkspaceState::baseline_logits() const {
    if (trace) return baseline ? &baseline->logits : nullptr;
    if (swin_trace) return swin_baseline ? &swin_baseline->logits : nullptr;
    return nullptr;
}

bool WorkspaceState::paper_default() const {
    if (trace) return trace->options.is_paper_default();
    if (swin_trace) return swin_paper_default(swin_trace->options, swin_trace->swin_options);
    return true;
}

std::string WorkspaceState::model_name() const { return model ? model->info().name : std::string(); }

std::optional<AttentionSource> attention_source(const WorkspaceState& s) {
    FigureInputs traces;  // the traces (and the model, for the patch size) only
    traces.vit = s.trace;
    traces.swin = s.swin_trace;
    traces.model = s.model;
    return attention_source(traces);
}

FigureInputs figure_inputs(const WorkspaceState& s) {
    FigureInputs in;
    in.vit = s.trace;
    in.vit_baseline = s.baseline;
    in.swin = s.swin_trace;
    in.swin_baseline = s.swin_baseline;
    in.model = s.model;
    if (s.input_picture) in.image = *s.input_picture;
    in.labels = s.labels;
    in.model_name = s.model_name();
    // The file's name without its folder ("default.png"); a name that is no path stays as it is.
    in.image_name = std::filesystem::path(s.image_name).filename().string();
    if (in.image_name.empty()) in.image_name = s.image_name;
    in.preprocess = preprocess_mode_name(s.mode);
    return in;
}

}  // namespace vitscope
