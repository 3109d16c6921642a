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
    const uintmax_t size = fs::file_size(p, ec);
    if (ec) throw FileError(p.string() + ": cannot read: " + ec.message());
    if (size > kMaxConfigBytes)
        throw FileError(p.string() + ": " + std::to_string(size) + " bytes, more than the limit of " +
                        std::to_string(kMaxConfigBytes) + " for a JSON settings file");
    std::ifstream in(p, std::ios::binary);
    if (!in) throw FileError(p.string() + ": cannot open");
    std::stringstream ss;
    ss << in.rdbuf();
    try {
        return parse_json(ss.str(), kMaxConfigBytes / 8);
    } catch (const std::exception& e) {
        throw FileError(p.string() + ": JSON error: " + e.what());
    }
}

}  // namespace

namespace {

// A folder's name, except for a snapshot of the model cache (models--ORG--NAME/snapshots/REV, the
// Hub's layout): "ORG/NAME", with "@REV" unless REV is main.
std::string folder_display_name(const fs::path& folder) {
    const std::string name = folder.filename().string();
    const fs::path snapshots = folder.parent_path();
    const std::string repo = snapshots.parent_path().filename().string();
    const std::string prefix = "models--";
    if (snapshots.filename() != "snapshots" || repo.rfind(prefix, 0) != 0) return name;
    const std::string rest = repo.substr(prefix.size());
    const size_t sep = rest.find("--");
    if (sep == std::string::npos || sep == 0) return name;
    const std::string id = rest.substr(0, sep) + "/" + rest.substr(sep + 2);
    return name == "main" ? id : id + "@" + name;
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
                throw FileError(path + ": only pytorch_model.bin found (vitscope reads safetensors); convert it with "
                                       "`python3 tools/convert_to_safetensors.py " + path + " FOLDER` and open FOLDER");
            throw FileError(path + ": folder has no model.safetensors");
        }
        src.config = read_json_file(p / "config.json");
        src.config_path = (p / "config.json").string();
        src.preprocessor = read_json_file(p / "preprocessor_config.json");
        src.preprocessor_path = (p / "preprocessor_config.json").string();
        src.file = std::make_unique<SafetensorsFile>(weights.string());
        src.display_name = folder_display_name(p.has_filename() ? p : p.parent_path());
    } else {
        src.file = std::make_unique<SafetensorsFile>(path);
        src.display_name = p.stem().string();
        // A config.json beside a model.safetensors file belongs to it.
        if (p.filename() == "model.safetensors") {
            src.config = read_json_file(p.parent_path() / "config.json");
            src.config_path = (p.parent_path() / "config.json").string();
            src.preprocessor = read_json_file(p.parent_path() / "preprocessor_config.json");
            src.preprocessor_path = (p.parent_path() / "preprocessor_config.json").string();
            if (!p.parent_path().filename().empty()) src.display_name = folder_display_name(p.parent_path());
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

namespace {

const JsonValue* config_value(const CheckpointSource& src, const std::string& key) {
    return src.config ? src.config->find(key) : nullptr;
}

[[noreturn]] void bad_setting(const CheckpointSource& src, const std::string& key, const std::string& expected) {
    throw FileError(src.config_path + ": '" + key + "' is not " + expected);
}

std::string range_string(auto lo, auto hi) {
    std::ostringstream s;
    s << "[" << lo << ", " << hi << "]";
    return s.str();
}

}  // namespace

std::optional<int> config_int(const CheckpointSource& src, const std::string& key, int64_t lo, int64_t hi) {
    const JsonValue* v = config_value(src, key);
    if (!v) return std::nullopt;
    const std::optional<int64_t> n = v->as_exact_integer();
    if (!n || *n < lo || *n > hi) bad_setting(src, key, "an integer in " + range_string(lo, hi));
    return int(*n);
}

std::optional<std::vector<int>> config_int_list(const CheckpointSource& src, const std::string& key, int64_t lo,
                                                int64_t hi) {
    const JsonValue* v = config_value(src, key);
    if (!v) return std::nullopt;
    const std::string expected = "a list of at most 64 integers in " + range_string(lo, hi);
    if (!v->is_array() || v->items().size() > 64) bad_setting(src, key, expected);
    std::vector<int> out;
    for (const JsonValue& item : v->items()) {
        const std::optional<int64_t> n = item.as_exact_integer();
        if (!n || *n < lo || *n > hi) bad_setting(src, key, expected);
        out.push_back(int(*n));
    }
    return out;
}

std::optional<double> config_number(const CheckpointSource& src, const std::string& key, double lo, double hi) {
    const JsonValue* v = config_value(src, key);
    if (!v) return std::nullopt;
    if (!v->is_number() || !(v->as_number() >= lo && v->as_number() <= hi))
        bad_setting(src, key, "a number in " + range_string(lo, hi));
    return v->as_number();
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
    // Out-of-range values would divide by zero (std) or ask the resize for a huge image (crop_pct).
    auto read3 = [](const std::string& file, const JsonValue* v, const char* key, double lo, double hi,
                    std::array<float, 3>& out) {
        if (!v || !v->is_array() || v->items().size() != 3) return;
        for (int i = 0; i < 3; ++i) {
            const JsonValue& item = v->items()[size_t(i)];
            if (!item.is_number() || !(item.as_number() >= lo && item.as_number() <= hi))
                throw FileError(file + ": '" + key + "' must hold 3 numbers in [" + std::to_string(lo) + ", " +
                                std::to_string(hi) + "]");
            out[size_t(i)] = float(item.as_number());
        }
    };
    const std::pair<const std::optional<JsonValue>*, const std::string*> configs[] = {
        {&src.config, &src.config_path}, {&src.preprocessor, &src.preprocessor_path}};
    for (const auto& [cfg, file] : configs) {
        if (!*cfg) continue;
        for (const char* key : {"image_mean", "mean"}) read3(*file, (*cfg)->find(key), key, -10.0, 10.0, info.mean);
        for (const char* key : {"image_std", "std"}) read3(*file, (*cfg)->find(key), key, 1e-3, 100.0, info.std);
        double crop = 0;
        if (const JsonValue* c = (*cfg)->find("crop_pct"); c && c->is_number() && c->as_number() > 0)
            crop = c->as_number();
        // HF preprocessors: resize to `size.shortest_edge`, then crop to `crop_size`.
        if (const JsonValue* size = (*cfg)->find("size"); size && size->is_object()) {
            double shortest = size->number_or("shortest_edge", 0);
            if (shortest > 0 && image_size > 0) crop = image_size / shortest;
        }
        if (crop == 0) continue;
        if (!(crop >= kMinCropPct && crop <= kMaxCropPct))
            throw FileError(*file + ": crop_pct " + std::to_string(crop) + " (or size.shortest_edge) is outside [" +
                            std::to_string(kMinCropPct) + ", " + std::to_string(kMaxCropPct) + "]");
        info.crop_pct = float(crop);
    }
}

}  // namespace vitscope
