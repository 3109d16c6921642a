// What must be computed next, and what a result changes: the compute policy of a workspace, without
// threads and without a UI toolkit. A front end drives it from its own event loop:
//
//   requests (open_model, set_options, ...)  -> change the wish at once, never block
//   next_job()                               -> the one job to start now, or nothing (one at a time)
//   run_job(job) on a worker thread          -> a JobResult
//   accept(result) back on the UI thread     -> the new state and what changed
//
// Requests never queue up: only the latest wish is kept, and when the worker is free the policy
// computes toward it. A model load comes before any compute. An option change on the same input
// updates the cached trace from the first layer it touches (vit_update_options /
// swin_update_options); a new image, preprocessing or model computes a full forward. The
// paper-default baseline is kept and computed only when the options differ from the paper's and
// no baseline for this input is at hand.
// A newer request also overtakes the running compute job: a new image or preprocessing stops it
// before its next layer; new options (or a model to load) stop it there once it has run
// cancel_after_ms (default 100 ms), so quick passes still show during a drag while a slow pass gives
// way. A cancelled job changes nothing, and the policy computes toward the latest wish next.
// Before a pass whose traces would exceed the memory budget (estimate_trace_bytes; the baseline
// counts too; a front end that can ask the user sets the budget), the policy starts nothing and asks: memory_decision() is set until the front end
// calls decide_memory() — keep everything anyway, keep attention for the visible layer only (then
// showing another layer computes that layer's attention, recomputing from it), or cancel the pass.
// The choice holds until another model is opened; the policy owns AttentionOptions' keep fields.
// A result is dropped when it was computed for a model or an image that has since been replaced;
// one computed for older options of the same input is kept (it is on screen while the drag goes on,
// and it is the base the next partial recompute starts from), and the latest options follow.
#pragma once

#include "compute_job.h"
#include "workspace_state.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vitscope {

// What accept() changed, for the front end to signal or redraw.
struct PolicyEvents {
    bool model_changed = false;  // a new model is in place (no trace until computed)
    bool trace_changed = false;  // traces, baseline, input changed
    bool dropped = false;        // the result belonged to a replaced model or image
    bool cancelled = false;      // the job was stopped by a newer request
    std::string error;           // a load or compute failed; the previous state stays
};

constexpr int64_t kNoMemoryBudget = INT64_MAX;

// A pass waiting for the user: its traces would take `estimate_bytes`, over `budget_bytes`.
struct MemoryDecision {
    int64_t estimate_bytes = 0;
    int64_t budget_bytes = 0;
    int64_t visible_only_bytes = 0;  // the same pass keeping the visible layer's attention only
    int layers = 0;                  // ViT layers / Swin blocks
};

enum class MemoryChoice {
    KeepEverything,    // compute as asked, whatever the estimate
    VisibleLayerOnly,  // keep attention (and logits) for the selected layer only
    Cancel,            // drop the pass; the previous state stays
};

struct ComputeCounters {
    int forward_passes = 0;      // full forwards for the current options
    int partial_recomputes = 0;  // vit/swin_update_options runs
    int baseline_passes = 0;     // extra forwards for the paper-default baseline
    int dropped_results = 0;
    int cancelled_jobs = 0;      // compute jobs stopped between layers by a newer request
    double last_ms = 0;
    bool last_full = true;
    int last_layers = 0;         // layers (blocks) the last trace holds
    int last_from = 0;           // first layer/block the last partial run redid
};

class ComputePolicy {
public:
    ComputePolicy();
    const WorkspaceState& state() const { return state_; }
    const ComputeCounters& counters() const { return counters_; }

    // Requests.
    void open_model(const std::string& path);
    void set_image(std::shared_ptr<const RgbImage> image, const std::string& name);
    void set_options(const AttentionOptions& options);
    void set_preprocess_mode(PreprocessMode mode);
    void set_swin_options(const SwinOptions& options);
    // Adds or removes one key from the user mask (ViT: a token; Swin: a stage-0 patch).
    void toggle_masked_key(int token);
    // Masks every key of `keys` unless all are masked already, then unmasks them all.
    void toggle_masked_keys(const std::vector<int>& keys);
    // Class names: replace the model's own until another model loads.
    void set_labels(std::vector<std::string> labels);
    // Selection and drawing choices: plain state, nothing to compute.
    // In visible-layer-only mode a selection on a layer whose attention was not kept recomputes it.
    void set_selection(const FigureSelection& selection);
    void set_style(const FigureStyle& style) { state_.style = style; }

    // How long a running pass may go on once newer options are wanted (ms; 0: stop at the next layer).
    void set_cancel_after_ms(double ms) { cancel_after_ms_ = ms; }
    // The memory budget. Default kNoMemoryBudget: a front end that can ask the user sets one
    // (the desktop app: default_memory_budget_bytes()); one that cannot never waits.
    void set_memory_budget(int64_t bytes) { budget_bytes_ = bytes; }
    int64_t memory_budget() const { return budget_bytes_; }
    // Set while a pass waits for decide_memory(); next_job() gives nothing meanwhile.
    const std::optional<MemoryDecision>& memory_decision() const { return decision_; }
    void decide_memory(MemoryChoice choice);
    // Whether attention is kept for the visible layer only (the user chose so).
    bool visible_layer_only() const { return keep_ == Keep::VisibleLayer; }
    // The bytes the traces of a pass with the current request would take (0 without model/image).
    int64_t estimated_pass_bytes() const;

    // The job to start now, or nothing (a job is running, or nothing is wanted). Marks it running.
    std::optional<ComputeJobVariant> next_job();
    // Takes the running job's result; the caller may ask next_job() again afterwards.
    PolicyEvents accept(JobResult result);

    bool running() const { return running_ != Running::None; }
    bool loading() const { return running_ == Running::Load; }
    bool pending() const;  // something is wanted that no running job computes (and no decision blocks)
    bool idle() const { return !running() && !pending(); }

private:
    enum class Running { None, Load, Compute };
    enum class Keep { Undecided, Everything, VisibleLayer };
    int64_t estimated_pass_bytes(const AttentionOptions& options) const;
    int selected_layer() const;  // the selection's layer, clamped to the model's
    void apply_keep(AttentionOptions& options) const;  // the keep fields of the current choice
    PolicyEvents accept_load(LoadResult r);
    PolicyEvents accept_compute(ComputeResult r);
    ComputeJob make_compute_job() const;
    void supersede_running(JobSupersession::Level level);

    WorkspaceState state_;
    ComputeCounters counters_;
    std::optional<std::string> pending_load_;
    bool compute_dirty_ = false;
    Running running_ = Running::None;
    std::shared_ptr<JobSupersession> running_compute_;  // the running compute job's, to overtake it
    double cancel_after_ms_ = 100;
    int64_t budget_bytes_;
    Keep keep_ = Keep::Undecided;
    std::optional<MemoryDecision> decision_;
};

// The message for a trace with non-finite values (shown instead of the trace).
std::string non_finite_message(int64_t count);

}  // namespace vitscope
