#include "model_loader.h"

#include <new>

namespace vitscope {

const ModelInfo& LoadedModel::info() const { return swin ? swin->info : vit->info; }
int LoadedModel::input_height() const { return swin ? swin->hp.image_size : vit->hp.image_height; }
int LoadedModel::input_width() const { return swin ? swin->hp.image_size : vit->hp.image_width; }
int LoadedModel::patch_size() const { return swin ? swin->hp.patch_size : vit->hp.patch_size; }
int LoadedModel::num_classes() const { return swin ? swin->hp.num_classes : vit->hp.num_classes; }
int LoadedModel::attention_layers() const { return swin ? swin->hp.total_blocks() : vit->hp.depth; }

PreprocessConfig preprocess_config(const LoadedModel& m) {
    PreprocessConfig cfg;
    cfg.height = m.input_height();
    cfg.width = m.input_width();
    cfg.patch_size = m.patch_size();
    cfg.crop_pct = m.info().crop_pct;
    cfg.mean = m.info().mean;
    cfg.std = m.info().std;
    return cfg;
}

namespace {

LoadedModel load_model_unchecked(const std::string& path) {
    CheckpointSource src = open_checkpoint(path);
    LoadedModel m;
    m.architecture = detect_architecture(src);
    switch (m.architecture) {
    case Architecture::ViTFamily:
        m.vit = std::make_shared<ViTModel>(load_vit_model(src));
        break;
    case Architecture::Swin:
        m.swin = std::make_shared<SwinModel>(load_swin_model(src));
        break;
    }
    return m;
}

}  // namespace

LoadedModel load_model(const std::string& path) {
    try {
        return load_model_unchecked(path);
    } catch (const FileError&) {
        throw;
    } catch (const std::bad_alloc&) {
        throw FileError(path + ": not enough memory to load this model");
    } catch (const std::exception& e) {  // a library error that does not name the file: name it
        throw FileError(path + ": " + e.what());
    }
}

}  // namespace vitscope
