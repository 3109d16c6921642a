#include "compute_policy.h"

#include "trace_memory.h"

#include <algorithm>

namespace vitscope {

std::string non_finite_message(int64_t count) {
    return "The forward pass gave " + std::to_string(count) +
           " NaN or infinite values (logits or attention) with these options; the previous result stays on "
           "screen. Try the paper's scale and temperature 1.";
}

ComputePolicy::ComputePolicy() : budget_bytes_(kNoMemoryBudget) {}

void ComputePolicy::supersede_running(JobSupersession::Level level) {
    // Only this (the UI) thread raises the level; the worker only reads it.
    if (running_compute_ && running_compute_->level.load() < level) running_compute_->level.store(level);
}

void ComputePolicy::open_model(const std::string& path) {
    pending_load_ = path;
    supersede_running(JobSupersession::NewerOptions);  // shown until the new model loads, unless slow
}

int ComputePolicy::selected_layer() const {
    if (!state_.model) return 0;
    const int layers = state_.model->attention_layers();
    const int l = state_.selection.layer < 0 ? layers + state_.selection.layer : state_.selection.layer;
    return std::clamp(l, 0, std::max(layers - 1, 0));
}

void ComputePolicy::apply_keep(AttentionOptions& o) const {
    o.keep_all_layers = keep_ != Keep::VisibleLayer;
    o.kept_layers.clear();
    if (keep_ == Keep::VisibleLayer) o.kept_layers = {selected_layer()};
}

int64_t ComputePolicy::estimated_pass_bytes(const AttentionOptions& o) const {
    if (!state_.model || !state_.image) return 0;
    const LoadedModel& m = *state_.model;
    const PreprocessConfig cfg = preprocess_config(m);
    const int threads = engine_threads();
    // The paper-default baseline is a second trace when the options differ from the paper's.
    if (m.swin) {
        const int64_t one = estimate_trace_bytes(*m.swin, cfg.height, cfg.width, o, state_.swin_options, threads).total();
        return swin_paper_default(o, state_.swin_options) ? one : 2 * one;
    }
    const int64_t one = estimate_trace_bytes(*m.vit, cfg.height, cfg.width, o, threads).total();
    return o.is_paper_default() ? one : 2 * one;
}

int64_t ComputePolicy::estimated_pass_bytes() const { return estimated_pass_bytes(state_.options); }

void ComputePolicy::set_selection(const FigureSelection& selection) {
    state_.selection = selection;
    if (keep_ != Keep::VisibleLayer) return;
    AttentionOptions o = state_.options;
    apply_keep(o);
    if (o.kept_layers != state_.options.kept_layers) set_options(o);  // compute the newly shown layer
}

void ComputePolicy::decide_memory(MemoryChoice choice) {
    if (!decision_) return;
    decision_.reset();
    switch (choice) {
    case MemoryChoice::KeepEverything: keep_ = Keep::Everything; break;
    case MemoryChoice::VisibleLayerOnly: keep_ = Keep::VisibleLayer; break;
    case MemoryChoice::Cancel: compute_dirty_ = false; return;  // asked again at the next request
    }
    apply_keep(state_.options);
}

void ComputePolicy::set_image(std::shared_ptr<const RgbImage> image, const std::string& name) {
    state_.image = std::move(image);
    state_.image_name = name;
    compute_dirty_ = true;
    supersede_running(JobSupersession::NewerInput);
}

void ComputePolicy::set_options(const AttentionOptions& options) {
    state_.options = options;
    apply_keep(state_.options);
    compute_dirty_ = true;
    supersede_running(JobSupersession::NewerOptions);
}

void ComputePolicy::set_preprocess_mode(PreprocessMode mode) {
    state_.mode = mode;
    compute_dirty_ = true;
    supersede_running(JobSupersession::NewerInput);
}

void ComputePolicy::set_swin_options(const SwinOptions& options) {
    state_.swin_options = options;
    compute_dirty_ = true;
    supersede_running(JobSupersession::NewerOptions);
}

void ComputePolicy::toggle_masked_key(int token) { toggle_masked_keys({token}); }

void ComputePolicy::toggle_masked_keys(const std::vector<int>& keys) {
    if (keys.empty()) return;
    AttentionOptions o = state_.options;
    auto has = [&](int k) { return std::find(o.masked_keys.begin(), o.masked_keys.end(), k) != o.masked_keys.end(); };
    const bool all = std::all_of(keys.begin(), keys.end(), has);
    for (int k : keys) {
        if (all)
            o.masked_keys.erase(std::find(o.masked_keys.begin(), o.masked_keys.end(), k));
        else if (!has(k))
            o.masked_keys.push_back(k);
    }
    std::sort(o.masked_keys.begin(), o.masked_keys.end());
    set_options(o);
}

void ComputePolicy::set_labels(std::vector<std::string> labels) { state_.labels = std::move(labels); }

bool ComputePolicy::pending() const {
    return pending_load_.has_value() || (compute_dirty_ && state_.model && state_.image && !decision_);
}

ComputeJob ComputePolicy::make_compute_job() const {
    ComputeJob job;
    job.model = state_.model;
    job.image = state_.image;
    job.mode = state_.mode;
    job.options = state_.options;
    job.swin_options = state_.swin_options;
    const bool same_input = state_.input && state_.input_source == state_.image && state_.input_mode == state_.mode;
    if (same_input) {
        job.input = state_.input;
        job.base = state_.trace;
        job.baseline = state_.baseline;
        job.swin_base = state_.swin_trace;
        job.swin_baseline = state_.swin_baseline;
    }
    return job;
}

std::optional<ComputeJobVariant> ComputePolicy::next_job() {
    if (running()) return std::nullopt;  // accept() comes first
    if (pending_load_) {
        LoadJob job{*pending_load_};
        pending_load_.reset();
        running_ = Running::Load;
        return ComputeJobVariant{std::move(job)};
    }
    if (compute_dirty_ && state_.model && state_.image && !decision_) {
        if (keep_ == Keep::Undecided) {
            const int64_t bytes = estimated_pass_bytes();
            if (bytes > budget_bytes_) {  // ask first (memory_decision()); nothing runs until decide_memory()
                AttentionOptions visible = state_.options;
                visible.keep_all_layers = false;
                visible.kept_layers = {selected_layer()};
                decision_ = MemoryDecision{bytes, budget_bytes_, estimated_pass_bytes(visible),
                                           state_.model->attention_layers()};
                return std::nullopt;
            }
        }
        compute_dirty_ = false;
        running_ = Running::Compute;
        ComputeJob job = make_compute_job();
        running_compute_ = std::make_shared<JobSupersession>();
        running_compute_->cancel_after_ms = cancel_after_ms_;
        job.superseded = running_compute_;
        return ComputeJobVariant{std::move(job)};
    }
    return std::nullopt;
}

PolicyEvents ComputePolicy::accept(JobResult result) {
    running_ = Running::None;
    running_compute_.reset();
    if (auto* load = std::get_if<LoadResult>(&result)) return accept_load(std::move(*load));
    return accept_compute(std::move(std::get<ComputeResult>(result)));
}

PolicyEvents ComputePolicy::accept_load(LoadResult r) {
    PolicyEvents ev;
    if (!r.model) {
        ev.error = r.error;  // the previous model stays in place
        return ev;
    }
    WorkspaceState& s = state_;
    s.model = r.model;
    s.model_path = r.path;
    s.labels = std::move(r.labels);
    s.options = AttentionOptions{};  // masks and head lists refer to the old model's tokens
    keep_ = Keep::Undecided;         // the memory question is asked again for the new model
    decision_.reset();
    s.swin_options = SwinOptions{};
    s.input.reset();
    s.input_source.reset();
    s.input_picture.reset();
    s.trace.reset();
    s.baseline.reset();
    s.swin_trace.reset();
    s.swin_baseline.reset();
    compute_dirty_ = true;
    ev.model_changed = true;
    return ev;
}

PolicyEvents ComputePolicy::accept_compute(ComputeResult r) {
    PolicyEvents ev;
    WorkspaceState& s = state_;
    if (r.cancelled) {  // a newer request stopped it; compute toward the latest wish next
        ev.cancelled = true;
        ++counters_.cancelled_jobs;
        compute_dirty_ = true;
        return ev;
    }
    if (r.model != s.model || r.image != s.image || r.mode != s.mode) {
        // A newer model, image or preprocessing was asked for meanwhile: this describes nothing wanted.
        ev.dropped = true;
        ++counters_.dropped_results;
        return ev;
    }
    if (!r.error.empty()) {
        ev.error = r.error;
        return ev;
    }
    const int64_t bad = r.trace ? r.trace->non_finite_values() : r.swin_trace ? r.swin_trace->non_finite_values() : 0;
    if (bad) {
        ev.error = non_finite_message(bad);  // nothing non-finite reaches the screen
        return ev;
    }
    if (r.input != s.input) {
        s.input = r.input;
        s.input_source = r.image;
        s.input_mode = r.mode;
        s.input_picture = r.input_picture;
    }
    s.trace = r.trace;
    s.baseline = r.baseline;
    s.swin_trace = r.swin_trace;
    s.swin_baseline = r.swin_baseline;
    counters_.last_ms = r.ms;
    counters_.last_full = r.full;
    counters_.last_layers = r.layers_computed;
    counters_.last_from = r.from;
    if (r.full)
        ++counters_.forward_passes;
    else
        ++counters_.partial_recomputes;
    if (r.baseline_pass) ++counters_.baseline_passes;
    ev.trace_changed = true;
    return ev;
}

}  // namespace vitscope
