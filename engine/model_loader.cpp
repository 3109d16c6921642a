#include "model_loader.h"

namespace vitscope {

const ModelInfo& LoadedModel::info() const { return vit->info; }
int LoadedModel::input_height() const { return vit->hp.image_height; }
int LoadedModel::input_width() const { return vit->hp.image_width; }
int LoadedModel::patch_size() const { return vit->hp.patch_size; }
int LoadedModel::num_classes() const { return vit->hp.num_classes; }

LoadedModel load_model(const std::string& path) {
    CheckpointSource src = open_checkpoint(path);
    LoadedModel m;
    m.architecture = detect_architecture(src);
    switch (m.architecture) {
    case Architecture::ViTFamily:
        m.vit = std::make_shared<ViTModel>(load_vit_model(src));
        break;
    case Architecture::Swin:
        throw FileError(src.file->path() + ": Swin checkpoints are not supported yet");
    }
    return m;
}

}  // namespace vitscope
