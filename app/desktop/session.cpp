#include "session.h"

#include "background_compute.h"
#include "memory_budget.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QThread>
#include <QtConcurrent/QtConcurrentRun>

namespace vitscope {

Session::Session(QObject* parent) : QObject(parent) {
    policy_.set_memory_budget(default_memory_budget_bytes());  // the app asks (memory_decision_needed)
    connect(&watcher_, &QFutureWatcherBase::finished, this, &Session::finish_job);
}

Session::~Session() { watcher_.waitForFinished(); }

void Session::open_model(const QString& path) {
    policy_.open_model(path.toStdString());
    schedule();
}

void Session::set_image(const RgbImage& image, const QString& name) {
    policy_.set_image(std::make_shared<const RgbImage>(image), name.toStdString());
    schedule();
}

void Session::set_options(const AttentionOptions& options) {
    policy_.set_options(options);
    schedule();
}

void Session::set_preprocess_mode(PreprocessMode mode) {
    policy_.set_preprocess_mode(mode);
    schedule();
}

void Session::set_swin_options(const SwinOptions& options) {
    policy_.set_swin_options(options);
    schedule();
}

void Session::toggle_masked_keys(const std::vector<int>& patches) {
    policy_.toggle_masked_keys(patches);
    schedule();
}

void Session::toggle_masked_key(int token) {
    policy_.toggle_masked_key(token);
    schedule();
}

void Session::set_labels(const QStringList& labels) {
    std::vector<std::string> names;
    names.reserve(size_t(labels.size()));
    for (const QString& l : labels) names.push_back(l.toStdString());
    policy_.set_labels(std::move(names));
    labels_ = labels;
    emit trace_changed();
}

void Session::refresh_labels() {
    labels_.clear();
    for (const std::string& l : state().labels) labels_ << QString::fromStdString(l);
}

bool Session::wait_idle(int timeout_ms) {
    QElapsedTimer t;
    t.start();
    while (!policy_.idle()) {
        if (t.elapsed() > timeout_ms) return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        if (busy()) QThread::msleep(2);
    }
    QCoreApplication::processEvents();
    return true;
}

void Session::set_selection(const FigureSelection& selection) {
    policy_.set_selection(selection);
    schedule();
}

void Session::decide_memory(MemoryChoice choice) {
    policy_.decide_memory(choice);
    schedule();  // forgets the announcement: the decision is answered
}

void Session::schedule() {
    std::optional<ComputeJobVariant> job = policy_.next_job();
    if (!policy_.memory_decision()) decision_announced_ = false;  // answered, or dropped by a new model
    if (!job && policy_.memory_decision() && !decision_announced_) {
        decision_announced_ = true;
        emit memory_decision_needed();
    }
    if (!job) return;  // running (finish_job() schedules again), nothing wanted, or a decision waits
    emit busy_changed(true);
    watcher_.setFuture(QtConcurrent::run(
        [job = std::move(*job)]() {
            enter_background_compute();  // below the UI thread (a pooled thread: stays so)
            return std::make_shared<JobResult>(run_job(job));
        }));
}

void Session::finish_job() {
    const std::shared_ptr<JobResult> result = watcher_.result();
    apply(policy_.accept(std::move(*result)));
    schedule();
    if (!busy()) emit busy_changed(false);
}

void Session::apply(const PolicyEvents& ev) {
    if (!ev.error.empty()) emit error(QString::fromStdString(ev.error));
    if (ev.model_changed) {
        refresh_labels();
        emit model_changed();
    }
    if (ev.trace_changed) emit trace_changed();
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
