#include "cli_commands.h"

#include "cli_analyze.h"
#include "cli_figure_commands.h"
#include "cli_hub.h"
#include "cli_model_run.h"
#include "fp32_peak.h"
#include "process_memory.h"
#include "trace_memory.h"

#include "class_labels.h"
#include "default_assets.h"
#include "model_loader.h"
#include "safetensors.h"
#include "thread_pool.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <random>

namespace vitscope::cli {

namespace {

// printf into a string.
__attribute__((format(printf, 1, 2))) std::string format(const char* f, ...) {
    std::va_list args, again;
    va_start(args, f);
    va_copy(again, args);
    const int n = std::vsnprintf(nullptr, 0, f, args);
    va_end(args);
    std::string s(size_t(std::max(n, 0)), '\0');
    std::vsnprintf(s.data(), s.size() + 1, f, again);
    va_end(again);
    return s;
}

// One line of `info`: "label:" padded to 16 columns, then the value; an empty label continues the
// line above.
struct InfoRow {
    std::string label, value;
};
using InfoRows = std::vector<InfoRow>;

void print_rows(const InfoRows& rows) {
    for (const InfoRow& r : rows)
        std::printf("%-16s%s\n", r.label.empty() ? "" : (r.label + ":").c_str(), r.value.c_str());
}

std::string int_list_string(const std::vector<int>& v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) {
        if (i) s += '-';
        s += std::to_string(v[i]);
    }
    return s;
}

// What info, dump and bench say about one architecture, as small functions; the commands are
// written once over it (with ArchitectureRun), so another architecture is another entry.
struct ArchitectureReport {
    // info: the hyper-parameters, between "image size" and "classes".
    InfoRows (*hyper_parameters)(const LoadedModel&);
    // dump: the trace's attention tensors and metadata (after logits, features, input); returns
    // what the summary line says they are.
    std::string (*add_attention)(const ModelRun&, SafetensorsWriter&);
    // bench: what one pass captured, after the input size.
    std::string (*captured)(const AttentionSource&);
};

// The ViT family: one [H,N,N] map per layer over the prefix tokens and the patches.
InfoRows vit_hyper_parameters(const LoadedModel& m) {
    const ViTHparams& hp = m.vit->hp;
    return {
        {"tokens", format("%d (%d prefix: CLS%s%s)", hp.num_prefix_tokens() + hp.num_patches(), hp.num_prefix_tokens(),
                          hp.dist_token ? ", DIST" : "",
                          hp.num_register_tokens ? (", " + std::to_string(hp.num_register_tokens) + " registers").c_str()
                                                 : "")},
        {"embed dim", std::to_string(hp.embed_dim)},
        {"depth", std::to_string(hp.depth)},
        {"heads", format("%d (head dim %d)", hp.num_heads, hp.head_dim())},
        {"mlp hidden", std::to_string(hp.mlp_hidden)},
        {"layer scale", hp.layer_scale ? "yes" : "no"},
        {"layer norm eps", format("%g", double(hp.layer_norm_eps))},
    };
}

// attn.L [H,N,N] for every layer, logits.L [H,N,N] with --logits.
std::string vit_add_attention(const ModelRun& r, SafetensorsWriter& w) {
    const ViTTrace& t = r.trace;
    const int N = t.num_tokens, H = t.num_heads;
    size_t kept = 0;
    for (size_t l = 0; l < t.layers.size(); ++l) {
        if (t.layers[l].attn.empty()) continue;  // not kept (--keep-attention)
        ++kept;
        w.add("attn." + std::to_string(l), {H, N, N}, t.layers[l].attn.data());
        if (!t.layers[l].logits.empty()) w.add("logits." + std::to_string(l), {H, N, N}, t.layers[l].logits.data());
    }
    w.set_metadata("num_prefix_tokens", std::to_string(t.num_prefix));
    return format("%zu of %zu layers of attention [%d,%d,%d]", kept, t.layers.size(), H, N, N);
}

std::string vit_captured(const AttentionSource& s) {
    return format("%d tokens, %d layers x %d heads", s.num_tokens(0), s.layers(), s.heads(0));
}

const ArchitectureReport kViTReport = {vit_hyper_parameters, vit_add_attention, vit_captured};

// Swin: stages of blocks, each attending within (shifted) windows.
InfoRows swin_hyper_parameters(const LoadedModel& m) {
    const SwinHparams& hp = m.swin->hp;
    std::vector<int> channels;
    for (int s = 0; s < hp.num_stages(); ++s) channels.push_back(hp.stage_dim(s));
    return {
        {"embed dim", format("%d (stages: %s channels)", hp.embed_dim, int_list_string(channels).c_str())},
        {"depths", format("%s (%d blocks)", int_list_string(hp.depths).c_str(), hp.total_blocks())},
        {"heads", int_list_string(hp.num_heads)},
        {"window", format("%d (shift %d on odd blocks)", hp.window_size, hp.window_size / 2)},
        {"mlp ratio", format("%g", double(hp.mlp_ratio))},
        {"layer norm eps", format("%g", double(hp.layer_norm_eps))},
    };
}

// attn.S.B [nW,H,M*M,M*M] for every block, mask.S.B [nW,M*M,M*M] for masked shifted blocks,
// bias.S.B [H,M*M,M*M], logits_qk.S.B with --logits; geometry.S.B "window,shift,padded h,padded w".
std::string swin_add_attention(const ModelRun& r, SafetensorsWriter& w) {
    const SwinTrace& t = r.swin_trace;
    size_t kept = 0;
    for (const SwinBlockTrace& bt : t.blocks) {
        const std::string key = std::to_string(bt.stage) + "." + std::to_string(bt.block);
        const SwinWindowGeometry& g = bt.geometry;
        const int64_t nW = g.num_windows(), H = bt.num_heads, N = g.window_tokens();
        if (!bt.attn.empty()) w.add("attn." + key, {nW, H, N, N}, bt.attn.data());  // else not kept
        kept += bt.attn.empty() ? 0 : 1;
        if (!bt.mask.empty()) w.add("mask." + key, {nW, N, N}, bt.mask.data());
        if (!bt.bias.empty()) w.add("bias." + key, {H, N, N}, bt.bias.data());
        if (!bt.logits_qk.empty()) w.add("logits_qk." + key, {nW, H, N, N}, bt.logits_qk.data());
        w.set_metadata("geometry." + key, format("%d,%d,%d,%d", g.window, g.shift, g.padded_height, g.padded_width));
    }
    return format("%zu of %zu blocks of window attention (attn.S.B [nW,H,M*M,M*M], mask.S.B, bias.S.B)", kept,
                  t.blocks.size());
}

std::string swin_captured(const AttentionSource& s) {
    const TokenGrid g = s.grid(0);
    return format("%dx%d patches, %d blocks of window attention", g.width, g.height, s.layers());
}

const ArchitectureReport kSwinReport = {swin_hyper_parameters, swin_add_attention, swin_captured};

const ArchitectureReport& architecture_report(const LoadedModel& m) {
    return for_architecture(m, kViTReport, kSwinReport);
}

// Exit status when the model's outputs hold NaN or infinity (documented in --help).
constexpr int kExitNonFinite = 3;

// One warning line when the logits, features or attention hold NaN or infinity.
bool report_non_finite(const std::string& model_path, const ModelRun& r) {
    const int64_t bad = r.non_finite_values();
    if (bad == 0) return false;
    std::fprintf(stderr,
                 "vitscope-cli: warning: %s: the forward pass produced %lld NaN or infinite values (logits, features "
                 "or attention); its outputs are meaningless\n",
                 model_path.c_str(), static_cast<long long>(bad));
    return true;
}

// How the engine's threads shared the passes: loops with helpers, loops on the caller alone after
// signs of an oversubscribed machine, the helpers' share of the work.
void print_thread_schedule(const EngineThreadStats& s, int runs) {
    if (engine_threads() <= 1) return;
    const char* mode = engine_thread_adaptation() ? "adaptive" : "fixed team";
    std::printf("schedule:  %s; %lld of %lld loops shared (%.0f%% of items on helpers), %lld alone", mode,
                (long long)s.shared_loops, (long long)s.loops,
                s.items ? 100.0 * double(s.helper_items) / double(s.items) : 0.0,
                (long long)(s.loops - s.shared_loops));
    if (s.full_machine_loops || s.no_free_core_loops)
        std::printf(" (%lld while other tasks filled every core, %lld while they left none free for a helper)",
                    (long long)s.full_machine_loops, (long long)s.no_free_core_loops);
    if (s.solo_periods)
        std::printf(" in %lld periods after %lld signs of load (%lld stalls)", (long long)s.solo_periods,
                    (long long)s.load_signs, (long long)s.stalls);
    std::printf("; waits for helpers %.2f ms per pass\n", s.stall_ms / std::max(1, runs));
}

// The lines of `bench` every architecture shares: run times (sorted), work, speed and peak fraction.
void print_bench_timings(const std::vector<double>& ms, double flops, int threads) {
    const double median = ms[ms.size() / 2];
    const double gflops = flops / (median * 1e-3) / 1e9;
    const Fp32Peak peak = measure_fp32_peak(threads);
    std::printf("runs:      %zu (min %.3f ms, max %.3f ms)\n", ms.size(), ms.front(), ms.back());
    std::printf("median:    %.3f ms\n", median);
    std::printf("work:      %.3f GFLOP (multiply-add = 2)\n", flops / 1e9);
    std::printf("speed:     %.1f GFLOP/s = %.0f%% of the fp32 peak %.0f GFLOP/s (measured: %d-bit FMA chains on %d threads)\n",
                gflops, 100.0 * gflops / peak.gflops, peak.gflops, peak.vector_bits, threads);
}

// What bench times: --image FILE, else a fixed pseudo-random input at the model's (or --input-size) size.
ModelInput bench_input(const Args& a, const LoadedModel& m) {
    if (a.has("image")) return prepare_input(a, m, a.get("image"));
    const InputSize s = input_size(a, m);
    std::vector<float> chw(size_t(3) * s.height * s.width);
    std::mt19937 rng(1234);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    for (float& v : chw) v = nd(rng);
    return model_input_from_tensor(std::move(chw), s.height, s.width, m.patch_size());
}

int cmd_info(const Args& a) {
    require_positional(a, 1, "info MODEL");
    const LoadedModel m = load_cli_model(a.positional[0]);
    const ModelInfo& info = m.info();
    const int h = m.input_height(), w = m.input_width(), p = m.patch_size();
    InfoRows rows = {
        {"model", info.name},
        {"architecture", info.architecture},
        {"naming", info.naming},
        {"image size", format("%dx%d (patch %d -> %dx%d = %d patches)", h, w, p, h / p, w / p, (h / p) * (w / p))},
    };
    const InfoRows hyper = architecture_report(m).hyper_parameters(m);
    rows.insert(rows.end(), hyper.begin(), hyper.end());
    const int classes = m.num_classes();
    const ClassLabels names = class_labels_for(m, default_assets_dir().toStdString());
    rows.push_back({"classes", format("%d%s", classes,
                                      !classes ? ""
                                      : names.names.empty()
                                          ? " (no names: classes show as numbers; --labels FILE names them)"
                                          : (" (names: " + names.source + ")").c_str())});
    rows.push_back({"parameters", std::to_string(info.num_parameters)});
    rows.push_back({"preprocess", format("crop_pct %.3f, mean (%.3f, %.3f, %.3f), std (%.3f, %.3f, %.3f)",
                                         double(info.crop_pct), double(info.mean[0]), double(info.mean[1]),
                                         double(info.mean[2]), double(info.std[0]), double(info.std[1]),
                                         double(info.std[2]))});
    if (info.inferred.empty()) rows.push_back({"inferred", "nothing (all from config.json)"});
    for (size_t i = 0; i < info.inferred.size(); ++i) rows.push_back({i == 0 ? "inferred" : "", info.inferred[i]});
    print_rows(rows);
    return 0;
}

int cmd_predict(const Args& a) {
    const ModelAndImage paths = model_and_image(a, "predict [MODEL] IMAGE");
    const std::string& model_path = paths.model;
    const std::string& image_path = paths.image;
    apply_threads(a);
    ModelRun r;
    r.model = load_cli_model(model_path);
    if (r.model.num_classes() == 0)
        throw std::runtime_error(model_path + ": this model has no classifier (" + r.model.info().architecture +
                                 "); use dump to get its features and attention");
    const std::vector<std::string> labels = class_labels(a, r.model);
    // The default top-5 is clamped to the class count; an explicit --topk must fit it.
    const int k = a.has("topk") ? a.get_int("topk", 5, 1, r.model.num_classes()) : std::min(5, r.model.num_classes());
    r.input = prepare_input(a, r.model, image_path);
    run_forward(a, r);
    if (report_non_finite(model_path, r)) return kExitNonFinite;  // NaN would also break the sort below

    const RowVector& logits = r.logits();
    const float maxv = logits.maxCoeff();
    Eigen::ArrayXf p = (logits.array() - maxv).exp().transpose();
    p /= p.sum();
    std::vector<int> order(size_t(logits.size()));
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int x, int y) { return p[x] > p[y]; });

    if (a.has("json")) {
        std::string out = "{\"model\":" + json_quote(r.model.info().name) + ",\"top\":[";
        for (int i = 0; i < k; ++i) {
            const int c = order[size_t(i)];
            if (i) out += ",";
            out += "{\"index\":" + std::to_string(c) + ",\"label\":" + json_quote(labels[size_t(c)]) +
                   ",\"prob\":" + format("%.6g", double(p[c])) + "}";
        }
        out += "],\"logits\":[";
        for (Eigen::Index i = 0; i < logits.size(); ++i) out += (i ? "," : "") + format("%.7g", double(logits[i]));
        out += "]}\n";
        std::fputs(out.c_str(), stdout);
    } else {
        std::printf("%s on %s (%dx%d, %s)\n", r.model.info().name.c_str(), image_path.c_str(), r.input.width,
                    r.input.height, a.get("preprocess", "crop").c_str());
        for (int i = 0; i < k; ++i) {
            const int c = order[size_t(i)];
            std::printf("%2d. %-30s %7.4f  (class %d)\n", i + 1, labels[size_t(c)].c_str(), double(p[c]), c);
        }
    }
    return 0;
}

int cmd_dump(const Args& a) {
    require_positional(a, 2, "dump MODEL IMAGE --out FILE.safetensors");
    if (!a.has("out")) throw UsageError("dump needs --out FILE.safetensors");
    apply_threads(a);
    ModelRun r;
    r.model = load_cli_model(a.positional[0]);
    r.input = prepare_input(a, r.model, a.positional[1]);
    run_forward(a, r);
    const RowVector& logits = r.logits();
    const AttentionSource s = r.source();
    SafetensorsWriter w;
    if (logits.size()) w.add("logits", {logits.size()}, logits.data());
    w.add("features", {r.features().size()}, r.features().data());
    w.add("input", {3, r.input.height, r.input.width}, r.input.chw);
    const std::string attention = architecture_report(r.model).add_attention(r, w);
    w.set_metadata("model", r.model.info().name);
    w.set_metadata("architecture", r.model.info().architecture);
    w.set_metadata("grid", format("%dx%d", s.grid(0).height, s.grid(0).width));
    w.set_metadata("scale", scale_mode_name(r.options().scale_mode));
    w.set_metadata("all_masked_rows", std::to_string(r.all_masked_rows()));
    w.set_metadata("kept_layers", kept_layers_name(r.options()));
    w.write(a.get("out"));
    std::printf("wrote %s: %s%s\n", a.get("out").c_str(), attention.c_str(), logits.size() ? ", logits" : "");
    return report_non_finite(a.positional[0], r) ? kExitNonFinite : 0;
}

// Milliseconds since `t0`, and `t0` moved to now (for a wall-time split).
double lap_ms(std::chrono::steady_clock::time_point& t0) {
    const auto t1 = std::chrono::steady_clock::now();
    const double ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
    t0 = t1;
    return ms;
}

double mebibytes(int64_t bytes) { return double(bytes) / (1024.0 * 1024.0); }

TraceMemory estimated_trace(const ModelRun& r, const RunOptions& o) {
    if (r.model.swin)
        return estimate_trace_bytes(*r.model.swin, r.input.height, r.input.width, o.attention, o.swin, engine_threads());
    return estimate_trace_bytes(*r.model.vit, r.input.height, r.input.width, o.attention, engine_threads());
}

TraceMemory measured_trace(const ModelRun& r) {
    return with_trace(r, [](const auto& t) { return measured_trace_bytes(t); });
}

// "all 12 layers", "layer 11 of 12", "none of 12 blocks".
std::string kept_phrase(const AttentionOptions& o, int layers, const char* unit) {
    if (o.keep_all_layers) return format("all %d %s", layers, unit);
    if (o.kept_layers.empty()) return format("none of %d %s", layers, unit);
    return format("%s %s of %d", std::string(unit).substr(0, std::strlen(unit) - 1).c_str(),
                  kept_layers_name(o).c_str(), layers);
}

int cmd_bench(const Args& a) {
    require_positional(a, 1, "bench MODEL");
    auto clock = std::chrono::steady_clock::now();
    const auto start = clock;
    apply_threads(a);
    const int runs = a.get_int("runs", 20, 1, 100000);
    ModelRun r;
    r.model = load_cli_model(a.positional[0]);
    const double load_ms = lap_ms(clock);
    const ArchitectureRun& arch = architecture_run(r.model);
    r.input = bench_input(a, r.model);
    const double input_ms = lap_ms(clock);
    const int layers = r.model.attention_layers();
    const int from = a.get_int("from-layer", 0, 0, layers - 1);
    RunOptions paper;
    apply_kept_layers(a, layers, paper.attention);
    const TraceMemory estimate = estimated_trace(r, paper);
    arch.forward(r, paper, 0);  // warm-up (and the state a partial recompute starts from)
    const double warmup_ms = lap_ms(clock);
    reset_engine_thread_stats();
    std::vector<double> ms;
    for (int i = 0; i < runs; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        arch.forward(r, paper, from);
        const auto t1 = std::chrono::steady_clock::now();
        ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    const double passes_ms = lap_ms(clock);
    std::sort(ms.begin(), ms.end());
    const double flops_full = arch.forward_flops(r.model, r.input.height, r.input.width);
    // A partial recompute: counted as its share of the layers (plus the head; Swin blocks differ in
    // cost, so there a rough figure).
    const double flops = from == 0 ? flops_full : flops_full * double(layers - from) / layers;
    const int threads = engine_threads();
    const TraceMemory measured = measured_trace(r);
    const int64_t peak_rss = peak_resident_bytes();
    std::printf("model:     %s (%s)\n", r.model.info().name.c_str(), r.model.info().architecture.c_str());
    std::printf("input:     %dx%d, %s\n", r.input.width, r.input.height,
                architecture_report(r.model).captured(r.source()).c_str());
    std::printf("attention: kept for %s\n", kept_phrase(paper.attention, layers, arch.layer_unit).c_str());
    std::printf("threads:   %d\n", threads);
    print_thread_schedule(engine_thread_stats(), runs);
    if (from > 0) std::printf("recompute: %s %d..%d (%d of %d)\n", arch.layer_unit, from, layers - 1, layers - from, layers);
    print_bench_timings(ms, flops, threads);
    const double peak_probe_ms = lap_ms(clock);
    std::printf("trace:     %.3f MiB estimated (attention %.3f MiB, logits %.3f MiB, layer inputs %.3f MiB, scratch %.3f MiB),"
                " %.3f MiB measured\n",
                mebibytes(estimate.total()), mebibytes(estimate.attention), mebibytes(estimate.logits),
                mebibytes(estimate.layer_inputs), mebibytes(estimate.scratch + estimate.window_terms + estimate.thread_scratch),
                mebibytes(measured.total()));
    std::printf("peak RSS:  %.1f MiB (VmHWM: model, input, trace and everything else)\n", mebibytes(peak_rss));
    const double total_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::printf("wall:      %.0f ms = load %.0f + input %.0f + warm-up pass %.0f + %d timed passes %.0f + fp32 peak probe %.0f"
                " (+ freeing at exit)\n",
                total_ms, load_ms, input_ms,
                warmup_ms, runs, passes_ms, peak_probe_ms);
    std::fflush(stdout);
    return 0;
}

}  // namespace

int run_command(const Args& a) {
    try {
        if (a.command == "info") return cmd_info(a);
        if (a.command == "predict") return cmd_predict(a);
        if (a.command == "dump") return cmd_dump(a);
        if (a.command == "bench") return cmd_bench(a);
        if (a.command == "figure") return cmd_figure(a);
        if (a.command == "sheet") return cmd_sheet(a);
        if (a.command == "sweep") return cmd_sweep(a);
        if (a.command == "analyze") return cmd_analyze(a);
        if (a.command == "models") return cmd_models(a);
        if (a.command == "pull") return cmd_pull(a);
        throw UsageError("unknown command '" + a.command +
                         "' (commands: info, predict, dump, bench, figure, sheet, sweep, analyze, models, pull; see --help)");
    } catch (const UsageError& e) {
        std::fprintf(stderr, "vitscope-cli: %s\n", e.what());
        return 2;
    }
}

}  // namespace vitscope::cli
