// One entry point for front ends: open any supported checkpoint, whatever its architecture.
#pragma once

#include "checkpoint_source.h"
#include "preprocess.h"
#include "swin_model.h"
#include "vit_model.h"

#include <memory>
#include <string>

namespace vitscope {

struct LoadedModel {
    Architecture architecture = Architecture::ViTFamily;
    std::shared_ptr<const ViTModel> vit;  // set for the ViT family
    std::shared_ptr<const SwinModel> swin;  // set for Swin

    const ModelInfo& info() const;
    int input_height() const;  // the resolution the model was trained at
    int input_width() const;
    int patch_size() const;  // the input must be a multiple of it
    int num_classes() const;
    int attention_layers() const;  // ViT layers, or Swin blocks over all stages
};

// The preprocessing the model was trained with (its input size, patch size, crop_pct, mean/std).
PreprocessConfig preprocess_config(const LoadedModel& model);

// Throws FileError with a message naming the file (and tensor) on any problem, including errors
// from below (bad_alloc, library exceptions) that do not name it themselves.
LoadedModel load_model(const std::string& path);

}  // namespace vitscope
