#include "session.h"

#include "input_picture.h"

#include "class_labels.h"
#include "default_assets.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QThread>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace vitscope {

struct Session::LoadResult {
    QString path;
    std::shared_ptr<const LoadedModel> model;
    QString error;
};

struct Session::ComputeRequest {
    std::shared_ptr<const LoadedModel> model;
    std::shared_ptr<const RgbImage> image;
    PreprocessMode mode = PreprocessMode::Crop;
    AttentionOptions options;
    SwinOptions swin_options;
    std::shared_ptr<const ModelInput> input;     // reusable input, or null
    std::shared_ptr<const ViTTrace> base;        // trace to update in place (copy), or null
    std::shared_ptr<const ViTTrace> baseline;    // cached paper-default trace, or null
    std::shared_ptr<const SwinTrace> swin_base;  // the same for Swin
    std::shared_ptr<const SwinTrace> swin_baseline;
};

struct Session::ComputeResult {
    std::shared_ptr<const LoadedModel> model;
    std::shared_ptr<const RgbImage> image;
    PreprocessMode mode = PreprocessMode::Crop;
    std::shared_ptr<const ModelInput> input;
    std::shared_ptr<const FigureImage> input_picture;  // set when the input is new
    std::shared_ptr<const ViTTrace> trace, baseline;
    std::shared_ptr<const SwinTrace> swin_trace, swin_baseline;
    bool full = true;
    bool baseline_pass = false;
    int layers_computed = 0;
    int from = 0;  // first layer/block recomputed
    double ms = 0;
    QString error;
};

namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

bool swin_paper_default(const AttentionOptions& o, const SwinOptions& so) {
    return o.is_paper_default() && so == SwinOptions{};
}

}  // namespace

Session::Session(QObject* parent) : QObject(parent) {
    connect(&load_watcher_, &QFutureWatcherBase::finished, this, &Session::finish_load);
    connect(&compute_watcher_, &QFutureWatcherBase::finished, this, &Session::finish_compute);
}

Session::~Session() {
    load_watcher_.waitForFinished();
    compute_watcher_.waitForFinished();
}

QString Session::model_name() const {
    return model_ ? QString::fromStdString(model_->info().name) : QString();
}

void Session::open_model(const QString& path) {
    pending_load_ = path;
    schedule();
}

void Session::set_image(const RgbImage& image, const QString& name) {
    image_ = std::make_shared<const RgbImage>(image);
    image_name_ = name;
    compute_dirty_ = true;
    schedule();
}

void Session::set_options(const AttentionOptions& options) {
    options_ = options;
    compute_dirty_ = true;
    schedule();
}

void Session::set_preprocess_mode(PreprocessMode mode) {
    mode_ = mode;
    compute_dirty_ = true;
    schedule();
}

void Session::set_swin_options(const SwinOptions& options) {
    swin_options_ = options;
    compute_dirty_ = true;
    schedule();
}

const RowVector* Session::logits() const {
    if (trace_) return &trace_->logits;
    if (swin_trace_) return &swin_trace_->logits;
    return nullptr;
}

const RowVector* Session::baseline_logits() const {
    if (trace_) return baseline_ ? &baseline_->logits : nullptr;
    if (swin_trace_) return swin_baseline_ ? &swin_baseline_->logits : nullptr;
    return nullptr;
}

bool Session::paper_default() const {
    if (trace_) return trace_->options.is_paper_default();
    if (swin_trace_) return swin_paper_default(swin_trace_->options, swin_trace_->swin_options);
    return true;
}

void Session::toggle_masked_keys(const std::vector<int>& patches) {
    if (patches.empty()) return;
    AttentionOptions o = options_;
    auto has = [&](int k) { return std::find(o.masked_keys.begin(), o.masked_keys.end(), k) != o.masked_keys.end(); };
    const bool all = std::all_of(patches.begin(), patches.end(), has);
    for (int k : patches) {
        if (all)
            o.masked_keys.erase(std::find(o.masked_keys.begin(), o.masked_keys.end(), k));
        else if (!has(k))
            o.masked_keys.push_back(k);
    }
    std::sort(o.masked_keys.begin(), o.masked_keys.end());
    set_options(o);
}

void Session::toggle_masked_key(int token) { toggle_masked_keys({token}); }

bool Session::wait_idle(int timeout_ms) {
    QElapsedTimer t;
    t.start();
    while (busy() || pending_load_ || (compute_dirty_ && model_ && image_)) {
        if (t.elapsed() > timeout_ms) return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        if (busy()) QThread::msleep(2);
    }
    QCoreApplication::processEvents();
    return true;
}

void Session::schedule() {
    if (running_ != Job::None) return;  // the finish handler calls schedule() again
    if (pending_load_) {
        const QString path = *pending_load_;
        pending_load_.reset();
        start_load(path);
    } else if (compute_dirty_ && model_ && image_) {
        compute_dirty_ = false;
        start_compute();
    }
}

void Session::start_load(const QString& path) {
    running_ = Job::Load;
    emit busy_changed(true);
    load_watcher_.setFuture(QtConcurrent::run([path]() {
        auto r = std::make_shared<LoadResult>();
        r->path = path;
        try {
            LoadedModel m = load_model(path.toStdString());
            if (!m.vit && !m.swin)
                throw std::runtime_error(path.toStdString() + ": " + m.info().architecture +
                                         " models are not supported by the desktop app yet");
            r->model = std::make_shared<const LoadedModel>(std::move(m));
        } catch (const std::exception& e) {
            r->error = QString::fromStdString(e.what());
        }
        return r;
    }));
}

void Session::finish_load() {
    const std::shared_ptr<LoadResult> r = load_watcher_.result();
    running_ = Job::None;
    if (!r->model) {
        emit error(r->error);  // the previous model stays in place
    } else {
        model_ = r->model;
        model_path_ = r->path;
        labels_ = find_labels(*model_, r->path);
        options_ = AttentionOptions{};  // masks and head lists refer to the old model's tokens
        swin_options_ = SwinOptions{};
        input_.reset();
        input_source_.reset();
        trace_.reset();
        baseline_.reset();
        swin_trace_.reset();
        swin_baseline_.reset();
        compute_dirty_ = true;
        emit model_changed();
    }
    schedule();
    if (!busy()) emit busy_changed(false);
}

void Session::start_compute() {
    auto req = std::make_shared<ComputeRequest>();
    req->model = model_;
    req->image = image_;
    req->mode = mode_;
    req->options = options_;
    req->swin_options = swin_options_;
    const bool same_input = input_ && input_source_ == image_ && input_mode_ == mode_;
    if (same_input) {
        req->input = input_;
        req->base = trace_;
        req->baseline = baseline_;
        req->swin_base = swin_trace_;
        req->swin_baseline = swin_baseline_;
    }
    computing_for_ = model_;
    running_ = Job::Compute;
    emit busy_changed(true);
    compute_watcher_.setFuture(QtConcurrent::run([req]() {
        auto r = std::make_shared<ComputeResult>();
        r->model = req->model;
        r->image = req->image;
        r->mode = req->mode;
        try {
            const LoadedModel& lm = *req->model;
            r->input = req->input;
            if (!r->input) {
                r->input = std::make_shared<const ModelInput>(preprocess(*req->image, req->mode, preprocess_config(lm)));
                r->input_picture = std::make_shared<const FigureImage>(
                    vitscope::input_picture(*r->input, lm.info().mean, lm.info().std));
            }
            if (lm.swin)
                compute_swin(*lm.swin, *req, *r);
            else
                compute_vit(*lm.vit, *req, *r);
        } catch (const std::exception& e) {
            r->error = QString::fromStdString(e.what());
        }
        return r;
    }));
}

// Worker thread: update the cached trace in place when there is one, else a full forward; the
// paper-default baseline is reused whenever one is at hand.
void Session::compute_vit(const ViTModel& vm, const ComputeRequest& req, ComputeResult& r) {
    const auto t0 = std::chrono::steady_clock::now();
    auto t = req.base ? std::make_shared<ViTTrace>(*req.base) : std::make_shared<ViTTrace>();
    if (req.base) {
        r.from = vit_update_options(vm, req.options, *t);
        r.full = false;
    } else {
        vit_forward(vm, *r.input, req.options, *t);
        r.full = true;
    }
    r.ms = ms_since(t0);
    r.layers_computed = t->layers_computed;
    r.trace = t;
    if (req.options.is_paper_default()) {
        r.baseline = t;
    } else if (req.baseline) {
        r.baseline = req.baseline;
    } else if (req.base && req.base->options.is_paper_default()) {
        r.baseline = req.base;
    } else {
        auto b = std::make_shared<ViTTrace>();
        vit_forward(vm, *r.input, AttentionOptions{}, *b);
        r.baseline = b;
        r.baseline_pass = true;
    }
}

void Session::compute_swin(const SwinModel& sm, const ComputeRequest& req, ComputeResult& r) {
    const auto t0 = std::chrono::steady_clock::now();
    auto t = req.swin_base ? std::make_shared<SwinTrace>(*req.swin_base) : std::make_shared<SwinTrace>();
    if (req.swin_base) {
        r.from = swin_update_options(sm, req.options, req.swin_options, *t);
        r.full = false;
    } else {
        swin_forward(sm, *r.input, req.options, req.swin_options, *t);
        r.full = true;
    }
    r.ms = ms_since(t0);
    r.layers_computed = t->layers_computed;
    r.swin_trace = t;
    if (swin_paper_default(req.options, req.swin_options)) {
        r.swin_baseline = t;
    } else if (req.swin_baseline) {
        r.swin_baseline = req.swin_baseline;
    } else if (req.swin_base && swin_paper_default(req.swin_base->options, req.swin_base->swin_options)) {
        r.swin_baseline = req.swin_base;
    } else {
        auto b = std::make_shared<SwinTrace>();
        swin_forward(sm, *r.input, AttentionOptions{}, SwinOptions{}, *b);
        r.swin_baseline = b;
        r.baseline_pass = true;
    }
}

void Session::finish_compute() {
    const std::shared_ptr<ComputeResult> r = compute_watcher_.result();
    running_ = Job::None;
    if (r->model != model_) {
        // A newer model arrived meanwhile: the result describes nothing on screen.
    } else if (!r->error.isEmpty()) {
        emit error(r->error);
    } else if (const int64_t bad = r->trace ? r->trace->non_finite_values()
                                            : r->swin_trace ? r->swin_trace->non_finite_values() : 0) {
        // Nothing non-finite reaches the screen: the previous result stays, with the reason.
        emit error(tr("The forward pass gave %1 NaN or infinite values (logits or attention) with these options; "
                      "the previous result stays on screen. Try the paper's scale and temperature 1.")
                       .arg(bad));
    } else {
        if (r->input != input_) {
            input_ = r->input;
            input_source_ = r->image;
            input_mode_ = r->mode;
            input_picture_ = r->input_picture;
        }
        trace_ = r->trace;
        baseline_ = r->baseline;
        swin_trace_ = r->swin_trace;
        swin_baseline_ = r->swin_baseline;
        last_ms_ = r->ms;
        last_full_ = r->full;
        last_layers_ = r->layers_computed;
        last_from_ = r->from;
        if (r->full)
            ++forward_passes_;
        else
            ++partial_recomputes_;
        if (r->baseline_pass) ++baseline_passes_;
        emit trace_changed();
    }
    schedule();
    if (!busy()) emit busy_changed(false);
}

void Session::set_labels(const QStringList& labels) {
    labels_ = labels;
    emit trace_changed();
}

QStringList Session::find_labels(const LoadedModel& m, const QString& /*path*/) const {
    QStringList out;
    try {  // the model's id2label, else the built-in ImageNet-1k names for 1000 classes
        for (const std::string& s : class_labels_for(m, default_assets_dir().toStdString()).names)
            out << QString::fromStdString(s);
    } catch (const FileError&) {  // no built-in list (a broken install): classes show as numbers
    }
    return out;
}

RgbImage generated_gradient_image(int width, int height) {
    RgbImage img;
    img.width = width;
    img.height = height;
    img.pixels.resize(size_t(width) * height * 3);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            const float u = float(x) / float(width - 1), v = float(y) / float(height - 1);
            float r = u, g = v, b = 1.0f - 0.5f * (u + v);
            // A bright disc and a dark square give attention something to find.
            const float dx = u - 0.65f, dy = v - 0.35f;
            if (dx * dx + dy * dy < 0.03f) r = g = b = 0.95f;
            if (u > 0.15f && u < 0.4f && v > 0.6f && v < 0.85f) r = g = b = 0.05f;
            float* p = &img.pixels[(size_t(y) * width + x) * 3];
            p[0] = r;
            p[1] = g;
            p[2] = b;
        }
    return img;
}

}  // namespace vitscope
