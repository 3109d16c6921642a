#include "checkpoint_source.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace vitscope {

namespace fs = std::filesystem;

bool CheckpointSource::has_suffix(const std::string& suffix) const { return !find_suffix(suffix).empty(); }

std::string CheckpointSource::find_suffix(const std::string& suffix) const {
    for (const auto& [name, _] : file->tensors())
        if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
            return name;
    return {};
}

namespace {

std::optional<JsonValue> read_json_file(const fs::path& p) {
    std::error_code ec;
    if (!fs::exists(p, ec)) return std::nullopt;
    std::ifstream in(p, std::ios::binary);
    if (!in) throw FileError(p.string() + ": cannot open");
    std::stringstream ss;
    ss << in.rdbuf();
    try {
        return parse_json(ss.str());
    } catch (const std::exception& e) {
        throw FileError(p.string() + ": JSON error: " + e.what());
    }
}

}  // namespace

CheckpointSource open_checkpoint(const std::string& path) {
    CheckpointSource src;
    src.path = path;
    std::error_code ec;
    fs::path p(path);
    if (!fs::exists(p, ec)) throw FileError(path + ": no such file or folder");
    if (fs::is_directory(p, ec)) {
        fs::path weights = p / "model.safetensors";
        if (!fs::exists(weights, ec)) {
            if (fs::exists(p / "pytorch_model.bin", ec))
                throw FileError(path + ": only pytorch_model.bin found; convert it to model.safetensors first");
            throw FileError(path + ": folder has no model.safetensors");
        }
        src.config = read_json_file(p / "config.json");
        src.preprocessor = read_json_file(p / "preprocessor_config.json");
        src.file = std::make_unique<SafetensorsFile>(weights.string());
        fs::path clean = p.has_filename() ? p : p.parent_path();
        src.display_name = clean.filename().string();
    } else {
        src.file = std::make_unique<SafetensorsFile>(path);
        src.display_name = p.stem().string();
        // A config.json beside a model.safetensors file belongs to it.
        if (p.filename() == "model.safetensors") {
            src.config = read_json_file(p.parent_path() / "config.json");
            src.preprocessor = read_json_file(p.parent_path() / "preprocessor_config.json");
            if (!p.parent_path().filename().empty()) src.display_name = p.parent_path().filename().string();
        }
    }
    return src;
}

Architecture detect_architecture(const CheckpointSource& src) {
    if (src.config) {
        const std::string type = src.config->string_or("model_type", "");
        if (type == "swin") return Architecture::Swin;
        if (type == "vit" || type == "deit" || type == "dinov2" || type == "dinov2_with_registers" || type == "dino")
            return Architecture::ViTFamily;
        if (!type.empty())
            throw FileError(src.path + ": unsupported model_type '" + type +
                            "' (supported: vit, deit, dinov2, dinov2_with_registers, swin)");
    }
    if (src.has_suffix("relative_position_bias_table")) return Architecture::Swin;
    if (src.has_suffix("cls_token") || src.has_suffix("embeddings.cls_token")) return Architecture::ViTFamily;
    throw FileError(src.file->path() +
                    ": unknown architecture: no ViT (cls_token) or Swin (relative_position_bias_table) tensors found");
}

std::vector<std::string> labels_from_config(const JsonValue& config, int num_classes) {
    const JsonValue* id2label = config.find("id2label");
    if (!id2label || !id2label->is_object() || num_classes <= 0) return {};
    std::vector<std::string> labels(static_cast<size_t>(num_classes));
    int found = 0;
    for (const auto& [k, v] : id2label->members()) {
        char* end = nullptr;
        long idx = std::strtol(k.c_str(), &end, 10);
        if (*end != '\0' || idx < 0 || idx >= num_classes || !v.is_string()) continue;
        if (labels[size_t(idx)].empty()) ++found;
        labels[size_t(idx)] = v.as_string();
    }
    if (found != num_classes) return {};
    return labels;
}

void apply_preprocessor_config(const CheckpointSource& src, ModelInfo& info, int image_size) {
    auto read3 = [](const JsonValue* v, std::array<float, 3>& out) {
        if (!v || !v->is_array() || v->items().size() != 3) return false;
        for (int i = 0; i < 3; ++i) {
            if (!v->items()[size_t(i)].is_number()) return false;
            out[size_t(i)] = float(v->items()[size_t(i)].as_number());
        }
        return true;
    };
    for (const std::optional<JsonValue>* cfg : {&src.config, &src.preprocessor}) {
        if (!*cfg) continue;
        read3((*cfg)->find("image_mean"), info.mean);
        read3((*cfg)->find("image_std"), info.std);
        read3((*cfg)->find("mean"), info.mean);
        read3((*cfg)->find("std"), info.std);
        if (const JsonValue* c = (*cfg)->find("crop_pct"); c && c->is_number() && c->as_number() > 0)
            info.crop_pct = float(c->as_number());
        // HF preprocessors: resize to `size.shortest_edge`, then crop to `crop_size`.
        if (const JsonValue* size = (*cfg)->find("size"); size && size->is_object()) {
            double shortest = size->number_or("shortest_edge", 0);
            if (shortest > 0 && image_size > 0) info.crop_pct = float(image_size / shortest);
        }
    }
}

}  // namespace vitscope
