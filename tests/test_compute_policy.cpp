// The Qt-free core's compute policy (app/core/compute_policy.h) without any GUI or thread: jobs are
// run inline, in the order a front end's worker would run them. Partial recompute from the first
// changed layer, the paper-default baseline kept, the latest request wins; and the small core
// helpers (class labels, asset paths, image limits). On the committed models in assets/models.
#include "test_support.h"

#include "class_labels.h"
#include "compute_policy.h"
#include "default_asset_paths.h"
#include "forward_cancel.h"
#include "image_limits.h"
#include "memory_budget.h"
#include "prediction_comparison.h"

#include <cstdlib>

using namespace vitscope;

namespace {

std::string assets_path(const std::string& rel) { return std::string(VITSCOPE_ASSETS_DIR) + "/" + rel; }

// A colour gradient with a bright square: something for attention to find.
std::shared_ptr<const RgbImage> gradient(int w, int h, float tint = 0.0f) {
    auto img = std::make_shared<RgbImage>();
    img->width = w;
    img->height = h;
    img->pixels.resize(size_t(w) * h * 3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            float* p = &img->pixels[(size_t(y) * w + x) * 3];
            const bool square = x > w / 3 && x < w / 2 && y > h / 3 && y < h / 2;
            p[0] = square ? 1.0f : float(x) / float(w);
            p[1] = square ? 1.0f : float(y) / float(h);
            p[2] = square ? 1.0f : tint;
        }
    return img;
}

// What a front end's worker does, inline: every job the policy wants, until it is idle.
int drive(ComputePolicy& p) {
    int jobs = 0;
    while (auto job = p.next_job()) {
        const PolicyEvents ev = p.accept(run_job(*job));
        if (!ev.error.empty()) qWarning("%s", ev.error.c_str());
        ++jobs;
    }
    return jobs;
}

int depth_of(const WorkspaceState& s) {
    return s.is_swin() ? s.model->swin->hp.total_blocks() : s.model->vit->hp.depth;
}

const RowVector& logits_of(const WorkspaceState& s) { return *s.logits(); }

}  // namespace

class TestComputePolicy : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { set_engine_threads(2); }

    void partial_recompute_from_first_changed_layer_data() {
        QTest::addColumn<QString>("model");
        QTest::newRow("vit") << "models/vitscope-vit-tiny";
        QTest::newRow("swin") << "models/vitscope-swin-tiny";
    }
    // An option change on the same input redoes only the layers from the first one it touches, and
    // gives the same logits as a full forward under those options.
    void partial_recompute_from_first_changed_layer() {
        QFETCH(QString, model);
        ComputePolicy p;
        p.open_model(assets_path(model.toStdString()));
        p.set_image(gradient(64, 48), "gradient");
        QCOMPARE(drive(p), 2);  // the load, then one full forward (paper options: it is the baseline)
        QVERIFY(p.state().has_trace());
        QCOMPARE(p.counters().forward_passes, 1);
        QCOMPARE(p.counters().baseline_passes, 0);
        QVERIFY(p.counters().last_full);
        const int depth = depth_of(p.state());
        QVERIFY(depth >= 3);
        const RowVector paper_logits = logits_of(p.state());

        AttentionOptions o;
        o.temperature = 3.0f;
        o.first_layer = depth - 2;
        p.set_options(o);
        QCOMPARE(drive(p), 1);
        QCOMPARE(p.counters().forward_passes, 1);
        QCOMPARE(p.counters().partial_recomputes, 1);
        QCOMPARE(p.counters().last_from, depth - 2);
        QVERIFY(!p.counters().last_full);

        // A full forward under the same options (set after the load: a new model resets them).
        ComputePolicy fresh;
        fresh.open_model(assets_path(model.toStdString()));
        fresh.set_image(p.state().image, "gradient");
        fresh.accept(run_job(*fresh.next_job()));
        fresh.set_options(o);
        drive(fresh);
        QCOMPARE(fresh.counters().forward_passes, 1);
        const RowVector& a = logits_of(p.state());
        const RowVector& b = logits_of(fresh.state());
        QCOMPARE(a.size(), b.size());
        const float diff = (a - b).cwiseAbs().maxCoeff();
        QVERIFY2(diff < 1e-4f, qPrintable(QString("partial recompute differs from a full forward by %1 (logits up to %2)").arg(double(diff)).arg(double(a.cwiseAbs().maxCoeff()))));
        QVERIFY2((a - paper_logits).cwiseAbs().maxCoeff() > 0, "the options changed nothing");
    }

    void baseline_kept_data() { partial_recompute_from_first_changed_layer_data(); }
    // The paper-default trace is kept while options change, and computed again only for a new input
    // that is first seen under other options.
    void baseline_kept() {
        QFETCH(QString, model);
        ComputePolicy p;
        p.open_model(assets_path(model.toStdString()));
        p.set_image(gradient(64, 48), "gradient");
        drive(p);
        const auto paper_trace = p.state().is_swin() ? std::shared_ptr<const void>(p.state().swin_trace)
                                                     : std::shared_ptr<const void>(p.state().trace);
        auto baseline_ptr = [&]() {
            return p.state().is_swin() ? std::shared_ptr<const void>(p.state().swin_baseline)
                                       : std::shared_ptr<const void>(p.state().baseline);
        };
        QCOMPARE(baseline_ptr(), paper_trace);  // under the paper's options the trace is the baseline
        QVERIFY(p.state().paper_default());

        AttentionOptions o;
        o.scale_mode = ScaleMode::None;
        p.set_options(o);
        drive(p);
        QVERIFY(!p.state().paper_default());
        QCOMPARE(baseline_ptr(), paper_trace);  // kept, not recomputed
        o.temperature = 0.5f;
        p.set_options(o);
        drive(p);
        QCOMPARE(baseline_ptr(), paper_trace);
        QCOMPARE(p.counters().baseline_passes, 0);
        QVERIFY((*p.state().logits() - *p.state().baseline_logits()).cwiseAbs().maxCoeff() > 0);

        // A new image under non-paper options: a full forward and one baseline forward.
        p.set_image(gradient(64, 48, 0.8f), "tinted");
        drive(p);
        QCOMPARE(p.counters().forward_passes, 2);
        QCOMPARE(p.counters().baseline_passes, 1);
        QVERIFY(baseline_ptr() != paper_trace);
        // Back to the paper's options: a partial recompute whose trace is the baseline again.
        p.set_options(AttentionOptions{});
        drive(p);
        QCOMPARE(p.counters().baseline_passes, 1);
        QVERIFY(p.state().paper_default());
        QVERIFY((*p.state().logits() - *p.state().baseline_logits()).cwiseAbs().maxCoeff() < 1e-4f);
    }

    // Requests made while a job runs do not queue up: only the latest is computed next.
    void latest_request_wins() {
        ComputePolicy p;
        p.open_model(assets_path("models/vitscope-vit-tiny"));
        p.set_image(gradient(64, 48), "gradient");
        drive(p);
        const int depth = depth_of(p.state());

        AttentionOptions a, b, c;
        a.temperature = 2.0f;
        b.temperature = 3.0f;
        c.temperature = 4.0f;
        c.first_layer = 1;
        p.set_options(a);
        auto job_a = p.next_job();
        QVERIFY(job_a);
        QVERIFY(p.running());
        p.set_options(b);  // the drag goes on while A computes
        p.set_options(c);
        QVERIFY(!p.next_job());  // one job at a time
        QVERIFY(p.pending());
        const PolicyEvents ev = p.accept(run_job(*job_a));
        QVERIFY(ev.trace_changed);  // A's result is shown meanwhile (same input)...
        QCOMPARE(p.state().trace->options.temperature, 2.0f);
        auto job_c = p.next_job();  // ...and C comes next; B is never computed
        QVERIFY(job_c);
        QCOMPARE(std::get<ComputeJob>(*job_c).options.temperature, 4.0f);
        p.accept(run_job(*job_c));
        QVERIFY(p.idle());
        QCOMPARE(p.state().trace->options.temperature, 4.0f);
        QCOMPARE(p.counters().partial_recomputes, 2);
        QCOMPARE(p.counters().last_from, 0);  // C's temperature from layer 1 after A's from 0: layer 0 differs
        QVERIFY(depth > 1);
    }

    // A newer image or preprocessing stops the running pass before its next layer; newer options stop
    // it there once it has run cancel_after_ms. The cancelled job changes nothing; the latest wish follows.
    void a_newer_request_cancels_the_running_pass() {
        ComputePolicy p;
        p.open_model(assets_path("models/vitscope-vit-tiny"));
        drive(p);
        p.set_image(gradient(64, 48), "first");
        auto job = p.next_job();
        QVERIFY(job && std::holds_alternative<ComputeJob>(*job));
        p.set_image(gradient(64, 48, 0.5f), "second");  // while the first image computes
        JobResult r = run_job(*job);
        QVERIFY(std::get<ComputeResult>(r).cancelled);
        QVERIFY(!std::get<ComputeResult>(r).trace);
        PolicyEvents ev = p.accept(std::move(r));
        QVERIFY(ev.cancelled);
        QVERIFY(!ev.trace_changed && !ev.dropped && ev.error.empty());
        QCOMPARE(p.counters().cancelled_jobs, 1);
        QCOMPARE(p.counters().forward_passes, 0);
        QVERIFY(!p.state().has_trace());
        QCOMPARE(drive(p), 1);  // the second image, once
        QCOMPARE(p.state().input_source, p.state().image);
        QCOMPARE(p.counters().forward_passes, 1);

        // New options: a pass younger than cancel_after_ms goes on (the drag test below); with 0 ms
        // it stops at its next layer, and the newest options are computed from the shown trace.
        const std::shared_ptr<const ViTTrace> shown = p.state().trace;
        p.set_cancel_after_ms(0);
        AttentionOptions a, b;
        a.temperature = 2.0f;
        b.temperature = 3.0f;
        p.set_options(a);
        job = p.next_job();
        p.set_options(b);
        ev = p.accept(run_job(*job));
        QVERIFY(ev.cancelled);
        QCOMPARE(p.state().trace, shown);  // untouched: the cancelled copy is thrown away
        QCOMPARE(p.counters().cancelled_jobs, 2);
        QCOMPARE(drive(p), 1);
        QCOMPARE(p.state().trace->options.temperature, 3.0f);
        QCOMPARE(p.counters().partial_recomputes, 1);

        // A request after the last layer's check cannot stop the pass: its result is dropped or kept.
        p.set_options(a);
        job = p.next_job();
        JobResult done = run_job(*job);
        p.set_options(b);
        ev = p.accept(std::move(done));
        QVERIFY(ev.trace_changed);
        QCOMPARE(p.counters().cancelled_jobs, 2);
    }

    // The engine's schedule never shows in the numbers: the same logits and attention maps, bit for bit,
    // on 1, 2 or 3 threads, with a fixed team or adapting to load (issue 18).
    void forward_passes_are_bit_identical_for_any_thread_count() {
        for (const char* model : {"models/vitscope-vit-tiny", "models/vitscope-swin-tiny"}) {
            const LoadedModel m = load_model(assets_path(model));
            const ModelInput in = preprocess(*gradient(80, 64), PreprocessMode::Crop, preprocess_config(m));
            AttentionOptions o;
            o.masked_keys = {0, 3};
            o.temperature = 1.5f;
            std::vector<float> reference;
            auto capture = [&] {
                std::vector<float> all;
                if (m.swin) {
                    SwinTrace t;
                    swin_forward(*m.swin, in, o, SwinOptions{}, t);
                    all.assign(t.logits.data(), t.logits.data() + t.logits.size());
                    for (const SwinBlockTrace& b : t.blocks) all.insert(all.end(), b.attn.begin(), b.attn.end());
                } else {
                    ViTTrace t;
                    vit_forward(*m.vit, in, o, t);
                    all.assign(t.logits.data(), t.logits.data() + t.logits.size());
                    for (const ViTLayerTrace& l : t.layers) all.insert(all.end(), l.attn.begin(), l.attn.end());
                }
                return all;
            };
            set_engine_threads(1);
            reference = capture();
            QVERIFY(reference.size() > 1000);
            for (bool adaptive : {false, true})
                for (int threads : {2, 3}) {
                    set_engine_thread_adaptation(adaptive);
                    set_engine_threads(threads);
                    QVERIFY2(capture() == reference,
                             qPrintable(QString("%1 differs on %2 threads").arg(model).arg(threads)));
                }
            set_engine_thread_adaptation(true);
            set_engine_threads(2);
        }
    }

    // The engine asks before every layer (block): a scope that says stop at the k-th question ends
    // the pass with ForwardCancelled after k-1 layers; without a scope nothing is asked.
    void the_engine_stops_between_layers() {
        for (const char* model : {"models/vitscope-vit-tiny", "models/vitscope-swin-tiny"}) {
            const LoadedModel m = load_model(assets_path(model));
            const ModelInput in = preprocess(*gradient(64, 48), PreprocessMode::Crop, preprocess_config(m));
            const int depth = m.swin ? m.swin->hp.total_blocks() : m.vit->hp.depth;
            QVERIFY(depth >= 3);
            int asked = 0;
            ForwardCancelScope scope([&] { return ++asked == 3; });
            bool cancelled = false;
            try {
                if (m.swin) {
                    SwinTrace t;
                    swin_forward(*m.swin, in, AttentionOptions{}, SwinOptions{}, t);
                } else {
                    ViTTrace t;
                    vit_forward(*m.vit, in, AttentionOptions{}, t);
                }
            } catch (const ForwardCancelled& e) {
                cancelled = true;
                QCOMPARE(std::string(e.what()), std::string("the forward pass was cancelled by a newer request"));
            }
            QVERIFY2(cancelled, model);
            QCOMPARE(asked, 3);
            {
                ForwardCancelScope never([&] { return ++asked < 0; });
                ViTTrace vt;
                SwinTrace st;
                if (m.swin) swin_forward(*m.swin, in, AttentionOptions{}, SwinOptions{}, st);
                else vit_forward(*m.vit, in, AttentionOptions{}, vt);
            }
            QCOMPARE(asked, 3 + depth);  // once per layer, the innermost scope only
        }
    }

    // A result for a model or image replaced meanwhile is dropped; the newer request follows.
    void superseded_results_are_dropped() {
        ComputePolicy p;
        p.open_model(assets_path("models/vitscope-vit-tiny"));
        p.set_image(gradient(64, 48), "first");
        QVERIFY(std::holds_alternative<LoadJob>(*p.next_job()));  // a load comes before any compute
        p.accept(run_load(LoadJob{assets_path("models/vitscope-vit-tiny")}));
        auto job = p.next_job();
        QVERIFY(job && std::holds_alternative<ComputeJob>(*job));
        JobResult finished = run_job(*job);  // the worker finished just before the user changed the image
        p.set_image(gradient(64, 48, 0.5f), "second");
        PolicyEvents ev = p.accept(std::move(finished));
        QVERIFY(ev.dropped);
        QVERIFY(!p.state().has_trace());
        QCOMPARE(p.counters().dropped_results, 1);
        drive(p);
        QVERIFY(p.state().has_trace());
        QCOMPARE(p.state().input_source, p.state().image);

        // A model change while a compute runs: the compute's result is dropped, the new model loads.
        AttentionOptions warm;
        warm.temperature = 2.0f;
        p.set_options(warm);
        job = p.next_job();
        p.open_model(assets_path("models/vitscope-swin-tiny"));
        ev = p.accept(run_job(*job));
        QVERIFY(!ev.dropped);  // same model and image: shown (the load has not happened yet)
        job = p.next_job();
        QVERIFY(std::holds_alternative<LoadJob>(*job));
        ev = p.accept(run_job(*job));
        QVERIFY(ev.model_changed);
        QVERIFY(!p.state().has_trace());
        QVERIFY(p.state().options.is_paper_default());  // options of the old model's tokens are reset
        job = p.next_job();  // the Swin model's first forward
        QVERIFY(job && std::holds_alternative<ComputeJob>(*job));
        p.open_model(assets_path("models/vitscope-vit-tiny"));
        ev = p.accept(run_job(*job));  // still the current model: shown until the ViT model loads
        QVERIFY(ev.trace_changed);
        QVERIFY(p.state().is_swin());
        drive(p);
        QVERIFY(!p.state().is_swin());
        QVERIFY(p.state().trace);
    }

    // A model that fails to load leaves the previous one, with the file named in the message.
    void failed_load_keeps_previous_model() {
        ComputePolicy p;
        p.open_model(assets_path("models/vitscope-vit-tiny"));
        p.set_image(gradient(32, 32), "gradient");
        drive(p);
        const auto model = p.state().model;
        p.open_model("/nonexistent/model.safetensors");
        auto job = p.next_job();
        const PolicyEvents ev = p.accept(run_job(*job));
        QVERIFY(!ev.error.empty());
        QVERIFY2(ev.error.find("/nonexistent/model.safetensors") != std::string::npos, ev.error.c_str());
        QCOMPARE(p.state().model, model);
        QVERIFY(p.state().trace);
    }

    // Both predictions panels draw these rows: the top-5 now, and the paper's top-5 followed.
    void predictions_beside_the_paper() {
        ComputePolicy p;
        p.open_model(assets_path("models/vitscope-vit-tiny"));
        p.set_image(gradient(64, 48), "gradient");
        drive(p);
        PredictionComparison cmp = compare_predictions(p.state());
        QVERIFY(cmp.has_classifier);
        QVERIFY(!cmp.differs);
        QCOMPARE(int(cmp.now.size()), 5);
        QVERIFY(cmp.paper.empty());
        for (const PredictionRow& r : cmp.now) QCOMPARE(r.p_now, r.p_paper);
        const PredictionRow paper_top = cmp.now.front();
        QCOMPARE(paper_top.label, p.state().labels[size_t(paper_top.cls)]);

        AttentionOptions o;
        o.scale_mode = ScaleMode::None;
        p.set_options(o);
        drive(p);
        cmp = compare_predictions(p.state());
        QVERIFY(cmp.differs);
        QCOMPARE(int(cmp.paper.size()), 5);
        QCOMPARE(cmp.paper.front().cls, paper_top.cls);          // the paper's top-1 is followed...
        QCOMPARE(cmp.paper.front().p_paper, paper_top.p_paper);  // ...with its paper probability
        for (size_t i = 1; i < cmp.now.size(); ++i) QVERIFY(cmp.now[i - 1].p_now >= cmp.now[i].p_now);
        float sum = 0;
        for (const PredictionRow& r : cmp.now) sum += r.p_now;
        QVERIFY(sum <= 1.0001f);
    }

    void class_labels_from_the_config() {
        const std::string path = assets_path("models/vitscope-vit-tiny");
        const LoadedModel m = load_model(path);
        const std::vector<std::string> labels = class_labels_for(m, default_assets_folder()).names;
        QCOMPARE(labels, m.info().labels);
        QVERIFY(!labels.empty());
    }

    void default_assets_follow_the_environment() {
        QCOMPARE(default_assets_folder(), std::string(VITSCOPE_ASSETS_DIR));
        qputenv("VITSCOPE_ASSETS", "/somewhere/assets");
        QCOMPARE(default_image_file(), std::string("/somewhere/assets/images/default.png"));
        QCOMPARE(default_vit_model_folder(), std::string("/somewhere/assets/models/vitscope-vit-tiny"));
        qunsetenv("VITSCOPE_ASSETS");
        // An installed or moved binary without the source tree: ../share/vitscope/assets beside it.
        QCOMPARE(assets_folder_for("", "/gone/source/assets", "/opt/vitscope/bin/vitscope-lab"),
                 std::string("/opt/vitscope/share/vitscope/assets"));
        QCOMPARE(assets_folder_for("/x", "/gone/source/assets", "/opt/vitscope/bin/vitscope-lab"), std::string("/x"));
    }

    void image_limits() {
        QCOMPARE(decoded_size({4096, 4096}), (ImageSize{4096, 4096}));
        QCOMPARE(decoded_size({14000, 14000}), (ImageSize{4096, 4096}));
        QVERIFY(image_size_problem({4000, 3000}).empty());
        QVERIFY(image_size_problem({20000, 20000}).find("200-megapixel limit") != std::string::npos);
        QVERIFY(image_size_problem({10100, 100}).find("100 times as wide") != std::string::npos);
        QVERIFY(image_size_problem({100, 10000}).empty());
    }

    // The memory budget: a pass over it waits for the user's choice; "visible layer only" keeps that
    // layer's attention, and showing another layer computes that one (recomputing from it), with the
    // same logits as a pass that keeps everything.
    void memory_budget_visible_layer_only_data() { partial_recompute_from_first_changed_layer_data(); }
    void memory_budget_visible_layer_only() {
        QFETCH(QString, model);
        ComputePolicy p;
        p.set_memory_budget(1);
        p.open_model(assets_path(model.toStdString()));
        p.set_image(gradient(64, 48), "gradient");
        QCOMPARE(drive(p), 1);  // the load; the pass waits
        QVERIFY(p.memory_decision().has_value());
        QVERIFY(!p.pending() && !p.running());
        const MemoryDecision d = *p.memory_decision();
        QCOMPARE(d.budget_bytes, int64_t(1));
        QCOMPARE(d.estimate_bytes, p.estimated_pass_bytes());
        QVERIFY(d.visible_only_bytes < d.estimate_bytes);
        QCOMPARE(d.layers, depth_of(p.state()));
        p.decide_memory(MemoryChoice::VisibleLayerOnly);
        QVERIFY(p.visible_layer_only());
        QCOMPARE(drive(p), 1);
        const std::optional<AttentionSource> first = attention_source(p.state());
        QVERIFY(first && first->kept(0));
        for (int l = 1; l < depth_of(p.state()); ++l) QVERIFY(!first->kept(l));

        FigureSelection sel = p.state().selection;
        sel.layer = depth_of(p.state()) - 1;
        p.set_selection(sel);
        QCOMPARE(drive(p), 1);
        QVERIFY(!p.counters().last_full);
        QCOMPARE(p.counters().last_from, 0);  // from the first layer whose keeping changed
        const std::optional<AttentionSource> last = attention_source(p.state());
        QVERIFY(!last->kept(0) && last->kept(sel.layer));
        // Options from the front end keep the choice (the policy owns the keep fields).
        AttentionOptions o;
        o.temperature = 2.0f;
        p.set_options(o);
        QCOMPARE(drive(p), 1);
        QVERIFY(!p.memory_decision());
        QVERIFY(!p.state().options.keep_all_layers);
        QVERIFY(attention_source(p.state())->kept(sel.layer));

        ComputePolicy full;  // everything kept, no budget in the way
        full.set_memory_budget(int64_t(1) << 50);
        full.open_model(assets_path(model.toStdString()));
        full.set_image(p.state().image, "gradient");
        full.accept(run_job(*full.next_job()));  // the load (it resets the options)
        full.set_options(o);
        drive(full);
        QVERIFY(!full.memory_decision());
        QVERIFY(attention_source(full.state())->all_kept());
        QCOMPARE(logits_of(p.state()), logits_of(full.state()));
    }

    void memory_budget_keep_everything_and_cancel() {
        ComputePolicy p;
        p.set_memory_budget(1);
        p.open_model(assets_path("models/vitscope-vit-tiny"));
        p.set_image(gradient(64, 48), "gradient");
        drive(p);
        QVERIFY(p.memory_decision());
        p.decide_memory(MemoryChoice::Cancel);
        QVERIFY(!p.memory_decision());
        QCOMPARE(drive(p), 0);
        QVERIFY(!p.state().has_trace());
        AttentionOptions o;
        o.temperature = 0.5f;
        p.set_options(o);  // a new request asks again
        QCOMPARE(drive(p), 0);
        QVERIFY(p.memory_decision());
        p.decide_memory(MemoryChoice::KeepEverything);
        QCOMPARE(drive(p), 1);
        QVERIFY(attention_source(p.state())->all_kept());
        o.temperature = 0.7f;
        p.set_options(o);  // the choice holds for this model
        QCOMPARE(drive(p), 1);
        QVERIFY(!p.memory_decision());
        p.open_model(assets_path("models/vitscope-vit-tiny"));  // and is asked again for another
        drive(p);
        QVERIFY(p.memory_decision());
    }

    void memory_budget_default() {
        qputenv("VITSCOPE_MEMORY_BUDGET_MB", "3");
        QCOMPARE(default_memory_budget_bytes(), int64_t(3) << 20);
        QCOMPARE(ComputePolicy().memory_budget(), kNoMemoryBudget);  // a front end that asks sets one
        qunsetenv("VITSCOPE_MEMORY_BUDGET_MB");
        QVERIFY(default_memory_budget_bytes() > (int64_t(64) << 20));  // half the machine's memory
        QCOMPARE(memory_size_text(2'822'400'000), std::string("2.8 GB"));
    }
};

QTEST_GUILESS_MAIN(TestComputePolicy)
#include "test_compute_policy.moc"
