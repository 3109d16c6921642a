// One mapping layer: timm or Hugging Face tensor names -> ViTWeights.
#include "vit_model.h"
#include "weight_reader.h"

#include <cmath>
#include <map>
#include <optional>
#include <regex>

namespace vitscope {

namespace {

enum class ViTNaming { Timm, HuggingFace };

// Names of every tensor the model needs, in one naming scheme.
struct ViTTensorNames {
    ViTNaming scheme = ViTNaming::Timm;
    std::string prefix;  // HF: "vit.", "deit.", "dinov2.", or ""

    std::string cls_token() const { return scheme == ViTNaming::Timm ? "cls_token" : prefix + "embeddings.cls_token"; }
    std::string dist_token() const {
        return scheme == ViTNaming::Timm ? "dist_token" : prefix + "embeddings.distillation_token";
    }
    std::string reg_tokens() const {
        return scheme == ViTNaming::Timm ? "reg_token" : prefix + "embeddings.register_tokens";
    }
    std::string pos_embed() const {
        return scheme == ViTNaming::Timm ? "pos_embed" : prefix + "embeddings.position_embeddings";
    }
    std::string patch_embed() const {
        return scheme == ViTNaming::Timm ? "patch_embed.proj" : prefix + "embeddings.patch_embeddings.projection";
    }
    std::string block(int n) const {
        return scheme == ViTNaming::Timm ? "blocks." + std::to_string(n) + "."
                                         : prefix + "encoder.layer." + std::to_string(n) + ".";
    }
    std::string final_norm() const { return scheme == ViTNaming::Timm ? "norm" : prefix + "layernorm"; }
};

int count_blocks(const SafetensorsFile& f, const std::string& prefix_regex) {
    std::regex re("^" + prefix_regex + "(\\d+)\\.");
    int max_index = -1;
    for (const auto& [name, _] : f.tensors()) {
        std::smatch m;
        if (std::regex_search(name, m, re)) max_index = std::max(max_index, std::stoi(m[1].str()));
    }
    return max_index + 1;
}

int int_sqrt_exact(int64_t n) {
    if (n <= 0) return -1;
    int r = int(std::lround(std::sqrt(double(n))));
    return int64_t(r) * r == n ? r : -1;
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

}  // namespace

ViTModel load_vit_model(const CheckpointSource& src, const ViTLoadHints& hints) {
    const SafetensorsFile& f = *src.file;
    const std::string& path = f.path();
    auto fail = [&](const std::string& what) -> void { throw FileError(path + ": " + what); };

    ViTModel model;
    ViTHparams& hp = model.hp;
    ModelInfo& info = model.info;
    info.name = src.display_name;

    ViTTensorNames names;
    if (f.has("cls_token")) {
        names.scheme = ViTNaming::Timm;
        info.naming = "timm";
    } else {
        std::string cls = src.find_suffix("embeddings.cls_token");
        if (cls.empty()) fail("no class token found (expected 'cls_token' or '*embeddings.cls_token')");
        names.scheme = ViTNaming::HuggingFace;
        names.prefix = cls.substr(0, cls.size() - std::string("embeddings.cls_token").size());
        info.naming = "Hugging Face transformers";
    }
    WeightReader r(f);
    const JsonValue* cfg = src.config ? &*src.config : nullptr;

    // --- shapes that define the model
    const auto& cls_shape = r.shape(names.cls_token());
    if (cls_shape.empty()) fail("tensor " + quoted(names.cls_token()) + " has shape [], expected [1,1,D]");
    hp.embed_dim = int(cls_shape.back());
    if (r.has(names.cls_token()) && cls_shape != std::vector<int64_t>{1, 1, hp.embed_dim})
        fail("tensor " + quoted(names.cls_token()) + " has shape " + shape_string(cls_shape) + ", expected [1,1," +
             std::to_string(hp.embed_dim) + "]");
    const int D = hp.embed_dim;

    const std::string pe = names.patch_embed() + ".weight";
    const auto& pe_shape = r.shape(pe);
    if (pe_shape.size() != 4 || pe_shape[0] != D || pe_shape[2] != pe_shape[3])
        fail("tensor " + quoted(pe) + " has shape " + shape_string(pe_shape) + ", expected [" + std::to_string(D) +
             ",C,P,P]");
    hp.in_chans = int(pe_shape[1]);
    hp.patch_size = int(pe_shape[2]);

    hp.depth = names.scheme == ViTNaming::Timm ? count_blocks(f, "blocks\\.")
                                               : count_blocks(f, std::regex_replace(names.prefix, std::regex("\\."), "\\.") +
                                                                     "encoder\\.layer\\.");
    if (hp.depth <= 0) fail("no transformer blocks found");
    if (cfg) {
        int cfg_depth = int(cfg->number_or("num_hidden_layers", hp.depth));
        if (cfg_depth != hp.depth)
            fail("config.json says num_hidden_layers " + std::to_string(cfg_depth) + " but the file has " +
                 std::to_string(hp.depth) + " blocks");
    }

    hp.dist_token = r.has(names.dist_token());
    if (r.has(names.reg_tokens())) {
        const auto& s = r.shape(names.reg_tokens());
        if (s.size() != 3 || s[0] != 1 || s[2] != D)
            fail("tensor " + quoted(names.reg_tokens()) + " has shape " + shape_string(s) + ", expected [1,R," +
                 std::to_string(D) + "]");
        hp.num_register_tokens = int(s[1]);
    }

    // MLP width from the first block's fc1
    const std::string b0 = names.block(0);
    const bool hf_vit_style_mlp = names.scheme == ViTNaming::HuggingFace && r.has(b0 + "intermediate.dense.weight");
    const std::string fc1_name = names.scheme == ViTNaming::Timm ? "mlp.fc1" : (hf_vit_style_mlp ? "intermediate.dense" : "mlp.fc1");
    const std::string fc2_name = names.scheme == ViTNaming::Timm ? "mlp.fc2" : (hf_vit_style_mlp ? "output.dense" : "mlp.fc2");
    if (!r.has(b0 + fc1_name + ".weight")) {
        if (r.has(b0 + "mlp.w12.weight") || r.has(b0 + "mlp.weights_in.weight"))
            fail("SwiGLU MLP blocks (DINOv2 giant) are not supported");
        fail("tensor " + quoted(b0 + fc1_name + ".weight") + " is missing");
    }
    hp.mlp_hidden = int(r.shape(b0 + fc1_name + ".weight")[0]);

    // Heads: config, else the usual 64-wide heads.
    if (cfg && cfg->find("num_attention_heads")) {
        hp.num_heads = int(cfg->number_or("num_attention_heads", 0));
    } else if (hints.num_heads > 0) {
        hp.num_heads = hints.num_heads;
    } else if (f.metadata().count("num_heads")) {
        hp.num_heads = std::atoi(f.metadata().at("num_heads").c_str());
        info.inferred.push_back("num_heads = " + std::to_string(hp.num_heads) + " (from the file's metadata)");
    } else if (D % 64 == 0) {
        hp.num_heads = D / 64;
        info.inferred.push_back("num_heads = " + std::to_string(hp.num_heads) + " (embed_dim " + std::to_string(D) +
                                " / head_dim 64; not stored in the weights)");
    } else {
        hp.num_heads = 1;
        info.inferred.push_back("num_heads = 1 (embed_dim " + std::to_string(D) +
                                " is not a multiple of 64; not stored in the weights)");
    }
    if (hp.num_heads <= 0 || D % hp.num_heads != 0)
        fail("num_heads " + std::to_string(hp.num_heads) + " does not divide embed_dim " + std::to_string(D));

    hp.layer_scale = names.scheme == ViTNaming::Timm ? r.has(b0 + "ls1.gamma") : r.has(b0 + "layer_scale1.lambda1");

    // Position embeddings -> trained grid.
    const auto& pos_shape = r.shape(names.pos_embed());
    if (pos_shape.size() != 3 || pos_shape[0] != 1 || pos_shape[2] != D)
        fail("tensor " + quoted(names.pos_embed()) + " has shape " + shape_string(pos_shape) + ", expected [1,L," +
             std::to_string(D) + "]");
    const int pos_prefix = 1 + (hp.dist_token ? 1 : 0);
    const int64_t L = pos_shape[1];
    int grid = int_sqrt_exact(L - pos_prefix);
    hp.pos_embed_has_prefix = grid > 0;
    if (grid < 0) grid = int_sqrt_exact(L);
    if (grid < 0)
        fail("tensor " + quoted(names.pos_embed()) + " has " + std::to_string(L) +
             " positions: neither a square grid nor a square grid plus the class token(s)");
    hp.image_height = hp.image_width = grid * hp.patch_size;
    if (cfg && cfg->find("image_size")) {
        int cfg_size = int(cfg->number_or("image_size", 0));
        if (cfg_size != hp.image_height)
            info.inferred.push_back("config image_size " + std::to_string(cfg_size) +
                                    " differs from the position-embedding grid; using " +
                                    std::to_string(hp.image_height));
    } else {
        info.inferred.push_back("image size " + std::to_string(hp.image_height) + " (from the " +
                                std::to_string(grid) + "x" + std::to_string(grid) + " position-embedding grid)");
    }
    if (cfg && cfg->find("patch_size") && int(cfg->number_or("patch_size", 0)) != hp.patch_size)
        fail("config.json says patch_size " + std::to_string(int(cfg->number_or("patch_size", 0))) +
             " but the patch embedding is " + std::to_string(hp.patch_size));

    if (cfg && cfg->find("layer_norm_eps")) {
        hp.layer_norm_eps = float(cfg->number_or("layer_norm_eps", 1e-6));
    } else {
        hp.layer_norm_eps = 1e-6f;
        info.inferred.push_back(std::string("layer_norm_eps = 1e-6 (") +
                                (cfg ? "not in config.json" : "timm's default") + ")");
    }
    if (cfg) {
        const std::string act = cfg->string_or("hidden_act", "gelu");
        if (act != "gelu")
            fail("config.json hidden_act '" + act + "' is not supported (only exact 'gelu')");
    }

    // --- weights
    ViTWeights& w = model.w;
    {
        std::vector<float> pw = r.read(pe, pe_shape);
        std::vector<float> pb = r.read(names.patch_embed() + ".bias", {D});
        w.patch_embed = make_linear(pw, D, hp.in_chans * hp.patch_size * hp.patch_size, pb);
    }
    w.cls_token = Eigen::Map<const RowVector>(r.read(names.cls_token(), {1, 1, D}).data(), D);
    if (hp.dist_token) w.dist_token = Eigen::Map<const RowVector>(r.read(names.dist_token(), {1, 1, D}).data(), D);
    if (hp.num_register_tokens > 0) {
        std::vector<float> reg = r.read(names.reg_tokens(), {1, hp.num_register_tokens, D});
        w.reg_tokens = Eigen::Map<const Matrix>(reg.data(), hp.num_register_tokens, D);
    }
    {
        std::vector<float> pos = r.read(names.pos_embed(), pos_shape);
        w.pos_embed = Eigen::Map<const Matrix>(pos.data(), L, D);
    }

    hp.pos_embed_antialias = names.scheme == ViTNaming::Timm;
    const float eps = hp.layer_norm_eps;
    for (int n = 0; n < hp.depth; ++n) {
        const std::string b = names.block(n);
        ViTBlock blk;
        if (names.scheme == ViTNaming::Timm) {
            blk.norm1 = r.layer_norm(b + "norm1", D, eps);
            blk.qkv = r.linear(b + "attn.qkv", 3 * D, D);
            blk.proj = r.linear(b + "attn.proj", D, D);
            blk.norm2 = r.layer_norm(b + "norm2", D, eps);
            if (hp.layer_scale) {
                blk.ls1 = r.vec(b + "ls1.gamma", D);
                blk.ls2 = r.vec(b + "ls2.gamma", D);
            }
        } else {
            const bool vit_style = r.has(b + "layernorm_before.weight");
            blk.norm1 = r.layer_norm(b + (vit_style ? "layernorm_before" : "norm1"), D, eps);
            blk.norm2 = r.layer_norm(b + (vit_style ? "layernorm_after" : "norm2"), D, eps);
            // Separate q, k, v -> one fused [D -> 3D] projection.
            std::vector<float> qkv_w, qkv_b;
            bool has_bias = r.has(b + "attention.attention.query.bias");
            for (const char* part : {"query", "key", "value"}) {
                const std::string base = b + "attention.attention." + part;
                std::vector<float> pw = r.read(base + ".weight", {D, D});
                qkv_w.insert(qkv_w.end(), pw.begin(), pw.end());
                if (has_bias) {
                    std::vector<float> pb = r.read(base + ".bias", {D});
                    qkv_b.insert(qkv_b.end(), pb.begin(), pb.end());
                }
            }
            blk.qkv = make_linear(qkv_w, 3 * D, D, qkv_b);
            blk.proj = r.linear(b + "attention.output.dense", D, D);
            if (hp.layer_scale) {
                blk.ls1 = r.vec(b + "layer_scale1.lambda1", D);
                blk.ls2 = r.vec(b + "layer_scale2.lambda1", D);
            }
        }
        blk.fc1 = r.linear(b + fc1_name, hp.mlp_hidden, D);
        blk.fc2 = r.linear(b + fc2_name, D, hp.mlp_hidden);
        w.blocks.push_back(std::move(blk));
    }
    w.norm = r.layer_norm(names.final_norm(), D, eps);

    // --- classifier(s)
    std::string head, head_dist;
    if (names.scheme == ViTNaming::Timm) {
        head = "head";
        head_dist = "head_dist";
    } else if (hp.dist_token) {
        head = "cls_classifier";
        head_dist = "distillation_classifier";
    } else {
        head = "classifier";
    }
    if (r.has(head + ".weight")) {
        const auto& hs = r.shape(head + ".weight");
        if (hs.size() != 2 || (hs[1] != D && hs[1] != 2 * D))
            fail("tensor " + quoted(head + ".weight") + " has shape " + shape_string(hs) + ", expected [C," +
                 std::to_string(D) + "]");
        hp.num_classes = int(hs[0]);
        hp.pooling = hs[1] == 2 * D ? ViTPooling::ClassTokenAndMean : ViTPooling::ClassToken;
        w.head = r.linear(head, hp.num_classes, int(hs[1]));
        if (hp.dist_token) {
            if (!r.has(head_dist + ".weight"))
                fail("distilled model (has a distillation token) but tensor " + quoted(head_dist + ".weight") +
                     " is missing");
            w.head_dist = r.linear(head_dist, hp.num_classes, D);
        }
    }

    // --- description
    const std::string type = cfg ? cfg->string_or("model_type", "") : "";
    if (hp.num_register_tokens > 0 || hp.layer_scale || type.rfind("dinov2", 0) == 0) {
        info.architecture = "DINOv2";
        if (hp.num_register_tokens > 0)
            info.architecture += " with " + std::to_string(hp.num_register_tokens) + " registers";
        info.crop_pct = 0.875f;
    } else if (hp.dist_token) {
        info.architecture = "DeiT (distilled)";
    } else if (hp.num_classes == 0) {
        info.architecture = "DINO ViT";
        info.crop_pct = 0.875f;
    } else if (type == "deit") {
        info.architecture = "DeiT";
    } else {
        info.architecture = "ViT";
    }
    if (hp.num_classes == 0) info.architecture += " (no classifier: features and attention only)";
    if (names.scheme == ViTNaming::HuggingFace && type == "vit") {
        info.mean = {0.5f, 0.5f, 0.5f};  // Hugging Face ViTImageProcessor defaults
        info.std = {0.5f, 0.5f, 0.5f};
    }
    apply_preprocessor_config(src, info, hp.image_height);
    if (cfg) info.labels = labels_from_config(*cfg, hp.num_classes);
    info.num_parameters = r.parameters();
    return model;
}

double vit_forward_flops(const ViTHparams& hp, int image_height, int image_width) {
    const double D = hp.embed_dim;
    const double patches = double(image_height / hp.patch_size) * double(image_width / hp.patch_size);
    const double N = patches + hp.num_prefix_tokens();
    const double k = double(hp.in_chans) * hp.patch_size * hp.patch_size;
    double macs = patches * k * D;                      // patch embedding
    const double per_block = N * D * 3 * D              // qkv
                             + 2 * N * N * D            // QK^T and PV over all heads
                             + N * D * D                // proj
                             + 2 * N * D * hp.mlp_hidden;  // fc1 + fc2
    macs += hp.depth * per_block;
    macs += double(hp.num_classes) * D * (hp.dist_token ? 2 : 1);
    return 2.0 * macs;
}

}  // namespace vitscope
