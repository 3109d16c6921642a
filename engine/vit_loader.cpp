// One mapping layer: timm or Hugging Face tensor names -> ViTWeights. Loading runs in steps:
// detect the naming -> infer hyper-parameters from shapes (and config.json) -> check them against
// model_limits.h -> read the weights -> describe.
#include "model_limits.h"
#include "tensor_names.h"
#include "vit_model.h"
#include "weight_reader.h"

#include <cmath>
#include <map>
#include <optional>

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
    std::string blocks() const { return scheme == ViTNaming::Timm ? "blocks." : prefix + "encoder.layer."; }
    std::string block(int n) const { return blocks() + std::to_string(n) + "."; }
    std::string final_norm() const { return scheme == ViTNaming::Timm ? "norm" : prefix + "layernorm"; }
    // The MLP of block `b`: timm and DINOv2 call it mlp.fc1/fc2, HF ViT/DeiT intermediate/output.dense.
    bool hf_vit_mlp = false;
    std::string fc1() const { return hf_vit_mlp ? "intermediate.dense" : "mlp.fc1"; }
    std::string fc2() const { return hf_vit_mlp ? "output.dense" : "mlp.fc2"; }
};

// Everything the loader knows before reading weights.
struct ViTPlan {
    ViTTensorNames names;
    int64_t pos_length = 0;  // L of pos_embed [1, L, D]
};

int int_sqrt_exact(int64_t n) {
    if (n <= 0) return -1;
    const int64_t r = std::llround(std::sqrt(double(n)));
    return r * r == n && r <= INT32_MAX ? int(r) : -1;
}

// Blocks = 1 + the largest index in "<blocks prefix>N." names, parsed without a regex.
int count_blocks(const SafetensorsFile& f, const std::string& prefix) {
    int64_t max_index = -1;
    for (const auto& [name, _] : f.tensors()) {
        const IndexedName n = parse_indexed_name(name, prefix);
        if (!n.matched) continue;
        if (n.index >= kMaxDepth)
            throw FileError(f.path() + ": tensor " + quoted_name(name) + " has block index " +
                            (n.index == kIndexTooLarge ? std::string("beyond 10^18") : std::to_string(n.index)) +
                            ", more than the limit of " + std::to_string(kMaxDepth) + " blocks");
        max_index = std::max(max_index, n.index);
    }
    return int(max_index + 1);
}

ViTTensorNames detect_naming(const CheckpointSource& src, ModelInfo& info) {
    ViTTensorNames names;
    if (src.file->has("cls_token")) {
        info.naming = "timm";
        return names;
    }
    const std::string cls = src.find_suffix("embeddings.cls_token");
    if (cls.empty())
        throw FileError(src.file->path() + ": no class token found (expected 'cls_token' or '*embeddings.cls_token')");
    names.scheme = ViTNaming::HuggingFace;
    names.prefix = cls.substr(0, cls.size() - std::string("embeddings.cls_token").size());
    names.hf_vit_mlp = src.file->has(names.block(0) + "intermediate.dense.weight");
    info.naming = "Hugging Face transformers";
    return names;
}

// A tensor's shape, after checking its rank (the message names file, tensor and what was expected).
const std::vector<int64_t>& shape_of_rank(const WeightReader& r, const std::string& path, const std::string& name,
                                          size_t rank, const std::string& expected) {
    const std::vector<int64_t>& s = r.shape(name);
    if (s.size() != rank)
        throw FileError(path + ": tensor " + quoted_name(name) + " has shape " + shape_string(s) + ", expected " + expected);
    return s;
}

// Position embeddings [1, L, D] -> the trained grid -> the trained image size (bounded). Returns L.
int64_t infer_grid(const WeightReader& r, const std::string& path, const ViTTensorNames& names, ViTHparams& hp) {
    const int D = hp.embed_dim;
    const std::string pos = names.pos_embed();
    const auto& pos_shape = shape_of_rank(r, path, pos, 3, "[1,L," + std::to_string(D) + "]");
    if (pos_shape[0] != 1 || pos_shape[2] != D)
        throw FileError(path + ": tensor " + quoted_name(pos) + " has shape " + shape_string(pos_shape) +
                        ", expected [1,L," + std::to_string(D) + "]");
    const int64_t L = pos_shape[1];
    const int pos_prefix = 1 + (hp.dist_token ? 1 : 0);
    int grid = int_sqrt_exact(L - pos_prefix);
    hp.pos_embed_has_prefix = grid > 0;
    if (grid < 0) grid = int_sqrt_exact(L);
    if (grid < 0)
        throw FileError(path + ": tensor " + quoted_name(pos) + " has " + std::to_string(L) +
                        " positions: neither a square grid nor a square grid plus the class token(s)");
    const int64_t side = int64_t(grid) * hp.patch_size;
    if (side > kMaxImageSide)
        throw FileError(path + ": tensor " + quoted_name(pos) + " gives a " + std::to_string(grid) + "x" +
                        std::to_string(grid) + " grid of " + std::to_string(hp.patch_size) + "-pixel patches: " +
                        std::to_string(side) + " pixels, more than the limit of " + std::to_string(kMaxImageSide));
    hp.image_height = hp.image_width = int(side);
    return L;
}

// Widths, depth, patch and grid from the tensor shapes; each bounded as soon as it is read.
ViTPlan infer_shapes(const CheckpointSource& src, ViTHparams& hp, ModelInfo& info) {
    const SafetensorsFile& f = *src.file;
    const std::string& path = f.path();
    WeightReader r(f);
    ViTPlan plan;
    plan.names = detect_naming(src, info);
    const ViTTensorNames& names = plan.names;

    const std::string cls = names.cls_token();
    const auto& cls_shape = shape_of_rank(r, path, cls, 3, "[1,1,D]");
    hp.embed_dim = checked_hparam(cls_shape[2], 1, kMaxWidth, path, cls, "embed_dim");
    const int D = hp.embed_dim;
    if (cls_shape != std::vector<int64_t>{1, 1, D})
        throw FileError(path + ": tensor " + quoted_name(cls) + " has shape " + shape_string(cls_shape) +
                        ", expected [1,1," + std::to_string(D) + "]");

    const std::string pe = names.patch_embed() + ".weight";
    const auto& pe_shape = shape_of_rank(r, path, pe, 4, "[" + std::to_string(D) + ",3,P,P]");
    if (pe_shape[0] != D || pe_shape[1] != 3 || pe_shape[2] != pe_shape[3])
        throw FileError(path + ": tensor " + quoted_name(pe) + " has shape " + shape_string(pe_shape) + ", expected [" +
                        std::to_string(D) + ",3,P,P]");
    hp.in_chans = 3;
    hp.patch_size = checked_hparam(pe_shape[2], 1, kMaxImageSide, path, pe, "patch size");

    hp.depth = count_blocks(f, names.blocks());
    if (hp.depth <= 0) throw FileError(path + ": no transformer blocks found");
    hp.dist_token = r.has(names.dist_token());
    if (r.has(names.reg_tokens())) {
        const std::string reg = names.reg_tokens();
        const auto& s = shape_of_rank(r, path, reg, 3, "[1,R," + std::to_string(D) + "]");
        if (s[0] != 1 || s[2] != D)
            throw FileError(path + ": tensor " + quoted_name(reg) + " has shape " + shape_string(s) + ", expected [1,R," +
                            std::to_string(D) + "]");
        hp.num_register_tokens = checked_hparam(s[1], 0, kMaxRegisterTokens, path, reg, "register tokens");
    }

    // MLP width from the first block's fc1.
    const std::string b0 = names.block(0);
    const std::string fc1 = b0 + names.fc1() + ".weight";
    if (!r.has(fc1)) {
        if (r.has(b0 + "mlp.w12.weight") || r.has(b0 + "mlp.weights_in.weight"))
            throw FileError(path + ": SwiGLU MLP blocks (DINOv2 giant) are not supported");
        throw FileError(path + ": tensor " + quoted_name(fc1) + " is missing");
    }
    const auto& fc1_shape = shape_of_rank(r, path, fc1, 2, "[hidden," + std::to_string(D) + "]");
    hp.mlp_hidden = checked_hparam(fc1_shape[0], 1, kMaxWidth, path, fc1, "MLP width");
    hp.layer_scale = names.scheme == ViTNaming::Timm ? r.has(b0 + "ls1.gamma") : r.has(b0 + "layer_scale1.lambda1");

    plan.pos_length = infer_grid(r, path, names, hp);
    return plan;
}

// num_heads, eps and what config.json states (checked against the shapes).
void infer_settings(const CheckpointSource& src, const ViTLoadHints& hints, ViTHparams& hp, ModelInfo& info) {
    const std::string& path = src.file->path();
    const int D = hp.embed_dim;
    auto fail = [&](const std::string& what) { throw FileError(path + ": " + what); };
    if (const auto n = config_int(src, "num_hidden_layers", 1, kMaxDepth); n && *n != hp.depth)
        fail("config.json says num_hidden_layers " + std::to_string(*n) + " but the file has " +
             std::to_string(hp.depth) + " blocks");
    if (const auto n = config_int(src, "num_attention_heads", 1, kMaxHeads)) {
        hp.num_heads = *n;
    } else if (hints.num_heads > 0) {
        hp.num_heads = hints.num_heads;
    } else if (const auto it = src.file->metadata().find("num_heads"); it != src.file->metadata().end()) {
        const std::string& v = it->second;
        if (v.empty() || v.size() > 4 || v.find_first_not_of("0123456789") != std::string::npos)
            fail("__metadata__ num_heads '" + v.substr(0, 20) + "' is not a whole number up to " + std::to_string(kMaxHeads));
        hp.num_heads = std::stoi(v);
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
    if (hp.num_heads <= 0 || hp.num_heads > kMaxHeads || D % hp.num_heads != 0)
        fail("num_heads " + std::to_string(hp.num_heads) + " does not divide embed_dim " + std::to_string(D));

    if (const auto size = config_int(src, "image_size", 1, kMaxImageSide)) {
        if (*size != hp.image_height)
            info.inferred.push_back("config image_size " + std::to_string(*size) +
                                    " differs from the position-embedding grid; using " + std::to_string(hp.image_height));
    } else {
        const int grid = hp.image_height / hp.patch_size;
        info.inferred.push_back("image size " + std::to_string(hp.image_height) + " (from the " + std::to_string(grid) +
                                "x" + std::to_string(grid) + " position-embedding grid)");
    }
    if (const auto p = config_int(src, "patch_size", 1, kMaxImageSide); p && *p != hp.patch_size)
        fail("config.json says patch_size " + std::to_string(*p) + " but the patch embedding is " +
             std::to_string(hp.patch_size));
    if (const auto eps = config_number(src, "layer_norm_eps", 0.0, 1.0)) {
        hp.layer_norm_eps = float(*eps);
    } else {
        hp.layer_norm_eps = 1e-6f;
        info.inferred.push_back(std::string("layer_norm_eps = 1e-6 (") +
                                (src.config ? "not in config.json" : "timm's default") + ")");
    }
    if (src.config) {
        const std::string act = src.config->string_or("hidden_act", "gelu");
        if (act != "gelu") fail("config.json hidden_act '" + act + "' is not supported (only exact 'gelu')");
    }
}

ViTBlock read_block(WeightReader& r, const ViTTensorNames& names, const ViTHparams& hp, int n) {
    const int D = hp.embed_dim;
    const float eps = hp.layer_norm_eps;
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
        const bool has_bias = r.has(b + "attention.attention.query.bias");
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
    blk.fc1 = r.linear(b + names.fc1(), hp.mlp_hidden, D);
    blk.fc2 = r.linear(b + names.fc2(), D, hp.mlp_hidden);
    return blk;
}

// Classifier(s): sets num_classes and pooling from the head's shape.
void read_heads(WeightReader& r, const std::string& path, const ViTTensorNames& names, ViTHparams& hp, ViTWeights& w) {
    const int D = hp.embed_dim;
    std::string head = "head", head_dist = "head_dist";
    if (names.scheme == ViTNaming::HuggingFace) {
        head = hp.dist_token ? "cls_classifier" : "classifier";
        head_dist = "distillation_classifier";
    }
    if (!r.has(head + ".weight")) return;
    const auto& hs = r.shape(head + ".weight");
    if (hs.size() != 2 || (hs[1] != D && hs[1] != 2 * D))
        throw FileError(path + ": tensor " + quoted_name(head + ".weight") + " has shape " + shape_string(hs) +
                        ", expected [C," + std::to_string(D) + "]");
    hp.num_classes = checked_hparam(hs[0], 1, kMaxClasses, path, head + ".weight", "classes");
    hp.pooling = hs[1] == 2 * D ? ViTPooling::ClassTokenAndMean : ViTPooling::ClassToken;
    w.head = r.linear(head, hp.num_classes, int(hs[1]));
    if (hp.dist_token) {
        if (!r.has(head_dist + ".weight"))
            throw FileError(path + ": distilled model (has a distillation token) but tensor " +
                            quoted_name(head_dist + ".weight") + " is missing");
        w.head_dist = r.linear(head_dist, hp.num_classes, D);
    }
}

void read_weights(WeightReader& r, const std::string& path, const ViTPlan& plan, ViTHparams& hp, ViTWeights& w) {
    const ViTTensorNames& names = plan.names;
    const int D = hp.embed_dim, P = hp.patch_size;
    {
        const std::string pe = names.patch_embed();
        std::vector<float> pw = r.read(pe + ".weight", {D, hp.in_chans, P, P});
        std::vector<float> pb = r.read(pe + ".bias", {D});
        w.patch_embed = make_linear(pw, D, hp.in_chans * P * P, pb);
    }
    w.cls_token = Eigen::Map<const RowVector>(r.read(names.cls_token(), {1, 1, D}).data(), D);
    if (hp.dist_token) w.dist_token = Eigen::Map<const RowVector>(r.read(names.dist_token(), {1, 1, D}).data(), D);
    if (hp.num_register_tokens > 0) {
        std::vector<float> reg = r.read(names.reg_tokens(), {1, hp.num_register_tokens, D});
        w.reg_tokens = Eigen::Map<const Matrix>(reg.data(), hp.num_register_tokens, D);
    }
    {
        std::vector<float> pos = r.read(names.pos_embed(), {1, plan.pos_length, D});
        w.pos_embed = Eigen::Map<const Matrix>(pos.data(), plan.pos_length, D);
    }
    hp.pos_embed_antialias = names.scheme == ViTNaming::Timm;
    for (int n = 0; n < hp.depth; ++n) w.blocks.push_back(read_block(r, names, hp, n));
    w.norm = r.layer_norm(names.final_norm(), D, hp.layer_norm_eps);
    read_heads(r, path, names, hp, w);
}

void describe(const CheckpointSource& src, const ViTTensorNames& names, const ViTHparams& hp, ModelInfo& info) {
    const std::string type = src.config ? src.config->string_or("model_type", "") : "";
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
    if (src.config) info.labels = labels_from_config(*src.config, hp.num_classes);
}

}  // namespace

ViTModel load_vit_model(const CheckpointSource& src, const ViTLoadHints& hints) {
    ViTModel model;
    model.info.name = src.display_name;
    const ViTPlan plan = infer_shapes(src, model.hp, model.info);
    infer_settings(src, hints, model.hp, model.info);
    WeightReader r(*src.file);
    read_weights(r, src.file->path(), plan, model.hp, model.w);
    describe(src, plan.names, model.hp, model.info);
    model.info.num_parameters = r.parameters();
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
