#include "compute_job.h"

#include "class_labels.h"
#include "default_asset_paths.h"
#include "forward_cancel.h"
#include "input_picture.h"
#include "workspace_state.h"

#include <chrono>
#include <stdexcept>

namespace vitscope {

namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// The paper's options keeping the same layers' attention as `options` (the baseline takes no more
// memory than the trace it is compared with).
AttentionOptions paper_keeping_as(const AttentionOptions& options) {
    AttentionOptions paper;
    paper.keep_all_layers = options.keep_all_layers;
    paper.kept_layers = options.kept_layers;
    return paper;
}

// Whether a trace computed with `have` holds every layer's attention `want` asks for.
bool keeps_what(const AttentionOptions& have, const AttentionOptions& want, int layers) {
    for (int l = 0; l < layers; ++l)
        if (want.keeps_layer(l) && !have.keeps_layer(l)) return false;
    return true;
}

void compute_vit(const ViTModel& vm, const ComputeJob& job, ComputeResult& r) {
    const auto t0 = std::chrono::steady_clock::now();
    auto t = job.base ? std::make_shared<ViTTrace>(*job.base) : std::make_shared<ViTTrace>();
    if (job.base) {
        r.from = vit_update_options(vm, job.options, *t);
        r.full = false;
    } else {
        vit_forward(vm, *r.input, job.options, *t);
        r.full = true;
    }
    r.ms = ms_since(t0);
    r.layers_computed = t->layers_computed;
    r.trace = t;
    const int L = vm.hp.depth;
    const auto usable = [&](const std::shared_ptr<const ViTTrace>& b) {
        return b && b->options.is_paper_default() && keeps_what(b->options, job.options, L);
    };
    if (job.options.is_paper_default()) {
        r.baseline = t;
    } else if (usable(job.baseline)) {
        r.baseline = job.baseline;
    } else if (usable(job.base)) {
        r.baseline = job.base;
    } else if (job.baseline) {  // the paper's trace, lacking a layer now kept: recompute from it
        auto b = std::make_shared<ViTTrace>(*job.baseline);
        vit_update_options(vm, paper_keeping_as(job.options), *b);
        r.baseline = b;
        r.baseline_pass = true;
    } else {
        auto b = std::make_shared<ViTTrace>();
        vit_forward(vm, *r.input, paper_keeping_as(job.options), *b);
        r.baseline = b;
        r.baseline_pass = true;
    }
}

void compute_swin(const SwinModel& sm, const ComputeJob& job, ComputeResult& r) {
    const auto t0 = std::chrono::steady_clock::now();
    auto t = job.swin_base ? std::make_shared<SwinTrace>(*job.swin_base) : std::make_shared<SwinTrace>();
    if (job.swin_base) {
        r.from = swin_update_options(sm, job.options, job.swin_options, *t);
        r.full = false;
    } else {
        swin_forward(sm, *r.input, job.options, job.swin_options, *t);
        r.full = true;
    }
    r.ms = ms_since(t0);
    r.layers_computed = t->layers_computed;
    r.swin_trace = t;
    const int L = sm.hp.total_blocks();
    const auto usable = [&](const std::shared_ptr<const SwinTrace>& b) {
        return b && swin_paper_default(b->options, b->swin_options) && keeps_what(b->options, job.options, L);
    };
    if (swin_paper_default(job.options, job.swin_options)) {
        r.swin_baseline = t;
    } else if (usable(job.swin_baseline)) {
        r.swin_baseline = job.swin_baseline;
    } else if (usable(job.swin_base)) {
        r.swin_baseline = job.swin_base;
    } else if (job.swin_baseline) {  // the paper's trace, lacking a block now kept: recompute from it
        auto b = std::make_shared<SwinTrace>(*job.swin_baseline);
        swin_update_options(sm, paper_keeping_as(job.options), SwinOptions{}, *b);
        r.swin_baseline = b;
        r.baseline_pass = true;
    } else {
        auto b = std::make_shared<SwinTrace>();
        swin_forward(sm, *r.input, paper_keeping_as(job.options), SwinOptions{}, *b);
        r.swin_baseline = b;
        r.baseline_pass = true;
    }
}

}  // namespace

LoadResult run_load(const LoadJob& job) {
    LoadResult r;
    r.path = job.path;
    try {
        LoadedModel m = load_model(job.path);
        if (!m.vit && !m.swin)
            throw std::runtime_error(job.path + ": " + m.info().architecture +
                                     " models are not supported by the viewers yet");
        try {  // the model's id2label, else the built-in ImageNet-1k names for 1000 classes
            r.labels = class_labels_for(m, default_assets_folder()).names;
        } catch (const FileError&) {  // no built-in list (a broken install): classes show as numbers
        }
        r.model = std::make_shared<const LoadedModel>(std::move(m));
    } catch (const std::exception& e) {
        r.error = e.what();
    }
    return r;
}

ComputeResult run_compute(const ComputeJob& job) {
    ComputeResult r;
    r.model = job.model;
    r.image = job.image;
    r.mode = job.mode;
    const auto t0 = std::chrono::steady_clock::now();
    ForwardCancelScope cancel([s = job.superseded, t0] {
        if (!s) return false;
        const int level = s->level.load(std::memory_order_relaxed);
        return level >= JobSupersession::NewerInput ||
               (level == JobSupersession::NewerOptions && ms_since(t0) >= s->cancel_after_ms);
    });
    try {
        const LoadedModel& lm = *job.model;
        r.input = job.input;
        if (!r.input) {
            r.input = std::make_shared<const ModelInput>(preprocess(*job.image, job.mode, preprocess_config(lm)));
            r.input_picture =
                std::make_shared<const FigureImage>(input_picture(*r.input, lm.info().mean, lm.info().std));
        }
        if (lm.swin)
            compute_swin(*lm.swin, job, r);
        else
            compute_vit(*lm.vit, job, r);
    } catch (const ForwardCancelled&) {
        ComputeResult cancelled;
        cancelled.model = job.model;
        cancelled.image = job.image;
        cancelled.mode = job.mode;
        cancelled.ms = ms_since(t0);
        cancelled.cancelled = true;
        return cancelled;
    } catch (const std::exception& e) {
        r.error = e.what();
    }
    return r;
}

JobResult run_job(const ComputeJobVariant& job) {
    if (const auto* load = std::get_if<LoadJob>(&job)) return run_load(*load);
    return run_compute(std::get<ComputeJob>(job));
}

}  // namespace vitscope
