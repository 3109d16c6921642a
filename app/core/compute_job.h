// The work a front end hands to its worker thread, as plain data: read a model, or compute the
// traces for a model, an image and options. run_job() does it on any thread and never throws; the
// result goes back to ComputePolicy::accept() on the front end's own thread.
#pragma once

#include "model_loader.h"
#include "preprocess.h"
#include "swin_forward.h"
#include "vit_forward.h"
#include "draw_list.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace vitscope {

struct LoadJob {
    std::string path;
};

// How far newer requests have overtaken a running compute job: ComputePolicy raises it (UI thread),
// the job reads it before each layer (worker thread) and stops with ComputeResult::cancelled.
struct JobSupersession {
    enum Level { Wanted = 0, NewerOptions = 1, NewerInput = 2 };
    std::atomic<int> level{Wanted};
    // NewerOptions stops a pass only once it has run this long: a quick pass still finishes and is
    // shown while a slider drag goes on; a slow one (a large input, a big model) gives way at once.
    double cancel_after_ms = 100;
};

// Compute toward the request's options: update `base` from the first changed layer when it is at
// hand (same input), else a full forward; the paper-default baseline is reused when one is at hand.
struct ComputeJob {
    std::shared_ptr<const LoadedModel> model;
    std::shared_ptr<const RgbImage> image;
    PreprocessMode mode = PreprocessMode::Crop;
    AttentionOptions options;
    SwinOptions swin_options;
    std::shared_ptr<const ModelInput> input;     // reusable input, or null (preprocess first)
    std::shared_ptr<const ViTTrace> base;        // trace to update (copied), or null
    std::shared_ptr<const ViTTrace> baseline;    // cached paper-default trace, or null
    std::shared_ptr<const SwinTrace> swin_base;  // the same for Swin
    std::shared_ptr<const SwinTrace> swin_baseline;
    std::shared_ptr<const JobSupersession> superseded;  // or null: never cancelled
};

using ComputeJobVariant = std::variant<LoadJob, ComputeJob>;

struct LoadResult {
    std::string path;
    std::shared_ptr<const LoadedModel> model;  // null on error
    std::vector<std::string> labels;           // class_labels_for(model, the default assets).names
    std::string error;
};

struct ComputeResult {
    std::shared_ptr<const LoadedModel> model;
    std::shared_ptr<const RgbImage> image;
    PreprocessMode mode = PreprocessMode::Crop;
    std::shared_ptr<const ModelInput> input;
    std::shared_ptr<const FigureImage> input_picture;  // set when the input is new
    std::shared_ptr<const ViTTrace> trace, baseline;
    std::shared_ptr<const SwinTrace> swin_trace, swin_baseline;
    bool full = true;            // a full forward (else a partial recompute)
    bool baseline_pass = false;  // the baseline needed its own forward
    int layers_computed = 0;
    int from = 0;                // first layer/block recomputed
    double ms = 0;
    bool cancelled = false;      // stopped between two layers by a newer request (nothing else is set)
    std::string error;
};

using JobResult = std::variant<LoadResult, ComputeResult>;

// Runs the job (any thread). Errors are returned in the result's `error`, never thrown.
JobResult run_job(const ComputeJobVariant& job);
LoadResult run_load(const LoadJob& job);
ComputeResult run_compute(const ComputeJob& job);

}  // namespace vitscope
