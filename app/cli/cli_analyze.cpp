#include "cli_analyze.h"

#include "cli_commands.h"
#include "cli_hub.h"
#include "cli_model_run.h"

#include "attention_distance.h"
#include "attention_rollout.h"
#include "attention_source.h"
#include "embedding_structure.h"
#include "head_similarity.h"
#include "mask_leakage.h"
#include "swin_explained.h"
#include "swin_figure.h"
#include "softmax_saturation.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <set>
#include <stdexcept>

namespace vitscope::cli {

namespace {

using Table = std::vector<std::vector<double>>;  // [layer][head]

std::string num(double v) {
    if (!std::isfinite(v)) v = 0;  // JSON has no NaN or infinity; no analysis yields them on a valid trace
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.7g", v);
    return buf;
}

template <typename T>
std::string json_list(const std::vector<T>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + num(double(v[i]));
    return s + "]";
}

std::string json_table(const Table& t) {
    std::string s = "[";
    for (size_t i = 0; i < t.size(); ++i) s += (i ? "," : "") + json_list(t[i]);
    return s + "]";
}

// A square matrix [n*n] as a list of rows.
template <typename T>
std::string json_square(const std::vector<T>& m, int n) {
    std::string s = "[";
    for (int r = 0; r < n; ++r) {
        s += r ? ",[" : "[";
        for (int c = 0; c < n; ++c) s += (c ? "," : "") + num(double(m[size_t(r) * n + c]));
        s += "]";
    }
    return s + "]";
}

double mean_of(const std::vector<double>& v) { return v.empty() ? 0.0 : std::accumulate(v.begin(), v.end(), 0.0) / double(v.size()); }

// "layer   head 0  head 1 ...  mean" rows, each value with `format`.
void print_table(const char* title, const AttentionSource& s, const Table& t, const char* format) {
    std::printf("%s\n", title);
    int max_heads = 0;
    for (const auto& row : t) max_heads = std::max(max_heads, int(row.size()));
    std::printf("  %-32s", "");
    for (int h = 0; h < max_heads; ++h) std::printf(" %9s", ("head " + std::to_string(h)).c_str());
    std::printf(" %9s\n", "mean");
    for (size_t l = 0; l < t.size(); ++l) {
        std::printf("  %-32s", s.name(int(l)).c_str());
        for (int h = 0; h < max_heads; ++h) {
            if (h < int(t[l].size())) std::printf(format, t[l][size_t(h)]);
            else std::printf(" %9s", "");
        }
        std::printf(format, mean_of(t[l]));
        std::printf("\n");
    }
}

void print_grid(const std::vector<float>& values, int gh, int gw) {
    for (int r = 0; r < gh; ++r) {
        std::printf(" ");
        for (int c = 0; c < gw; ++c) std::printf(" %4.2f", double(values[size_t(r) * gw + c]));
        std::printf("\n");
    }
}

const std::set<std::string> kWhat = {"rollout", "distance", "saturation", "leakage", "heads", "posembed", "filters",
                                     "swin-leakage"};

RolloutOptions rollout_options(const Args& a, int depth) {
    RolloutOptions o;
    if (a.has("fusion") && !parse_head_fusion(a.get("fusion"), o.fusion))
        throw UsageError("--fusion must be mean, max or min, got '" + a.get("fusion") + "'");
    o.discard_ratio = a.get_float("discard", 0.0f);
    if (!(o.discard_ratio >= 0.0 && o.discard_ratio < 1.0))
        throw UsageError("--discard must be in [0, 1), got '" + a.get("discard") + "'");
    o.start_layer = a.get_int("start-layer", 0, 0, depth - 1);
    return o;
}

int analyze_rollout(const Args& a, const ModelRun& r) {
    const RolloutMap m = attention_rollout(r.trace, rollout_options(a, int(r.trace.layers.size())));
    if (a.has("json")) {
        std::printf("{\"rollout\":{\"grid\":[%d,%d],\"values\":%s}}\n", m.grid_height, m.grid_width,
                    json_list(m.values).c_str());
        return 0;
    }
    const RolloutOptions o = rollout_options(a, int(r.trace.layers.size()));
    std::printf("attention rollout of %s (heads fused by %s, discard %.2f, layers %d..%zu), row 0 over the %dx%d "
                "patches, max 1:\n",
                r.trace.token_name(0).c_str(), head_fusion_name(o.fusion), o.discard_ratio, o.start_layer,
                r.trace.layers.size() - 1, m.grid_height, m.grid_width);
    print_grid(m.values, m.grid_height, m.grid_width);
    return 0;
}

int analyze_distance(const Args& a, const AttentionSource& s) {
    const Table d = mean_attention_distance(s);
    const TokenGrid g = s.grid(0);
    const double patch = double(s.image_height()) / g.height;
    const double uniform = uniform_attention_distance(g.height, g.width, patch);
    if (a.has("json")) {
        std::printf("{\"distance\":{\"px\":%s,\"uniform_px\":%s}}\n", json_table(d).c_str(), num(uniform).c_str());
        return 0;
    }
    print_table(s.is_swin() ? "mean attention distance (input pixels, within each query's window):"
                            : "mean attention distance (input pixels, patch keys only):",
                s, d, " %9.1f");
    std::printf("uniform attention over the %dx%d grid of the first %s: %.1f px\n", g.height, g.width,
                s.is_swin() ? "block (whole image, no windows)" : "layer", uniform);
    return 0;
}

int analyze_saturation(const Args& a, const AttentionSource& s, const AttentionOptions& o) {
    const SaturationStats st = softmax_saturation(s);
    if (a.has("json")) {
        std::printf("{\"saturation\":{\"entropy\":%s,\"max_prob\":%s,\"jacobian_fro\":%s}}\n",
                    json_table(st.entropy).c_str(), json_table(st.max_prob).c_str(), json_table(st.jacobian_fro).c_str());
        return 0;
    }
    std::printf("softmax saturation with --scale %s --temperature %g (mean over every query):\n",
                scale_mode_name(o.scale_mode), double(o.temperature));
    print_table("entropy (nats):", s, st.entropy, " %9.3f");
    print_table("largest probability:", s, st.max_prob, " %9.3f");
    print_table("||diag(p) - p p^T||_F (0 = no gradient through the softmax):", s, st.jacobian_fro, " %9.4f");
    std::printf("sandbox: random unit-variance q, k (seed 1, 2000 pairs): std of q.k grows like sqrt(d_k)\n");
    std::printf("  %6s %10s %10s %14s %14s\n", "d_k", "std(q.k)", "sqrt(d_k)", "max p raw", "max p scaled");
    for (const DotProductSpread& d : dot_product_spread(sandbox_dims(), 2000, 1)) {
        const SoftmaxScalingRow row = softmax_scaling_row(d.d_k, 16, 2);
        std::printf("  %6d %10.2f %10.2f %14.4f %14.4f\n", d.d_k, d.std, std::sqrt(double(d.d_k)),
                    double(*std::max_element(row.unscaled.begin(), row.unscaled.end())),
                    double(*std::max_element(row.scaled.begin(), row.scaled.end())));
    }
    return 0;
}

int analyze_leakage(const Args& a, const AttentionSource& s, const ModelInput& in, const AttentionOptions& o) {
    const Table share = padding_attention_share(s);
    if (a.has("json")) {
        std::printf("{\"leakage\":{\"share\":%s}}\n", json_table(share).c_str());
        return 0;
    }
    if (!in.has_padding())
        std::printf("note: the input has no padding (use --preprocess pad on a non-square image): all shares are 0\n");
    std::printf("share of each query's attention on padding keys, padding mask %s:\n", o.padding_mask ? "on" : "off");
    print_table("", s, share, " %9.4f");
    return 0;
}

// Per block and head, the attention that crosses shift regions (what the -100 mask cuts); 0 with the
// mask on and for blocks without a shift. Swin only.
int analyze_swin_leakage(const Args& a, const SwinTrace& t) {
    Table share;
    for (size_t b = 0; b < t.blocks.size(); ++b) share.push_back(swin_cross_region_share(t, int(b)));
    if (a.has("json")) {
        std::printf("{\"swin_leakage\":{\"share\":%s}}\n", json_table(share).c_str());
        return 0;
    }
    std::printf("attention on keys of another shift region (mean per query), shift mask %s:\n",
                t.swin_options.shift_mask ? "on (so exactly 0)" : "off");
    for (size_t b = 0; b < share.size(); ++b) {
        std::printf("  %-34s", swin_block_name(t, int(b)).c_str());
        for (double v : share[b]) std::printf(" %9.4f", v);
        std::printf("\n");
    }
    return 0;
}

int analyze_heads(const Args& a, const AttentionSource& s, const ModelRun& r, const std::vector<std::string>& labels) {
    const std::vector<std::vector<double>> js = head_js_divergence(s);
    if (a.has("json")) {
        std::string out = "{\"heads\":{\"js\":[";
        for (size_t l = 0; l < js.size(); ++l) out += (l ? "," : "") + json_square(js[l], s.heads(int(l)));
        std::printf("%s]}}\n", out.c_str());
        return 0;
    }
    std::printf("Jensen-Shannon divergence between heads (nats, max ln 2 = 0.693), mean over queries:\n");
    for (size_t l = 0; l < js.size(); ++l) {
        const int H = s.heads(int(l));
        std::printf("  %s\n", s.name(int(l)).c_str());
        for (int i = 0; i < H; ++i) {
            std::printf("    ");
            for (int j = 0; j < H; ++j) std::printf(" %6.3f", js[l][size_t(i) * H + j]);
            std::printf("\n");
        }
    }
    if (r.model.num_classes() == 0) return 0;
    std::printf("top-5 with one head ablated (within --layers):\n");
    const std::vector<HeadAblation> ab = r.model.swin ? ablate_each_head(*r.model.swin, r.swin_trace, 5)
                                                      : ablate_each_head(*r.model.vit, r.trace, 5);
    for (const HeadAblation& h : ab) {
        std::printf("  %-10s", h.head < 0 ? "none" : ("head " + std::to_string(h.head)).c_str());
        for (const ClassProb& c : h.top) std::printf("  %s %.3f", labels[size_t(c.cls)].c_str(), double(c.prob));
        std::printf("\n");
    }
    return 0;
}

int analyze_posembed(const Args& a, const ViTModel& m) {
    const PositionSimilarity p = position_embedding_similarity(m);
    const int N = p.grid_height * p.grid_width;
    if (a.has("json")) {
        std::printf("{\"posembed\":{\"grid\":[%d,%d],\"cosine\":%s}}\n", p.grid_height, p.grid_width,
                    json_square(p.cosine, N).c_str());
        return 0;
    }
    const int centre = (p.grid_height / 2) * p.grid_width + p.grid_width / 2;
    std::printf("cosine similarity of the position embedding of patch (%d, %d) with every patch (%dx%d grid):\n",
                p.grid_height / 2, p.grid_width / 2, p.grid_height, p.grid_width);
    std::vector<float> row(p.cosine.begin() + ptrdiff_t(size_t(centre) * N), p.cosine.begin() + ptrdiff_t(size_t(centre + 1) * N));
    for (int r = 0; r < p.grid_height; ++r) {
        std::printf(" ");
        for (int c = 0; c < p.grid_width; ++c) std::printf(" %5.2f", double(row[size_t(r) * p.grid_width + c]));
        std::printf("\n");
    }
    return 0;
}

int analyze_filters(const Args& a, const ViTModel& m) {
    const FilterComponents f = patch_filter_components(m, 28);
    if (a.has("json")) {
        std::string out = "{\"filters\":{\"components\":[";
        for (size_t i = 0; i < f.tiles.size(); ++i) out += (i ? "," : "") + json_list(f.tiles[i]);
        std::printf("%s]}}\n", out.c_str());
        return 0;
    }
    const double total = std::accumulate(f.variance.begin(), f.variance.end(), 0.0);
    std::printf("%zu principal components of the %d patch filters (3x%dx%d), each an RGB tile [%d,%d,3] in [0,1] "
                "(--json for the tiles):\n",
                f.tiles.size(), m.hp.embed_dim, f.patch_size, f.patch_size, f.patch_size, f.patch_size);
    std::printf("  %4s %12s %10s\n", "pc", "variance", "share");
    for (size_t i = 0; i < f.variance.size(); ++i)
        std::printf("  %4zu %12.5g %9.1f%%\n", i, f.variance[i], total > 0 ? 100.0 * f.variance[i] / total : 0.0);
    return 0;
}

}  // namespace

std::string analyze_usage() {
    return "usage: vitscope-cli analyze [MODEL] IMAGE --what WHAT [options]\n\n"
           "One analysis of the model's attention on the image, as a table or with --json as one object:\n"
           "  rollout     attention rollout (Abnar & Zuidema 2020) of the first token over the patches\n"
           "              {\"rollout\":{\"grid\":[h,w],\"values\":[h*w]}}  (ViT only)\n"
           "  distance    mean attention distance per layer and head in input pixels (ViT paper Fig. 7)\n"
           "              {\"distance\":{\"px\":[[per head] per layer],\"uniform_px\":x}}\n"
           "  saturation  per layer and head: softmax entropy (nats), largest probability, Frobenius norm of\n"
           "              the softmax Jacobian; in the table also the d_k sandbox\n"
           "              {\"saturation\":{\"entropy\":..,\"max_prob\":..,\"jacobian_fro\":..}}\n"
           "  leakage     share of attention on image padding (--preprocess pad, non-square image)\n"
           "              {\"leakage\":{\"share\":[[..]..]}}\n"
           "  heads       Jensen-Shannon divergence between heads {\"heads\":{\"js\":[[H x H] per layer]}};\n"
           "              in the table also the top-5 with each head ablated\n"
           "  posembed    cosine similarity of the patch position embeddings\n"
           "              {\"posembed\":{\"grid\":[h,w],\"cosine\":[N x N]}}  (ViT only)\n"
           "  filters     the first 28 principal components of the patch filters as RGB tiles [P,P,3]\n"
           "              {\"filters\":{\"components\":[[..]..]}}  (ViT only)\n"
           "  swin-leakage  per block and head, the attention on keys of another shift region (what the\n"
           "              -100 mask cuts: 0 with it, see --no-shift-mask) {\"swin_leakage\":{\"share\":[[per head]\n"
           "              per block]}}  (Swin only)\n"
           "Layers in order (Swin: blocks of all stages), heads in order. Without MODEL, the embedded\n"
           "default ViT.\n\n"
           "  --what WHAT                 the analysis (required)\n"
           "  --fusion mean|max|min       rollout: how the heads of a layer are fused (default mean)\n"
           "  --discard R                 rollout: zero the floor(R*N*N) smallest entries of each layer\n"
           "                              (never the first token's column), 0 <= R < 1 (default 0)\n"
           "  --start-layer L             rollout: the first layer chained in (default 0)\n"
           "  --json                      one JSON object with exactly the keys above\n";
}

int cmd_analyze(const Args& a) {
    const ModelAndImage paths = model_and_image(a, "analyze [MODEL] IMAGE --what WHAT");
    if (!a.has("what"))
        throw UsageError("analyze needs --what (rollout, distance, saturation, leakage, heads, posembed, filters, "
                         "swin-leakage)");
    const std::string what = a.get("what");
    if (!kWhat.count(what))
        throw UsageError("--what must be rollout, distance, saturation, leakage, heads, posembed, filters or "
                         "swin-leakage, got '" + what + "'");
    apply_threads(a);
    ModelRun r;
    r.model = load_cli_model(paths.model);
    if (r.model.swin && (what == "rollout" || what == "posembed" || what == "filters"))
        throw std::runtime_error("analyze --what " + what + " needs a ViT-family model; " + paths.model +
                                 " is Swin (" +
                                 (what == "rollout" ? "its stages merge tokens, so layers do not chain"
                                                    : "it has no absolute position embedding or readable patch filters") +
                                 ")");
    if (what == "swin-leakage" && !r.model.swin)
        throw std::runtime_error("analyze --what swin-leakage needs a Swin model; " + paths.model +
                                 " is of the ViT family (no shifted windows)");
    if (what == "posembed") return analyze_posembed(a, *r.model.vit);
    if (what == "filters") return analyze_filters(a, *r.model.vit);
    if (what == "rollout") rollout_options(a, r.model.vit->hp.depth);  // usage errors before the forward pass
    r.input = prepare_input(a, r.model, paths.image);
    run_forward(a, r);
    if (what == "rollout") return analyze_rollout(a, r);
    if (what == "swin-leakage") return analyze_swin_leakage(a, r.swin_trace);
    const AttentionSource s = r.source();
    const AttentionOptions& o = r.options();
    if (what == "distance") return analyze_distance(a, s);
    if (what == "saturation") return analyze_saturation(a, s, o);
    if (what == "leakage") return analyze_leakage(a, s, r.input, o);
    return analyze_heads(a, s, r, class_labels(a, r.model));
}

}  // namespace vitscope::cli
