// Shared by the model-loading fuzz targets: load, and when the model is small, run it once.
#pragma once

#include "model_loader.h"
#include "swin_forward.h"
#include "vit_forward.h"

#include <stdexcept>

namespace vitscope::fuzz {

inline void load_and_run(const std::string& path) {
    LoadedModel m;
    try {
        m = load_model(path);
    } catch (const FileError&) {
        return;
    }
    // The loader's bounds make these safe to compute; a forward pass only for small inputs.
    const PreprocessConfig cfg = preprocess_config(m);
    if (int64_t(cfg.height) * cfg.width > 64 * 64 || m.info().num_parameters > 200'000) return;
    ModelInput in = model_input_from_tensor(std::vector<float>(size_t(3) * cfg.height * cfg.width, 0.25f), cfg.height,
                                            cfg.width, cfg.patch_size);
    try {
        if (m.vit) {
            ViTTrace t;
            vit_forward(*m.vit, in, {}, t);
        } else {
            SwinTrace t;
            swin_forward(*m.swin, in, {}, {}, t);
        }
    } catch (const std::invalid_argument&) {  // an input the model cannot take: reported, fine
    }
}

}  // namespace vitscope::fuzz
