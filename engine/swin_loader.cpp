// One mapping layer: Hugging Face, timm (>= 0.9) or Microsoft / old-timm tensor names -> SwinWeights.
// The relative_position_index and attn_mask buffers some checkpoints carry are never read: both are
// computed (swin_geometry.h).
#include "swin_model.h"
#include "weight_reader.h"

#include <cmath>
#include <map>
#include <regex>

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
    std::string stage(int s) const { return (hf() ? prefix + "encoder.layers." : "layers.") + std::to_string(s) + "."; }
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

std::string quoted(const std::string& s) { return "'" + s + "'"; }

// Blocks per stage, from names "<stage_prefix>S.blocks.B.": stage S has max(B) + 1 blocks.
std::vector<int> count_stage_blocks(const SafetensorsFile& f, const std::string& stage_prefix_regex) {
    std::regex re("^" + stage_prefix_regex + "(\\d+)\\.blocks\\.(\\d+)\\.");
    std::map<int, int> blocks;
    for (const auto& [name, _] : f.tensors()) {
        std::smatch m;
        if (std::regex_search(name, m, re)) {
            int& n = blocks[std::stoi(m[1].str())];
            n = std::max(n, std::stoi(m[2].str()) + 1);
        }
    }
    std::vector<int> depths;
    for (const auto& [s, n] : blocks) {
        if (s != int(depths.size())) return {};  // a gap: reported by the caller
        depths.push_back(n);
    }
    return depths;
}

std::vector<int> int_list(const JsonValue* v) {
    std::vector<int> out;
    if (!v || !v->is_array()) return out;
    for (const JsonValue& item : v->items())
        if (item.is_number()) out.push_back(int(item.as_number()));
    return out;
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

}  // namespace

int SwinHparams::total_blocks() const {
    int n = 0;
    for (int d : depths) n += d;
    return n;
}

SwinModel load_swin_model(const CheckpointSource& src) {
    const SafetensorsFile& f = *src.file;
    const std::string& path = f.path();
    auto fail = [&](const std::string& what) -> void { throw FileError(path + ": " + what); };
    auto bad_shape = [&](const std::string& name, const std::string& expected) -> void {
        fail("tensor " + quoted(name) + " has shape " + shape_string(f.info(name).shape) + ", expected " + expected);
    };

    SwinModel model;
    SwinHparams& hp = model.hp;
    ModelInfo& info = model.info;
    info.name = src.display_name;
    info.architecture = "Swin";
    info.crop_pct = 0.875f;  // timm / torchvision / Hugging Face Swin evaluation transform

    // --- naming scheme
    SwinTensorNames names;
    std::string stage_regex;
    const std::string hf_pe = src.find_suffix("embeddings.patch_embeddings.projection.weight");
    if (!hf_pe.empty()) {
        names.scheme = SwinNaming::HuggingFace;
        names.prefix = hf_pe.substr(0, hf_pe.size() - std::string("embeddings.patch_embeddings.projection.weight").size());
        stage_regex = std::regex_replace(names.prefix, std::regex("\\."), "\\.") + "encoder\\.layers\\.";
        info.naming = "Hugging Face transformers";
    } else if (f.has("patch_embed.proj.weight")) {
        stage_regex = "layers\\.";
        // timm >= 0.9 merges at the start of stages 1.., the Microsoft release at the end of stages ..S-2.
        const bool merge_first = f.has("layers.0.downsample.reduction.weight");
        const bool merge_later = f.has("layers.1.downsample.reduction.weight");
        if (merge_first) names.scheme = SwinNaming::Microsoft;
        else if (merge_later) names.scheme = SwinNaming::Timm;
        else names.scheme = f.has("head.fc.weight") ? SwinNaming::Timm : SwinNaming::Microsoft;  // one stage
        info.naming = names.scheme == SwinNaming::Timm ? "timm (>= 0.9)" : "Microsoft Swin / timm (< 0.9)";
    } else {
        fail("no Swin patch embedding found (expected 'patch_embed.proj.weight' or "
             "'*embeddings.patch_embeddings.projection.weight')");
    }
    WeightReader r(f);
    const JsonValue* cfg = src.config ? &*src.config : nullptr;

    // --- shapes that define the model
    const std::string pe = names.patch_embed() + ".weight";
    const auto& pe_shape = r.shape(pe);
    if (pe_shape.size() != 4 || pe_shape[2] != pe_shape[3]) bad_shape(pe, "[D,C,P,P]");
    hp.embed_dim = int(pe_shape[0]);
    hp.in_chans = int(pe_shape[1]);
    hp.patch_size = int(pe_shape[2]);
    const int D = hp.embed_dim;

    hp.depths = count_stage_blocks(f, stage_regex);
    if (hp.depths.empty()) fail("no Swin blocks found (or the stage numbers have a gap)");
    const int S = hp.num_stages();
    if (cfg && cfg->find("depths") && int_list(cfg->find("depths")) != hp.depths)
        fail("config.json says depths " + list_string(int_list(cfg->find("depths"))) + " but the file has " +
             list_string(hp.depths));

    // Heads and windows from each stage's first bias table: [(2M-1)^2, heads].
    std::vector<int> stage_window(static_cast<size_t>(S));
    hp.num_heads.resize(size_t(S));
    for (int s = 0; s < S; ++s) {
        const std::string t = names.block(s, 0) + names.table();
        if (!r.has(t)) fail("tensor " + quoted(t) + " is missing");
        const auto& ts = r.shape(t);
        const int side = ts.size() == 2 ? int(std::lround(std::sqrt(double(ts[0])))) : 0;
        if (ts.size() != 2 || side * side != ts[0] || side % 2 == 0) bad_shape(t, "[(2M-1)^2,heads]");
        stage_window[size_t(s)] = (side + 1) / 2;
        hp.num_heads[size_t(s)] = int(ts[1]);
        if (hp.stage_dim(s) % hp.num_heads[size_t(s)] != 0)
            fail("tensor " + quoted(t) + " gives " + std::to_string(ts[1]) + " heads, which do not divide the stage's " +
                 std::to_string(hp.stage_dim(s)) + " channels");
    }
    hp.window_size = stage_window[0];
    if (cfg && cfg->find("num_heads") && int_list(cfg->find("num_heads")) != hp.num_heads)
        fail("config.json says num_heads " + list_string(int_list(cfg->find("num_heads"))) +
             " but the relative position bias tables have " + list_string(hp.num_heads));
    if (cfg && cfg->find("window_size") && int(cfg->number_or("window_size", 0)) != hp.window_size)
        fail("config.json says window_size " + std::to_string(int(cfg->number_or("window_size", 0))) +
             " but the bias table of stage 0 is for window " + std::to_string(hp.window_size));
    if (cfg && cfg->find("embed_dim") && int(cfg->number_or("embed_dim", 0)) != D)
        fail("config.json says embed_dim " + std::to_string(int(cfg->number_or("embed_dim", 0))) +
             " but the patch embedding has " + std::to_string(D));
    if (cfg && cfg->find("patch_size") && int(cfg->number_or("patch_size", 0)) != hp.patch_size)
        fail("config.json says patch_size " + std::to_string(int(cfg->number_or("patch_size", 0))) +
             " but the patch embedding is " + std::to_string(hp.patch_size));
    if (!cfg) {
        info.inferred.push_back("depths " + list_string(hp.depths) + " (counted blocks)");
        info.inferred.push_back("num_heads " + list_string(hp.num_heads) +
                                " (from the relative position bias tables)");
        info.inferred.push_back("window_size " + std::to_string(hp.window_size) +
                                " (from the relative position bias table)");
    }

    // MLP width from the first block's fc1.
    const std::string fc1_0 = names.block(0, 0) + names.fc1() + ".weight";
    if (!r.has(fc1_0)) fail("tensor " + quoted(fc1_0) + " is missing");
    const auto& fc1_shape = r.shape(fc1_0);
    if (fc1_shape.size() != 2 || fc1_shape[1] != D) bad_shape(fc1_0, "[hidden," + std::to_string(D) + "]");
    hp.mlp_ratio = float(fc1_shape[0]) / float(D);
    if (cfg && cfg->find("mlp_ratio") && std::fabs(cfg->number_or("mlp_ratio", 0) - hp.mlp_ratio) > 1e-6)
        fail("config.json says mlp_ratio " + std::to_string(cfg->number_or("mlp_ratio", 0)) +
             " but fc1 of the first block has " + std::to_string(fc1_shape[0]) + " outputs");

    if (cfg && cfg->find("image_size") && cfg->find("image_size")->is_number()) {
        hp.image_size = int(cfg->number_or("image_size", 224));
    } else {
        hp.image_size = 224;
        info.inferred.push_back("image size 224 (not stored in the weights)");
    }
    if (cfg && cfg->find("layer_norm_eps")) {
        hp.layer_norm_eps = float(cfg->number_or("layer_norm_eps", 1e-5));
    } else {
        hp.layer_norm_eps = 1e-5f;
        info.inferred.push_back(std::string("layer_norm_eps = 1e-5 (") +
                                (cfg ? "not in config.json" : "timm's and torchvision's default") + ")");
    }
    if (cfg) {
        const std::string act = cfg->string_or("hidden_act", "gelu");
        if (act != "gelu") fail("config.json hidden_act '" + act + "' is not supported (only exact 'gelu')");
    }
    hp.qkv_bias = names.hf() ? r.has(names.block(0, 0) + "attention.self.query.bias")
                             : r.has(names.block(0, 0) + "attn.qkv.bias");

    // --- weights
    const float eps = hp.layer_norm_eps;
    SwinWeights& w = model.w;
    {
        std::vector<float> pw = r.read(pe, pe_shape);
        std::vector<float> pb = r.read(names.patch_embed() + ".bias", {D});
        w.patch_embed = make_linear(pw, D, hp.in_chans * hp.patch_size * hp.patch_size, pb);
    }
    w.patch_norm = r.layer_norm(names.patch_norm(), D, eps);
    for (int s = 0; s < S; ++s) {
        SwinStage stage;
        const int C = hp.stage_dim(s), H = hp.num_heads[size_t(s)];
        for (int bi = 0; bi < hp.depths[size_t(s)]; ++bi) {
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
                blk.qkv = r.linear(b + "attn.qkv", 3 * C, C,
                                   hp.qkv_bias ? WeightReader::Bias::Required : WeightReader::Bias::None);
            }
            // Blocks of one stage share a window; the first block's table defined it.
            const int M = stage_window[size_t(s)], side = 2 * M - 1;
            std::vector<float> table = r.read(b + names.table(), {int64_t(side) * side, H});
            blk.window = M;
            blk.relative_position_bias_table = Eigen::Map<const Matrix>(table.data(), side * side, H);
            blk.proj = r.linear(b + names.proj(), C, C, WeightReader::Bias::Required);
            blk.norm2 = r.layer_norm(b + names.norm2(), C, eps);
            const std::string fc1 = b + names.fc1() + ".weight";
            if (!r.has(fc1)) fail("tensor " + quoted(fc1) + " is missing");
            const auto& fs = r.shape(fc1);
            if (fs.size() != 2 || fs[1] != C) bad_shape(fc1, "[hidden," + std::to_string(C) + "]");
            const int hidden = int(fs[0]);
            blk.fc1 = r.linear(b + names.fc1(), hidden, C, WeightReader::Bias::Required);
            blk.fc2 = r.linear(b + names.fc2(), C, hidden, WeightReader::Bias::Required);
            stage.blocks.push_back(std::move(blk));
        }
        if (s + 1 < S) {
            const std::string m = names.downsample_after(s);
            if (!r.has(m + "reduction.weight"))
                fail("tensor " + quoted(m + "reduction.weight") + " is missing (patch merging after stage " +
                     std::to_string(s) + ")");
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
        if (hs.size() != 2 || hs[1] != F) bad_shape(head, "[classes," + std::to_string(F) + "]");
        hp.num_classes = int(hs[0]);
        w.head = r.linear(names.head(), hp.num_classes, F, WeightReader::Bias::Required);
    }

    // --- description
    info.architecture = "Swin (window " + std::to_string(hp.window_size) + ", depths " + list_string(hp.depths) + ")";
    if (hp.num_classes == 0) info.architecture += " (no classifier: features and attention only)";
    apply_preprocessor_config(src, info, hp.image_size);
    if (cfg) info.labels = labels_from_config(*cfg, hp.num_classes);
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
