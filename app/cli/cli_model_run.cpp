#include "cli_model_run.h"

#include "cli_commands.h"

#include "class_labels.h"
#include "default_assets.h"
#include "image_loader.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace vitscope::cli {

std::vector<int> parse_int_list(const std::string& name, const std::string& s) {
    std::vector<int> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ',')) {
        size_t used = 0;
        int v = -1;
        try {
            v = std::stoi(item, &used);
        } catch (...) {
            used = 0;
        }
        if (used == 0 || used != item.size() || v < 0)
            throw UsageError("--" + name + " expects comma-separated non-negative integers, got '" + s + "'");
        out.push_back(v);
    }
    return out;
}

void require_positional(const Args& a, size_t n, const char* what) {
    if (a.positional.size() != n)
        throw UsageError(std::string("usage: vitscope-cli ") + a.command + " " + what + " (see --help)");
}

ModelAndImage model_and_image(const Args& a, const char* usage) {
    if (a.positional.size() != 1) require_positional(a, 2, usage);
    // With the image alone, the embedded default model.
    return {a.positional.size() == 2 ? a.positional[0] : default_vit_model_path().toStdString(), a.positional.back()};
}

InputSize input_size(const Args& a, const LoadedModel& m) {
    InputSize s{m.input_height(), m.input_width()};
    if (a.has("input-size")) {
        const std::string v = a.get("input-size");
        int h = 0, w = 0;
        char x = 0, extra = 0;
        if (std::sscanf(v.c_str(), "%d%c%d%c", &h, &x, &w, &extra) != 3 || (x != 'x' && x != 'X') || h <= 0 ||
            w <= 0 || h > 4096 || w > 4096)
            throw UsageError("--input-size expects HxW (e.g. 224x320), got '" + v + "'");
        if (h % m.patch_size() || w % m.patch_size())
            throw UsageError("--input-size " + v + " is not a multiple of the patch size " +
                             std::to_string(m.patch_size()));
        s = {h, w};
    }
    return s;
}

AttentionOptions attention_options(const Args& a, int depth, int heads, int num_tokens) {
    AttentionOptions o;
    if (a.has("scale") && !parse_scale_mode(a.get("scale"), o.scale_mode))
        throw UsageError("--scale must be head, model or none, got '" + a.get("scale") + "'");
    o.temperature = a.get_float("temperature", 1.0f);
    if (!(o.temperature > 0.0f)) throw UsageError("--temperature must be > 0");
    if (a.has("mask-keys")) o.masked_keys = parse_int_list("mask-keys", a.get("mask-keys"));
    for (int k : o.masked_keys)
        if (k >= num_tokens)
            throw UsageError("--mask-keys: token " + std::to_string(k) + " does not exist (the model has " +
                             std::to_string(num_tokens) + " tokens)");
    o.causal = a.has("causal");
    o.padding_mask = !a.has("no-padding-mask");
    if (a.has("layers")) {
        const std::string v = a.get("layers");
        int lo = -1, hi = -1;
        char dash = 0, extra = 0;
        const int n = std::sscanf(v.c_str(), "%d%c%d%c", &lo, &dash, &hi, &extra);
        if (n == 1) hi = lo;
        else if (n != 3 || dash != '-') lo = -1;
        if (lo < 0 || hi < lo || hi >= depth)
            throw UsageError("--layers expects A-B with 0 <= A <= B < " + std::to_string(depth) + ", got '" + v + "'");
        o.first_layer = lo;
        o.last_layer = hi;
    }
    if (a.has("heads")) o.heads = parse_int_list("heads", a.get("heads"));
    if (a.has("ablate-heads")) o.ablated_heads = parse_int_list("ablate-heads", a.get("ablate-heads"));
    for (const std::vector<int>* list : {&o.heads, &o.ablated_heads})
        for (int h : *list)
            if (h >= heads)
                throw UsageError("head " + std::to_string(h) + " does not exist (the model has " +
                                 std::to_string(heads) + " heads)");
    o.keep_logits = a.has("logits");
    apply_kept_layers(a, depth, o);
    return o;
}

void apply_kept_layers(const Args& a, int depth, AttentionOptions& o) {
    if (!a.has("keep-attention")) return;
    const std::string v = a.get("keep-attention");
    if (!parse_kept_layers(v, o))
        throw UsageError("--keep-attention expects all, none or a list of layers L,M,..., got '" + v + "'");
    for (int l : o.kept_layers)
        if (l >= depth)
            throw UsageError("--keep-attention: layer " + std::to_string(l) + " does not exist (the model has " +
                             std::to_string(depth) + ")");
}

SwinOptions swin_options(const Args& a) {
    SwinOptions so;
    so.shift = !a.has("no-shift");
    so.shift_mask = !a.has("no-shift-mask");
    so.relative_position_bias = !a.has("no-rel-bias");
    return so;
}

std::vector<std::string> class_labels(const Args& a, const LoadedModel& m) {
    if (a.has("labels")) return labels_or_numbers(read_label_file(a.get("labels"), m.num_classes()), m.num_classes());
    const ClassLabels found = class_labels_for(m, default_assets_dir().toStdString());
    if (!found.note.empty()) std::fprintf(stderr, "vitscope-cli: note: %s\n", found.note.c_str());
    return labels_or_numbers(found.names, m.num_classes());
}

ModelInput prepare_input(const Args& a, const LoadedModel& m, const std::string& image_path) {
    PreprocessMode mode = PreprocessMode::Crop;
    if (a.has("preprocess") && !parse_preprocess_mode(a.get("preprocess"), mode))
        throw UsageError("--preprocess must be crop, pad or none, got '" + a.get("preprocess") + "'");
    const InputSize size = input_size(a, m);
    PreprocessConfig cfg = preprocess_config(m);
    cfg.height = size.height;
    cfg.width = size.width;
    QString note;
    RgbImage img = load_rgb_image(QString::fromStdString(image_path), &note);
    if (!note.isEmpty()) std::fprintf(stderr, "vitscope-cli: note: %s\n", qPrintable(note));
    try {
        return preprocess(img, mode, cfg);
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(image_path + ": " + e.what());
    }
}

namespace {

int patches(const LoadedModel& m, const ModelInput& in) {
    return (in.height / m.patch_size()) * (in.width / m.patch_size());
}

// The ViT family: depth layers of num_heads heads over the prefix tokens and the patches.
void vit_forward_from(ModelRun& r, const RunOptions& o, int from) {
    if (from == 0) vit_forward(*r.model.vit, r.input, o.attention, r.trace);
    else vit_recompute_from(*r.model.vit, o.attention, from, r.trace);
}

const ArchitectureRun kViTRun = {
    "layers",
    [](const LoadedModel& m) { return m.vit->hp.num_heads; },
    [](const LoadedModel& m, const ModelInput& in) { return m.vit->hp.num_prefix_tokens() + patches(m, in); },
    vit_forward_from,
    [](const LoadedModel& m, int h, int w) { return vit_forward_flops(m.vit->hp, h, w); },
};

// Swin: the layer index is the global block index, the mask keys are stage-0 patches.
void swin_forward_from(ModelRun& r, const RunOptions& o, int from) {
    if (from == 0) swin_forward(*r.model.swin, r.input, o.attention, o.swin, r.swin_trace);
    else swin_recompute_from(*r.model.swin, o.attention, o.swin, from, r.swin_trace);
}

const ArchitectureRun kSwinRun = {
    "blocks",
    [](const LoadedModel& m) { return *std::max_element(m.swin->hp.num_heads.begin(), m.swin->hp.num_heads.end()); },
    patches,
    swin_forward_from,
    [](const LoadedModel& m, int h, int w) { return swin_forward_flops(*m.swin, h, w); },
};

}  // namespace

AttentionSource ModelRun::source() const {
    return model.swin ? AttentionSource(swin_trace) : AttentionSource(trace, model.patch_size());
}
const RowVector& ModelRun::logits() const {
    return with_trace(*this, [](const auto& t) -> const RowVector& { return t.logits; });
}
const RowVector& ModelRun::features() const {
    return with_trace(*this, [](const auto& t) -> const RowVector& { return t.features; });
}
const AttentionOptions& ModelRun::options() const {
    return with_trace(*this, [](const auto& t) -> const AttentionOptions& { return t.options; });
}
int ModelRun::all_masked_rows() const {
    return with_trace(*this, [](const auto& t) { return t.all_masked_rows(); });
}
int64_t ModelRun::non_finite_values() const {
    return with_trace(*this, [](const auto& t) { return t.non_finite_values(); });
}

const ArchitectureRun& architecture_run(const LoadedModel& m) { return for_architecture(m, kViTRun, kSwinRun); }

void run_forward(const Args& a, ModelRun& r) {
    const ArchitectureRun& arch = architecture_run(r.model);
    RunOptions o;
    o.attention = attention_options(a, r.model.attention_layers(), arch.max_heads(r.model),
                                    arch.mask_key_tokens(r.model, r.input));
    o.swin = swin_options(a);
    arch.forward(r, o, 0);
    if (r.all_masked_rows() > 0)
        std::fprintf(stderr,
                     "vitscope-cli: warning: %d attention rows had every key masked; their probabilities are 0\n",
                     r.all_masked_rows());
}

void apply_threads(const Args& a) {
    set_engine_threads(a.get_int("threads", 0, 0, 1024));
    set_engine_thread_adaptation(!a.has("fixed-threads"));
}

}  // namespace vitscope::cli
