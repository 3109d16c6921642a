// The one door between the Qt UI and the engine: a thin asynchronous shim over the Qt-free
// ComputePolicy (app/core/compute_policy.h), which decides what is computed (latest request wins,
// partial recompute from the first changed layer, the paper-default baseline kept) and holds the
// workspace state. The session runs the policy's jobs on a worker thread (QFutureWatcher), hands
// the results back on the UI thread and turns what they changed into signals.
// A model is either of the ViT family (trace()) or Swin (swin_trace()); exactly one of the two traces
// is set once computed. Swin keeps its own switches (SwinOptions) beside the AttentionOptions.
#pragma once

#include "compute_policy.h"
#include "draw_list.h"
#include "model_loader.h"
#include "preprocess.h"
#include "swin_forward.h"
#include "vit_forward.h"

#include <QFutureWatcher>
#include <QImage>
#include <QObject>
#include <QString>

#include <memory>
#include <optional>

namespace vitscope {

class Session : public QObject {
    Q_OBJECT
public:
    explicit Session(QObject* parent = nullptr);
    ~Session() override;  // waits for a running job

    // Requests (return at once; results arrive through the signals).
    void open_model(const QString& path);
    void set_image(const RgbImage& image, const QString& name);
    void set_options(const AttentionOptions& options);
    void set_preprocess_mode(PreprocessMode mode);
    void set_swin_options(const SwinOptions& options);
    // Adds or removes one key from the user mask (ViT: a token; Swin: a stage-0 patch).
    void toggle_masked_key(int token);
    // Masks every key of `keys` unless all are masked already, then unmasks them all (a Swin token of
    // a later stage covers several stage-0 patches: AttentionSource::mask_units).
    void toggle_masked_keys(const std::vector<int>& keys);
    // Class names for the predictions (File > Open Labels…): replaces the model's own; emits
    // trace_changed so the panels redraw. Kept until another model loads.
    void set_labels(const QStringList& labels);
    // What the user looks at (layer/head/query, colours): kept in the core's workspace state beside
    // the options, as the lab keeps it; changing them computes nothing (ViewSettings signals views).
    // In "visible layer only" memory mode, a layer whose attention was not kept is computed.
    void set_selection(const FigureSelection& selection);
    void set_style(const FigureStyle& style) { policy_.set_style(style); }

    // State (UI thread).
    const WorkspaceState& state() const { return policy_.state(); }
    std::shared_ptr<const LoadedModel> model() const { return state().model; }
    QString model_path() const { return QString::fromStdString(state().model_path); }
    QString model_name() const { return QString::fromStdString(state().model_name()); }
    QString image_name() const { return QString::fromStdString(state().image_name); }
    const AttentionOptions& options() const { return state().options; }
    const SwinOptions& swin_options() const { return state().swin_options; }
    bool is_swin() const { return state().is_swin(); }
    PreprocessMode preprocess_mode() const { return state().mode; }
    std::shared_ptr<const ViTTrace> trace() const { return state().trace; }
    // The trace under the paper's default options for the same input (== trace() when those apply).
    std::shared_ptr<const ViTTrace> baseline() const { return state().baseline; }
    // Swin: the trace, and the one under the paper's options (all AttentionOptions and SwinOptions
    // defaults). Null for ViT models.
    std::shared_ptr<const SwinTrace> swin_trace() const { return state().swin_trace; }
    std::shared_ptr<const SwinTrace> swin_baseline() const { return state().swin_baseline; }
    bool has_trace() const { return state().has_trace(); }
    const RowVector* logits() const { return state().logits(); }                    // null without a trace
    const RowVector* baseline_logits() const { return state().baseline_logits(); }  // of the paper-default trace
    bool paper_default() const { return state().paper_default(); }  // the current trace uses the paper's options
    std::shared_ptr<const ModelInput> input() const { return state().input; }
    // The model's input, de-normalised, as a figure picture (made once per input).
    std::shared_ptr<const FigureImage> input_picture() const { return state().input_picture; }
    QStringList labels() const { return labels_; }
    bool busy() const { return policy_.running(); }
    bool loading() const { return policy_.loading(); }  // a model is being read

    // Counters for the status bar and tests.
    int forward_passes() const { return policy_.counters().forward_passes; }          // full forwards for trace()
    int partial_recomputes() const { return policy_.counters().partial_recomputes; }  // vit/swin_update_options runs
    int last_recompute_from() const { return policy_.counters().last_from; }  // first layer/block the last partial run redid
    int baseline_passes() const { return policy_.counters().baseline_passes; }
    double last_compute_ms() const { return policy_.counters().last_ms; }
    bool last_was_full() const { return policy_.counters().last_full; }
    int last_layers_computed() const { return policy_.counters().last_layers; }

    // The memory budget: a pass whose traces would exceed it waits (memory_decision_needed) for
    // decide_memory(); see ComputePolicy.
    const std::optional<MemoryDecision>& memory_decision() const { return policy_.memory_decision(); }
    void decide_memory(MemoryChoice choice);
    bool visible_layer_only() const { return policy_.visible_layer_only(); }
    void set_memory_budget(int64_t bytes) { policy_.set_memory_budget(bytes); }
    int64_t memory_budget() const { return policy_.memory_budget(); }

    // Processes events until no job is running or pending (tests, start-up); false on timeout.
    bool wait_idle(int timeout_ms = 60000);

signals:
    void model_changed();      // a new model is in place (trace() is null until computed)
    void trace_changed();      // trace(), baseline(), input() changed
    void error(const QString& message);
    void busy_changed(bool busy);
    void memory_decision_needed();  // memory_decision() is set: ask the user, then decide_memory()

private:
    void schedule();    // starts the policy's next job when the worker is free
    void finish_job();  // the worker's result back to the policy, and the signals it calls for
    void apply(const PolicyEvents& events);
    void refresh_labels();

    ComputePolicy policy_;
    QStringList labels_;  // state().labels as QStrings (the panels ask often)
    QFutureWatcher<std::shared_ptr<JobResult>> watcher_;
    bool decision_announced_ = false;  // memory_decision_needed emitted for the current decision
};

// A generated test card (colour gradient with shapes) for when no image is available.
RgbImage generated_gradient_image(int width = 224, int height = 224);

}  // namespace vitscope
