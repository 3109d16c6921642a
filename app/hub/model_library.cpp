#include "model_library.h"

namespace vitscope {

const std::vector<LibraryModel>& model_library() {
    static const std::vector<LibraryModel> models = {
        {"embedded:vitscope-vit-tiny", "ViT (ours)", "0.23M", "", "same as vitscope", 112,
         "shipped: five shapes, 4 layers x 2 heads; every idea at a glance, instantly"},
        {"embedded:vitscope-swin-tiny", "Swin (ours)", "0.57M", "", "same as vitscope", 112,
         "shipped: shifted windows and the shift mask on a model small enough to follow"},
        {"facebook/dino-vits16", "DINO ViT-S/16", "21.7M", "87 MB", "Apache-2.0", 224,
         "self-supervised: the famous CLS heads that segment objects without labels"},
        {"facebook/dino-vits8", "DINO ViT-S/8", "21.7M", "87 MB", "Apache-2.0", 224,
         "DINO with 8 px patches: 28x28 tokens, the sharpest object masks"},
        {"facebook/dino-vitb16", "DINO ViT-B/16", "85.8M", "343 MB", "Apache-2.0", 224,
         "DINO at base size: 12 heads per layer to compare"},
        {"facebook/deit-tiny-patch16-224", "DeiT", "5.7M", "23 MB", "Apache-2.0", 224,
         "smallest ImageNet classifier: fast live demos with real class names"},
        {"facebook/deit-small-patch16-224", "DeiT", "22.1M", "88 MB", "Apache-2.0", 224,
         "ImageNet classifier: masking and ablation change real predictions"},
        {"google/vit-base-patch16-224", "ViT", "86.6M", "346 MB", "Apache-2.0", 224,
         "the original ViT-B/16 (ImageNet-21k, fine-tuned on 1k): attention distance by depth"},
        {"facebook/dinov2-small", "DINOv2", "22.1M", "88 MB", "Apache-2.0", 224,
         "patch 14 features; its high-norm artifact tokens in the attention maps"},
        {"facebook/dinov2-with-registers-small", "DINOv2 + registers", "22.1M", "88 MB", "Apache-2.0", 224,
         "the same with 4 register tokens: the artifacts move into the registers"},
        {"microsoft/swin-tiny-patch4-window7-224", "Swin", "28.3M", "113 MB", "Apache-2.0", 224,
         "a real Swin-T: windows, shifted windows and the hierarchy on ImageNet"},
    };
    return models;
}

const LibraryModel* find_library_model(const std::string& id) {
    for (const LibraryModel& m : model_library())
        if (m.id == id) return &m;
    return nullptr;
}

}  // namespace vitscope
