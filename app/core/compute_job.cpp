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

// What differs between the architectures: running, updating and judging a trace.
struct ViTOps {
    using Trace = ViTTrace;
    const ViTModel& model;
    int layers() const { return model.hp.depth; }
    bool paper(const AttentionOptions& o, const SwinOptions&) const { return o.is_paper_default(); }
    bool paper(const Trace& t) const { return t.options.is_paper_default(); }
    void forward(const ModelInput& in, const AttentionOptions& o, const SwinOptions&, Trace& t) const {
        vit_forward(model, in, o, t);
    }
    int update(const AttentionOptions& o, const SwinOptions&, Trace& t) const { return vit_update_options(model, o, t); }
};

struct SwinOps {
    using Trace = SwinTrace;
    const SwinModel& model;
    int layers() const { return model.hp.total_blocks(); }
    bool paper(const AttentionOptions& o, const SwinOptions& so) const { return swin_paper_default(o, so); }
    bool paper(const Trace& t) const { return swin_paper_default(t.options, t.swin_options); }
    void forward(const ModelInput& in, const AttentionOptions& o, const SwinOptions& so, Trace& t) const {
        swin_forward(model, in, o, so, t);
    }
    int update(const AttentionOptions& o, const SwinOptions& so, Trace& t) const {
        return swin_update_options(model, o, so, t);
    }
};

// The trace toward the job's options (updated from `base` when at hand, else a full forward) and
// the paper-default baseline beside it (reused when one at hand keeps every layer the trace keeps).
template <class Ops, class Trace = typename Ops::Trace>
void compute_traces(const Ops& ops, const ComputeJob& job, const std::shared_ptr<const Trace>& base,
                    const std::shared_ptr<const Trace>& baseline, ComputeResult& r,
                    std::shared_ptr<const Trace>& trace_out, std::shared_ptr<const Trace>& baseline_out) {
    const auto t0 = std::chrono::steady_clock::now();
    auto t = base ? std::make_shared<Trace>(*base) : std::make_shared<Trace>();
    if (base) {
        r.from = ops.update(job.options, job.swin_options, *t);
        r.full = false;
    } else {
        ops.forward(*r.input, job.options, job.swin_options, *t);
        r.full = true;
    }
    r.ms = ms_since(t0);
    r.layers_computed = t->layers_computed;
    trace_out = t;
    const auto usable = [&](const std::shared_ptr<const Trace>& b) {
        return b && ops.paper(*b) && keeps_what(b->options, job.options, ops.layers());
    };
    if (ops.paper(job.options, job.swin_options)) {
        baseline_out = t;
    } else if (usable(baseline)) {
        baseline_out = baseline;
    } else if (usable(base)) {
        baseline_out = base;
    } else {
        const AttentionOptions paper = paper_keeping_as(job.options);
        auto b = baseline ? std::make_shared<Trace>(*baseline) : std::make_shared<Trace>();
        if (baseline) ops.update(paper, SwinOptions{}, *b);  // the paper's trace, lacking a layer now kept
        else ops.forward(*r.input, paper, SwinOptions{}, *b);
        baseline_out = b;
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
            compute_traces(SwinOps{*lm.swin}, job, job.swin_base, job.swin_baseline, r, r.swin_trace, r.swin_baseline);
        else
            compute_traces(ViTOps{*lm.vit}, job, job.base, job.baseline, r, r.trace, r.baseline);
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
