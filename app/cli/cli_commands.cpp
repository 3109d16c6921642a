#include "cli_commands.h"

#include "cli_analyze.h"
#include "cli_figure_commands.h"
#include "cli_model_run.h"
#include "fp32_peak.h"

#include "model_loader.h"
#include "safetensors.h"
#include "swin_forward.h"
#include "vit_forward.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <random>

namespace vitscope::cli {

namespace {

std::string fmt(const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

// The lines of `info` every architecture shares: classes, parameters, preprocessing, inferences.
void print_common_info(const ModelInfo& info, int num_classes) {
    std::printf("classes:        %d%s\n", num_classes,
                num_classes ? (info.labels.empty() ? " (no labels in the model)" : " (labels from config)") : "");
    std::printf("parameters:     %lld\n", static_cast<long long>(info.num_parameters));
    std::printf("preprocess:     crop_pct %.3f, mean (%.3f, %.3f, %.3f), std (%.3f, %.3f, %.3f)\n",
                double(info.crop_pct), double(info.mean[0]), double(info.mean[1]), double(info.mean[2]),
                double(info.std[0]), double(info.std[1]), double(info.std[2]));
    if (info.inferred.empty()) {
        std::printf("inferred:       nothing (all from config.json)\n");
    } else {
        for (size_t i = 0; i < info.inferred.size(); ++i)
            std::printf("%s%s\n", i == 0 ? "inferred:       " : "                ", info.inferred[i].c_str());
    }
}

// Exit status when the model's outputs hold NaN or infinity (documented in --help).
constexpr int kExitNonFinite = 3;

// One warning line when the logits, features or attention hold NaN or infinity.
bool report_non_finite(const std::string& model_path, const ModelRun& r) {
    const int64_t bad = r.model.swin ? r.swin_trace.non_finite_values() : r.trace.non_finite_values();
    if (bad == 0) return false;
    std::fprintf(stderr,
                 "vitscope-cli: warning: %s: the forward pass produced %lld NaN or infinite values (logits, features "
                 "or attention); its outputs are meaningless\n",
                 model_path.c_str(), static_cast<long long>(bad));
    return true;
}

std::string int_list_string(const std::vector<int>& v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) {
        if (i) s += '-';
        s += std::to_string(v[i]);
    }
    return s;
}

int swin_info(const LoadedModel& m) {
    const ModelInfo& info = m.info();
    const SwinHparams& hp = m.swin->hp;
    const int g = hp.image_size / hp.patch_size;
    std::printf("model:          %s\n", info.name.c_str());
    std::printf("architecture:   %s\n", info.architecture.c_str());
    std::printf("naming:         %s\n", info.naming.c_str());
    std::printf("image size:     %dx%d (patch %d -> %dx%d = %d patches)\n", hp.image_size, hp.image_size,
                hp.patch_size, g, g, g * g);
    std::printf("embed dim:      %d (stages: %s channels)\n", hp.embed_dim,
                int_list_string([&] {
                    std::vector<int> c;
                    for (int s = 0; s < hp.num_stages(); ++s) c.push_back(hp.stage_dim(s));
                    return c;
                }()).c_str());
    std::printf("depths:         %s (%d blocks)\n", int_list_string(hp.depths).c_str(), hp.total_blocks());
    std::printf("heads:          %s\n", int_list_string(hp.num_heads).c_str());
    std::printf("window:         %d (shift %d on odd blocks)\n", hp.window_size, hp.window_size / 2);
    std::printf("mlp ratio:      %g\n", double(hp.mlp_ratio));
    std::printf("layer norm eps: %g\n", double(hp.layer_norm_eps));
    print_common_info(info, hp.num_classes);
    return 0;
}

// attn.S.B [nW,H,M*M,M*M] for every block, mask.S.B [nW,M*M,M*M] for masked shifted blocks,
// bias.S.B [H,M*M,M*M], logits_qk.S.B with --logits.
int swin_dump(const Args& a, ModelRun& r) {
    run_swin_model(a, r);
    const SwinTrace& t = r.swin_trace;
    SafetensorsWriter w;
    if (t.logits.size()) w.add("logits", {t.logits.size()}, t.logits.data());
    w.add("features", {t.features.size()}, t.features.data());
    w.add("input", {3, r.input.height, r.input.width}, r.input.chw);
    for (const SwinBlockTrace& bt : t.blocks) {
        const std::string key = std::to_string(bt.stage) + "." + std::to_string(bt.block);
        const SwinWindowGeometry& g = bt.geometry;
        const int64_t nW = g.num_windows(), H = bt.num_heads, N = g.window_tokens();
        w.add("attn." + key, {nW, H, N, N}, bt.attn.data());
        if (!bt.mask.empty()) w.add("mask." + key, {nW, N, N}, bt.mask.data());
        if (!bt.bias.empty()) w.add("bias." + key, {H, N, N}, bt.bias.data());
        if (!bt.logits_qk.empty()) w.add("logits_qk." + key, {nW, H, N, N}, bt.logits_qk.data());
        w.set_metadata("geometry." + key, std::to_string(g.window) + "," + std::to_string(g.shift) + "," +
                                              std::to_string(g.padded_height) + "," + std::to_string(g.padded_width));
    }
    w.set_metadata("model", r.model.info().name);
    w.set_metadata("architecture", r.model.info().architecture);
    w.set_metadata("grid", std::to_string(t.grid_height) + "x" + std::to_string(t.grid_width));
    w.set_metadata("scale", scale_mode_name(t.options.scale_mode));
    w.set_metadata("all_masked_rows", std::to_string(t.all_masked_rows()));
    w.write(a.get("out"));
    std::printf("wrote %s: %zu blocks of window attention (attn.S.B [nW,H,M*M,M*M], mask.S.B, bias.S.B)%s\n",
                a.get("out").c_str(), t.blocks.size(), t.logits.size() ? ", logits" : "");
    return report_non_finite(a.positional[0], r) ? kExitNonFinite : 0;
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

int swin_bench(const Args& a, const LoadedModel& m) {
    const SwinModel& sm = *m.swin;
    const int runs = a.get_int("runs", 20, 1, 100000);
    const ModelInput input = bench_input(a, m);
    const int total = sm.hp.total_blocks();
    const int from = a.get_int("from-layer", 0, 0, total - 1);
    SwinTrace trace;
    swin_forward(sm, input, {}, {}, trace);  // warm-up (and the state a partial recompute starts from)
    std::vector<double> ms;
    for (int i = 0; i < runs; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        if (from == 0) swin_forward(sm, input, {}, {}, trace);
        else swin_recompute_from(sm, {}, {}, from, trace);
        const auto t1 = std::chrono::steady_clock::now();
        ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    const double flops_full = swin_forward_flops(sm, input.height, input.width);
    // A partial recompute: counted as its share of blocks (blocks differ in cost; a rough figure).
    const double flops = from == 0 ? flops_full : flops_full * double(total - from) / total;
    const int threads = engine_threads();
    std::printf("model:     %s (%s)\n", m.info().name.c_str(), m.info().architecture.c_str());
    std::printf("input:     %dx%d, %dx%d patches, window attention captured for all %d blocks\n", input.width,
                input.height, trace.grid_width, trace.grid_height, total);
    std::printf("threads:   %d\n", threads);
    if (from > 0) std::printf("recompute: blocks %d..%d (%d of %d)\n", from, total - 1, total - from, total);
    print_bench_timings(ms, flops, threads);
    return 0;
}

int cmd_info(const Args& a) {
    require_positional(a, 1, "info MODEL");
    const LoadedModel m = load_model(a.positional[0]);
    if (m.swin) return swin_info(m);
    const ModelInfo& info = m.info();
    const ViTHparams& hp = m.vit->hp;
    std::printf("model:          %s\n", info.name.c_str());
    std::printf("architecture:   %s\n", info.architecture.c_str());
    std::printf("naming:         %s\n", info.naming.c_str());
    std::printf("image size:     %dx%d (patch %d -> %dx%d = %d patches)\n", hp.image_height, hp.image_width,
                hp.patch_size, hp.grid_height(), hp.grid_width(), hp.num_patches());
    std::printf("tokens:         %d (%d prefix: CLS%s%s)\n", hp.num_prefix_tokens() + hp.num_patches(),
                hp.num_prefix_tokens(), hp.dist_token ? ", DIST" : "",
                hp.num_register_tokens ? (", " + std::to_string(hp.num_register_tokens) + " registers").c_str() : "");
    std::printf("embed dim:      %d\n", hp.embed_dim);
    std::printf("depth:          %d\n", hp.depth);
    std::printf("heads:          %d (head dim %d)\n", hp.num_heads, hp.head_dim());
    std::printf("mlp hidden:     %d\n", hp.mlp_hidden);
    std::printf("layer scale:    %s\n", hp.layer_scale ? "yes" : "no");
    std::printf("layer norm eps: %g\n", double(hp.layer_norm_eps));
    print_common_info(info, hp.num_classes);
    return 0;
}

int cmd_predict(const Args& a) {
    const ModelAndImage paths = model_and_image(a, "predict [MODEL] IMAGE");
    const std::string& model_path = paths.model;
    const std::string& image_path = paths.image;
    apply_threads(a);
    ModelRun r;
    r.model = load_model(model_path);
    if (r.model.num_classes() == 0)
        throw std::runtime_error(model_path + ": this model has no classifier (" + r.model.info().architecture +
                                 "); use dump to get its features and attention");
    const std::vector<std::string> labels = class_labels(a, r.model);
    // The default top-5 is clamped to the class count; an explicit --topk must fit it.
    const int k = a.has("topk") ? a.get_int("topk", 5, 1, r.model.num_classes()) : std::min(5, r.model.num_classes());
    r.input = prepare_input(a, r.model, image_path);
    run_forward(a, r);
    if (report_non_finite(model_path, r)) return kExitNonFinite;  // NaN would also break the sort below

    const RowVector& logits = r.model.swin ? r.swin_trace.logits : r.trace.logits;
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
                   ",\"prob\":" + fmt("%.6g", double(p[c])) + "}";
        }
        out += "],\"logits\":[";
        for (Eigen::Index i = 0; i < logits.size(); ++i) out += (i ? "," : "") + fmt("%.7g", double(logits[i]));
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
    r.model = load_model(a.positional[0]);
    r.input = prepare_input(a, r.model, a.positional[1]);
    if (r.model.swin) return swin_dump(a, r);
    run_model(a, r);
    const ViTTrace& t = r.trace;
    const int N = t.num_tokens, H = t.num_heads;
    SafetensorsWriter w;
    if (t.logits.size()) w.add("logits", {t.logits.size()}, t.logits.data());
    w.add("features", {t.features.size()}, t.features.data());
    w.add("input", {3, r.input.height, r.input.width}, r.input.chw);
    for (size_t l = 0; l < t.layers.size(); ++l) {
        w.add("attn." + std::to_string(l), {H, N, N}, t.layers[l].attn.data());
        if (!t.layers[l].logits.empty()) w.add("logits." + std::to_string(l), {H, N, N}, t.layers[l].logits.data());
    }
    w.set_metadata("model", r.model.info().name);
    w.set_metadata("architecture", r.model.info().architecture);
    w.set_metadata("num_prefix_tokens", std::to_string(t.num_prefix));
    w.set_metadata("grid", std::to_string(t.grid_height) + "x" + std::to_string(t.grid_width));
    w.set_metadata("scale", scale_mode_name(t.options.scale_mode));
    w.set_metadata("all_masked_rows", std::to_string(t.all_masked_rows()));
    w.write(a.get("out"));
    std::printf("wrote %s: %zu layers of attention [%d,%d,%d]%s\n", a.get("out").c_str(), t.layers.size(), H, N, N,
                t.logits.size() ? ", logits" : "");
    return report_non_finite(a.positional[0], r) ? kExitNonFinite : 0;
}

int cmd_bench(const Args& a) {
    require_positional(a, 1, "bench MODEL");
    apply_threads(a);
    const int runs = a.get_int("runs", 20, 1, 100000);
    const LoadedModel m = load_model(a.positional[0]);
    if (m.swin) return swin_bench(a, m);
    const ViTModel& vm = *m.vit;
    const ModelInput input = bench_input(a, m);
    const int from = a.get_int("from-layer", 0, 0, vm.hp.depth - 1);
    AttentionOptions opts;
    ViTTrace trace;
    vit_forward(vm, input, opts, trace);  // warm-up (and the state a partial recompute starts from)
    std::vector<double> ms;
    for (int i = 0; i < runs; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        if (from == 0) vit_forward(vm, input, opts, trace);
        else vit_recompute_from(vm, opts, from, trace);
        const auto t1 = std::chrono::steady_clock::now();
        ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    const double flops_full = vit_forward_flops(vm.hp, input.height, input.width);
    // A partial recompute runs (depth - from) of the depth blocks (plus the head).
    const double flops = from == 0 ? flops_full : flops_full * double(vm.hp.depth - from) / vm.hp.depth;
    const int threads = engine_threads();
    std::printf("model:     %s (%s)\n", m.info().name.c_str(), m.info().architecture.c_str());
    std::printf("input:     %dx%d, %d tokens, attention captured for all %d layers x %d heads\n", input.width,
                input.height, trace.num_tokens, vm.hp.depth, vm.hp.num_heads);
    std::printf("threads:   %d\n", threads);
    if (from > 0) std::printf("recompute: layers %d..%d (%d of %d)\n", from, vm.hp.depth - 1, vm.hp.depth - from, vm.hp.depth);
    print_bench_timings(ms, flops, threads);
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
        throw UsageError("unknown command '" + a.command +
                         "' (commands: info, predict, dump, bench, figure, sheet, sweep, analyze; see --help)");
    } catch (const UsageError& e) {
        std::fprintf(stderr, "vitscope-cli: %s\n", e.what());
        return 2;
    }
}

}  // namespace vitscope::cli
