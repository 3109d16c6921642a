// Opening what a user points at: a Hugging Face model folder (config.json + model.safetensors) or a
// bare .safetensors file. Architecture-specific loaders read from this.
#pragma once

#include "json.h"
#include "safetensors.h"

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vitscope {

struct CheckpointSource {
    std::string path;                        // what the user gave
    std::string display_name;                // folder or file name without extension
    std::unique_ptr<SafetensorsFile> file;   // the weights
    std::optional<JsonValue> config;         // config.json, when present
    std::string config_path;                 // its path, for messages
    std::optional<JsonValue> preprocessor;   // preprocessor_config.json, when present
    std::string preprocessor_path;

    // True when some tensor name ends with `suffix`.
    bool has_suffix(const std::string& suffix) const;
    // The first tensor name ending with `suffix`, or "".
    std::string find_suffix(const std::string& suffix) const;
};

// Throws FileError with a message naming the path.
CheckpointSource open_checkpoint(const std::string& path);

enum class Architecture { ViTFamily, Swin };

// Decides from config (model_type) or tensor names; throws FileError for anything else.
Architecture detect_architecture(const CheckpointSource& src);

// What the app and CLI need to know about any model, whatever its architecture.
struct ModelInfo {
    std::string name;                 // display name
    std::string architecture;         // e.g. "DeiT (distilled)", "DINOv2 + 4 registers", "Swin"
    std::string naming;               // "timm" or "Hugging Face transformers" or ...
    std::vector<std::string> inferred;  // what was not stated and had to be inferred, one line each
    std::vector<std::string> labels;  // class names (empty: none known)
    std::array<float, 3> mean{0.485f, 0.456f, 0.406f};
    std::array<float, 3> std{0.229f, 0.224f, 0.225f};
    float crop_pct = 0.9f;            // resize shorter side to image_size / crop_pct before the crop
    int64_t num_parameters = 0;
};

// config.json settings, checked: nullopt when absent (or there is no config); FileError naming
// config.json and the key when present but not an integer (list of integers, number) in [lo, hi].
std::optional<int> config_int(const CheckpointSource& src, const std::string& key, int64_t lo, int64_t hi);
std::optional<std::vector<int>> config_int_list(const CheckpointSource& src, const std::string& key, int64_t lo,
                                                int64_t hi);
std::optional<double> config_number(const CheckpointSource& src, const std::string& key, double lo, double hi);

// config.json (or preprocessor_config.json) above this size is refused unread.
constexpr uint64_t kMaxConfigBytes = 1u << 20;

// Labels from a config's id2label, in index order; empty when absent or incomplete.
std::vector<std::string> labels_from_config(const JsonValue& config, int num_classes);

// crop_pct outside these is refused (it sets the resize before the crop: 0.01 would ask for 100x).
constexpr double kMinCropPct = 0.1, kMaxCropPct = 10.0;

// Mean/std/crop from config.json and preprocessor_config.json when present; FileError for values
// out of range (std <= 0 would divide by zero).
void apply_preprocessor_config(const CheckpointSource& src, ModelInfo& info, int image_size);

}  // namespace vitscope
