// The one door between the UI and the engine. Owns the model, the image, the attention options and
// the cached traces; runs loads and forward passes on a worker thread. Requests never queue up: the
// session keeps only the latest wish (model path, image, options) and, when the worker is free,
// computes toward it; a result for a model that has since been replaced is dropped.
// A model is either of the ViT family (trace()) or Swin (swin_trace()); exactly one of the two traces
// is set once computed. Swin keeps its own switches (SwinOptions) beside the AttentionOptions.
#pragma once

#include "draw_list.h"
#include "model_loader.h"
#include "preprocess.h"
#include "swin_forward.h"
#include "vit_forward.h"

#include <QElapsedTimer>
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

    // State (UI thread).
    std::shared_ptr<const LoadedModel> model() const { return model_; }
    QString model_path() const { return model_path_; }
    QString model_name() const;
    QString image_name() const { return image_name_; }
    const AttentionOptions& options() const { return options_; }
    const SwinOptions& swin_options() const { return swin_options_; }
    bool is_swin() const { return model_ && model_->swin; }
    PreprocessMode preprocess_mode() const { return mode_; }
    std::shared_ptr<const ViTTrace> trace() const { return trace_; }
    // The trace under the paper's default options for the same input (== trace() when those apply).
    std::shared_ptr<const ViTTrace> baseline() const { return baseline_; }
    // Swin: the trace, and the one under the paper's options (all AttentionOptions and SwinOptions
    // defaults). Null for ViT models.
    std::shared_ptr<const SwinTrace> swin_trace() const { return swin_trace_; }
    std::shared_ptr<const SwinTrace> swin_baseline() const { return swin_baseline_; }
    bool has_trace() const { return trace_ || swin_trace_; }
    const RowVector* logits() const;           // of the current trace (null without one)
    const RowVector* baseline_logits() const;  // of the paper-default trace
    bool paper_default() const;                // the current trace uses the paper's options
    std::shared_ptr<const ModelInput> input() const { return input_; }
    // The model's input, de-normalised, as a figure picture (made once per input).
    std::shared_ptr<const FigureImage> input_picture() const { return input_picture_; }
    QStringList labels() const { return labels_; }
    bool busy() const { return running_ != Job::None; }
    bool loading() const { return running_ == Job::Load; }  // a model is being read

    // Counters for the status bar and tests.
    int forward_passes() const { return forward_passes_; }          // full forwards for trace()
    int partial_recomputes() const { return partial_recomputes_; }  // vit/swin_update_options runs
    int last_recompute_from() const { return last_from_; }  // first layer/block the last partial run redid
    int baseline_passes() const { return baseline_passes_; }
    double last_compute_ms() const { return last_ms_; }
    bool last_was_full() const { return last_full_; }
    int last_layers_computed() const { return last_layers_; }

    // Processes events until no job is running or pending (tests, start-up); false on timeout.
    bool wait_idle(int timeout_ms = 60000);

signals:
    void model_changed();      // a new model is in place (trace() is null until computed)
    void trace_changed();      // trace(), baseline(), input() changed
    void error(const QString& message);
    void busy_changed(bool busy);

private:
    enum class Job { None, Load, Compute };
    struct LoadResult;
    struct ComputeRequest;
    struct ComputeResult;

    void schedule();
    void start_load(const QString& path);
    void start_compute();
    void finish_load();
    void finish_compute();
    static void compute_vit(const ViTModel& model, const ComputeRequest& req, ComputeResult& r);
    static void compute_swin(const SwinModel& model, const ComputeRequest& req, ComputeResult& r);
    QStringList find_labels(const LoadedModel& m, const QString& path) const;

    std::shared_ptr<const LoadedModel> model_;
    QString model_path_;
    QStringList labels_;
    std::shared_ptr<const RgbImage> image_;
    QString image_name_;
    PreprocessMode mode_ = PreprocessMode::Crop;
    AttentionOptions options_;

    std::shared_ptr<const ModelInput> input_;
    std::shared_ptr<const RgbImage> input_source_;  // the image input_ came from
    PreprocessMode input_mode_ = PreprocessMode::Crop;
    std::shared_ptr<const FigureImage> input_picture_;
    std::shared_ptr<const ViTTrace> trace_;
    std::shared_ptr<const ViTTrace> baseline_;
    SwinOptions swin_options_;
    std::shared_ptr<const SwinTrace> swin_trace_;
    std::shared_ptr<const SwinTrace> swin_baseline_;

    std::optional<QString> pending_load_;
    bool compute_dirty_ = false;
    Job running_ = Job::None;
    QFutureWatcher<std::shared_ptr<LoadResult>> load_watcher_;
    QFutureWatcher<std::shared_ptr<ComputeResult>> compute_watcher_;
    std::shared_ptr<const LoadedModel> computing_for_;

    int forward_passes_ = 0, partial_recomputes_ = 0, baseline_passes_ = 0;
    double last_ms_ = 0;
    bool last_full_ = true;
    int last_layers_ = 0;
    int last_from_ = 0;
};

// A generated test card (colour gradient with shapes) for when no image is available.
RgbImage generated_gradient_image(int width = 224, int height = 224);

}  // namespace vitscope
