// One mapping layer: Hugging Face, timm (>= 0.9) or Microsoft / old-timm tensor names -> SwinWeights.
// The relative_position_index and attn_mask buffers some checkpoints carry are never read: both are
// computed (swin_geometry.h).
#include "model_limits.h"
#include "swin_model.h"
#include "tensor_names.h"
#include "weight_reader.h"

#include <cmath>
#include <map>

namespace vitscope {

namespace {

enum class SwinNaming { HuggingFace, Timm, Microsoft };

// Names of every tensor the model needs, in one naming scheme.
struct SwinTensorNames {
    SwinNaming scheme = SwinNaming::Timm;
    std::string prefix;  // HF: "swin." (classifier) or "" (bare SwinModel)

    bool hf() const { return scheme == SwinNaming::HuggingFace; }
    std::string patch_embed() const { return hf() ? prefix + "embeddings.patch_embeddings.projection" : "patch_embed.proj"; }
    std::string patch_norm() const { return hf() ? prefix + "embeddings.norm" : "patch_embed.norm"; }
    std::string stage_prefix() const { return hf() ? prefix + "encoder.layers." : "layers."; }
    std::string stage(int s) const { return stage_prefix() + std::to_string(s) + "."; }
    std::string block(int s, int b) const { return stage(s) + "blocks." + std::to_string(b) + "."; }
    std::string norm1() const { return hf() ? "layernorm_before" : "norm1"; }
    std::string table() const {
        return hf() ? "attention.self.relative_position_bias_table" : "attn.relative_position_bias_table";
    }
    std::string proj() const { return hf() ? "attention.output.dense" : "attn.proj"; }
    std::string norm2() const { return hf() ? "layernorm_after" : "norm2"; }
    std::string fc1() const { return hf() ? "intermediate.dense" : "mlp.fc1"; }
    std::string fc2() const { return hf() ? "output.dense" : "mlp.fc2"; }
    // The patch merging that follows stage s: timm >= 0.9 files it at the start of stage s + 1.
    std::string downsample_after(int s) const {
        return (scheme == SwinNaming::Timm ? stage(s + 1) : stage(s)) + "downsample.";
    }
    std::string final_norm() const { return hf() ? prefix + "layernorm" : "norm"; }
    std::string head() const {
        return hf() ? "classifier" : (scheme == SwinNaming::Timm ? "head.fc" : "head");
    }
};

// Blocks per stage, from names "<stage_prefix>S.blocks.B.": stage S has max(B) + 1 blocks. Parsed
// with plain string code; an index beyond the limits is reported with the tensor's name.
std::vector<int> count_stage_blocks(const SafetensorsFile& f, const std::string& stage_prefix) {
    auto too_large = [&](const std::string& name, const char* what, int64_t index, int limit) {
        throw FileError(f.path() + ": tensor " + quoted_name(name) + " has " + what + " index " +
                        (index == kIndexTooLarge ? std::string("beyond 10^18") : std::to_string(index)) +
                        ", more than the limit of " + std::to_string(limit));
    };
    std::map<int, int> blocks;
    for (const auto& [name, _] : f.tensors()) {
        const IndexedName stage = parse_indexed_name(name, stage_prefix);
        if (!stage.matched) continue;
        const IndexedName block = parse_indexed_name(stage.rest, "blocks.");
        if (!block.matched) continue;
        if (stage.index >= kMaxSwinStages) too_large(name, "stage", stage.index, kMaxSwinStages);
        if (block.index >= kMaxDepth) too_large(name, "block", block.index, kMaxDepth);
        int& n = blocks[int(stage.index)];
        n = std::max(n, int(block.index) + 1);
    }
    std::vector<int> depths;
    for (const auto& [s, n] : blocks) {
        if (s != int(depths.size())) return {};  // a gap: reported by the caller
        depths.push_back(n);
    }
    return depths;
}

std::string list_string(const std::vector<int>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) {
        if (i) s += ',';
        s += std::to_string(v[i]);
    }
    s += ']';
    return s;
}

SwinTensorNames detect_naming(const CheckpointSource& src, ModelInfo& info) {
    const SafetensorsFile& f = *src.file;
    SwinTensorNames names;
    const std::string hf_suffix = "embeddings.patch_embeddings.projection.weight";
    const std::string hf_pe = src.find_suffix(hf_suffix);
    if (!hf_pe.empty()) {
        names.scheme = SwinNaming::HuggingFace;
        names.prefix = hf_pe.substr(0, hf_pe.size() - hf_suffix.size());
        info.naming = "Hugging Face transformers";
    } else if (f.has("patch_embed.proj.weight")) {
        // timm >= 0.9 merges at the start of stages 1.., the Microsoft release at the end of stages ..S-2.
        const bool merge_first = f.has("layers.0.downsample.reduction.weight");
        const bool merge_later = f.has("layers.1.downsample.reduction.weight");
        if (merge_first) names.scheme = SwinNaming::Microsoft;
        else if (merge_later) names.scheme = SwinNaming::Timm;
        else names.scheme = f.has("head.fc.weight") ? SwinNaming::Timm : SwinNaming::Microsoft;  // one stage
        info.naming = names.scheme == SwinNaming::Timm ? "timm (>= 0.9)" : "Microsoft Swin / timm (< 0.9)";
    } else {
        throw FileError(f.path() + ": no Swin patch embedding found (expected 'patch_embed.proj.weight' or "
                                   "'*embeddings.patch_embeddings.projection.weight')");
    }
    return names;
}

[[noreturn]] void bad_shape(const SafetensorsFile& f, const std::string& name, const std::string& expected) {
    throw FileError(f.path() + ": tensor " + quoted_name(name) + " has shape " + shape_string(f.info(name).shape) +
                    ", expected " + expected);
}

// Patch embedding, stages, per-stage heads and windows (from the bias tables) and the MLP ratio;
// every value bounded as it is read. Returns each stage's window.
std::vector<int> infer_shapes(const SafetensorsFile& f, const SwinTensorNames& names, SwinHparams& hp) {
    const std::string& path = f.path();
    const std::string pe = names.patch_embed() + ".weight";
    const auto& pe_shape = f.info(pe).shape;
    if (pe_shape.size() != 4 || pe_shape[1] != 3 || pe_shape[2] != pe_shape[3]) bad_shape(f, pe, "[D,3,P,P]");
    hp.embed_dim = checked_hparam(pe_shape[0], 1, kMaxWidth, path, pe, "embed_dim");
    hp.in_chans = 3;
    hp.patch_size = checked_hparam(pe_shape[2], 1, kMaxImageSide, path, pe, "patch size");

    hp.depths = count_stage_blocks(f, names.stage_prefix());
    if (hp.depths.empty()) throw FileError(path + ": no Swin blocks found (or the stage numbers have a gap)");
    const int S = hp.num_stages();
    // Channels double at every merge: embed_dim << (S - 1) must stay within the width limit.
    if ((int64_t(hp.embed_dim) << (S - 1)) > kMaxWidth)
        throw FileError(path + ": " + std::to_string(S) + " stages from embed_dim " + std::to_string(hp.embed_dim) +
                        " reach " + std::to_string(int64_t(hp.embed_dim) << (S - 1)) + " channels, more than the limit of " +
                        std::to_string(kMaxWidth));

    // Heads and windows from each stage's first bias table: [(2M-1)^2, heads].
    std::vector<int> stage_window(size_t(S), 0);
    hp.num_heads.resize(size_t(S));
    for (int s = 0; s < S; ++s) {
        const std::string t = names.block(s, 0) + names.table();
        if (!f.has(t)) throw FileError(path + ": tensor " + quoted_name(t) + " is missing");
        const auto& ts = f.info(t).shape;
        const int64_t side = ts.size() == 2 ? std::llround(std::sqrt(double(ts[0]))) : 0;
        if (ts.size() != 2 || side * side != ts[0] || side % 2 == 0 || ts[1] < 1) bad_shape(f, t, "[(2M-1)^2,heads]");
        stage_window[size_t(s)] = checked_hparam((side + 1) / 2, 1, kMaxWindow, path, t, "window");
        hp.num_heads[size_t(s)] = checked_hparam(ts[1], 1, kMaxHeads, path, t, "heads");
        if (hp.stage_dim(s) % hp.num_heads[size_t(s)] != 0)
            throw FileError(path + ": tensor " + quoted_name(t) + " gives " + std::to_string(ts[1]) +
                            " heads, which do not divide the stage's " + std::to_string(hp.stage_dim(s)) + " channels");
    }
    hp.window_size = stage_window[0];

    // MLP width from the first block's fc1.
    const std::string fc1 = names.block(0, 0) + names.fc1() + ".weight";
    if (!f.has(fc1)) throw FileError(path + ": tensor " + quoted_name(fc1) + " is missing");
    const auto& fc1_shape = f.info(fc1).shape;
    if (fc1_shape.size() != 2 || fc1_shape[1] != hp.embed_dim) bad_shape(f, fc1, "[hidden," + std::to_string(hp.embed_dim) + "]");
    hp.mlp_ratio = float(checked_hparam(fc1_shape[0], 1, kMaxWidth, path, fc1, "MLP width")) / float(hp.embed_dim);
    hp.qkv_bias = names.hf() ? f.has(names.block(0, 0) + "attention.self.query.bias")
                             : f.has(names.block(0, 0) + "attn.qkv.bias");
    return stage_window;
}

// What config.json states must agree with the shapes; image size and eps come from it.
void apply_config(const CheckpointSource& src, SwinHparams& hp, ModelInfo& info) {
    const std::string& path = src.file->path();
    auto fail = [&](const std::string& what) { throw FileError(path + ": " + what); };
    if (const auto d = config_int_list(src, "depths", 0, kMaxDepth); d && *d != hp.depths)
        fail("config.json says depths " + list_string(*d) + " but the file has " + list_string(hp.depths));
    if (const auto h = config_int_list(src, "num_heads", 0, kMaxHeads); h && *h != hp.num_heads)
        fail("config.json says num_heads " + list_string(*h) + " but the relative position bias tables have " +
             list_string(hp.num_heads));
    if (const auto m = config_int(src, "window_size", 1, kMaxWindow); m && *m != hp.window_size)
        fail("config.json says window_size " + std::to_string(*m) + " but the bias table of stage 0 is for window " +
             std::to_string(hp.window_size));
    if (const auto d = config_int(src, "embed_dim", 1, kMaxWidth); d && *d != hp.embed_dim)
        fail("config.json says embed_dim " + std::to_string(*d) + " but the patch embedding has " +
             std::to_string(hp.embed_dim));
    if (const auto p = config_int(src, "patch_size", 1, kMaxImageSide); p && *p != hp.patch_size)
        fail("config.json says patch_size " + std::to_string(*p) + " but the patch embedding is " +
             std::to_string(hp.patch_size));
    if (const auto r = config_number(src, "mlp_ratio", 0.0, double(kMaxWidth)); r && std::fabs(*r - hp.mlp_ratio) > 1e-6)
        fail("config.json says mlp_ratio " + std::to_string(*r) + " but fc1 of the first block has " +
             std::to_string(int(std::lround(hp.mlp_ratio * float(hp.embed_dim)))) + " outputs");
    if (!src.config) {
        info.inferred.push_back("depths " + list_string(hp.depths) + " (counted blocks)");
        info.inferred.push_back("num_heads " + list_string(hp.num_heads) + " (from the relative position bias tables)");
        info.inferred.push_back("window_size " + std::to_string(hp.window_size) + " (from the relative position bias table)");
    }
    const JsonValue* size = src.config ? src.config->find("image_size") : nullptr;
    if (size && size->is_number()) {
        hp.image_size = *config_int(src, "image_size", hp.patch_size, kMaxImageSide);
    } else {
        hp.image_size = 224;
        info.inferred.push_back("image size 224 (not stored in the weights)");
    }
    if (const auto eps = config_number(src, "layer_norm_eps", 0.0, 1.0)) {
        hp.layer_norm_eps = float(*eps);
    } else {
        hp.layer_norm_eps = 1e-5f;
        info.inferred.push_back(std::string("layer_norm_eps = 1e-5 (") +
                                (src.config ? "not in config.json" : "timm's and torchvision's default") + ")");
    }
    if (src.config) {
        const std::string act = src.config->string_or("hidden_act", "gelu");
        if (act != "gelu") fail("config.json hidden_act '" + act + "' is not supported (only exact 'gelu')");
    }
}

SwinBlock read_block(WeightReader& r, const SafetensorsFile& f, const SwinTensorNames& names, const SwinHparams& hp,
                     int s, int bi, int M) {
    const int C = hp.stage_dim(s), H = hp.num_heads[size_t(s)];
    const float eps = hp.layer_norm_eps;
    const std::string b = names.block(s, bi);
    SwinBlock blk;
    blk.norm1 = r.layer_norm(b + names.norm1(), C, eps);
    if (names.hf()) {
        // Separate query, key, value -> one fused [C -> 3C] projection.
        std::vector<float> qkv_w, qkv_b;
        for (const char* part : {"query", "key", "value"}) {
            const std::string base = b + "attention.self." + part;
            std::vector<float> pw = r.read(base + ".weight", {C, C});
            qkv_w.insert(qkv_w.end(), pw.begin(), pw.end());
            if (hp.qkv_bias) {
                std::vector<float> pb = r.read(base + ".bias", {C});
                qkv_b.insert(qkv_b.end(), pb.begin(), pb.end());
            }
        }
        blk.qkv = make_linear(qkv_w, 3 * C, C, qkv_b);
    } else {
        blk.qkv = r.linear(b + "attn.qkv", 3 * C, C, hp.qkv_bias ? WeightReader::Bias::Required : WeightReader::Bias::None);
    }
    // Blocks of one stage share a window; the first block's table defined it.
    const int side = 2 * M - 1;
    std::vector<float> table = r.read(b + names.table(), {int64_t(side) * side, H});
    blk.window = M;
    blk.relative_position_bias_table = Eigen::Map<const Matrix>(table.data(), side * side, H);
    blk.proj = r.linear(b + names.proj(), C, C, WeightReader::Bias::Required);
    blk.norm2 = r.layer_norm(b + names.norm2(), C, eps);
    const std::string fc1 = b + names.fc1() + ".weight";
    if (!r.has(fc1)) throw FileError(f.path() + ": tensor " + quoted_name(fc1) + " is missing");
    const auto& fs = r.shape(fc1);
    if (fs.size() != 2 || fs[1] != C) bad_shape(f, fc1, "[hidden," + std::to_string(C) + "]");
    const int hidden = checked_hparam(fs[0], 1, kMaxWidth, f.path(), fc1, "MLP width");
    blk.fc1 = r.linear(b + names.fc1(), hidden, C, WeightReader::Bias::Required);
    blk.fc2 = r.linear(b + names.fc2(), C, hidden, WeightReader::Bias::Required);
    return blk;
}

void read_weights(WeightReader& r, const SafetensorsFile& f, const SwinTensorNames& names,
                  const std::vector<int>& stage_window, SwinHparams& hp, SwinWeights& w) {
    const int D = hp.embed_dim, S = hp.num_stages();
    const float eps = hp.layer_norm_eps;
    {
        std::vector<float> pw = r.read(names.patch_embed() + ".weight", {D, 3, hp.patch_size, hp.patch_size});
        std::vector<float> pb = r.read(names.patch_embed() + ".bias", {D});
        w.patch_embed = make_linear(pw, D, hp.in_chans * hp.patch_size * hp.patch_size, pb);
    }
    w.patch_norm = r.layer_norm(names.patch_norm(), D, eps);
    for (int s = 0; s < S; ++s) {
        SwinStage stage;
        const int C = hp.stage_dim(s);
        for (int bi = 0; bi < hp.depths[size_t(s)]; ++bi)
            stage.blocks.push_back(read_block(r, f, names, hp, s, bi, stage_window[size_t(s)]));
        if (s + 1 < S) {
            const std::string m = names.downsample_after(s);
            if (!r.has(m + "reduction.weight"))
                throw FileError(f.path() + ": tensor " + quoted_name(m + "reduction.weight") +
                                " is missing (patch merging after stage " + std::to_string(s) + ")");
            stage.has_downsample = true;
            stage.downsample.norm = r.layer_norm(m + "norm", 4 * C, eps);
            stage.downsample.reduction = r.linear(m + "reduction", 2 * C, 4 * C, WeightReader::Bias::None);
        }
        w.stages.push_back(std::move(stage));
    }
    const int F = hp.num_features();
    w.norm = r.layer_norm(names.final_norm(), F, eps);
    const std::string head = names.head() + ".weight";
    if (r.has(head)) {
        const auto& hs = r.shape(head);
        if (hs.size() != 2 || hs[1] != F) bad_shape(f, head, "[classes," + std::to_string(F) + "]");
        hp.num_classes = checked_hparam(hs[0], 1, kMaxClasses, f.path(), head, "classes");
        w.head = r.linear(names.head(), hp.num_classes, F, WeightReader::Bias::Required);
    }
}

}  // namespace

int SwinHparams::total_blocks() const {
    int n = 0;
    for (int d : depths) n += d;
    return n;
}

SwinModel load_swin_model(const CheckpointSource& src) {
    SwinModel model;
    SwinHparams& hp = model.hp;
    ModelInfo& info = model.info;
    info.name = src.display_name;
    info.crop_pct = 0.875f;  // timm / torchvision / Hugging Face Swin evaluation transform
    const SwinTensorNames names = detect_naming(src, info);
    const std::vector<int> stage_window = infer_shapes(*src.file, names, hp);
    apply_config(src, hp, info);
    WeightReader r(*src.file);
    read_weights(r, *src.file, names, stage_window, hp, model.w);
    info.architecture = "Swin (window " + std::to_string(hp.window_size) + ", depths " + list_string(hp.depths) + ")";
    if (hp.num_classes == 0) info.architecture += " (no classifier: features and attention only)";
    apply_preprocessor_config(src, info, hp.image_size);
    if (src.config) info.labels = labels_from_config(*src.config, hp.num_classes);
    info.num_parameters = r.parameters();
    return model;
}

double swin_forward_flops(const SwinModel& m, int image_height, int image_width) {
    const SwinHparams& hp = m.hp;
    int h = image_height / hp.patch_size, w = image_width / hp.patch_size;
    double macs = double(h) * w * hp.in_chans * hp.patch_size * hp.patch_size * hp.embed_dim;
    for (int s = 0; s < hp.num_stages(); ++s) {
        const double C = hp.stage_dim(s);
        for (const SwinBlock& blk : m.w.stages[size_t(s)].blocks) {
            // Windows cover the padded map; every window slot goes through qkv, attention and proj.
            const int M = std::min({blk.window, h, w});
            const double slots = double((h + M - 1) / M * M) * double((w + M - 1) / M * M);
            const double tokens = double(h) * w;
            macs += slots * C * 3 * C            // qkv
                    + 2 * slots * M * M * C      // QK^T and PV over all heads
                    + slots * C * C              // proj
                    + 2 * tokens * C * blk.fc1.out_features();  // fc1 + fc2
        }
        if (m.w.stages[size_t(s)].has_downsample) {
            h = (h + 1) / 2;
            w = (w + 1) / 2;
            macs += double(h) * w * 4 * C * 2 * C;
        }
    }
    macs += double(hp.num_classes) * hp.num_features();
    return 2.0 * macs;
}

}  // namespace vitscope
