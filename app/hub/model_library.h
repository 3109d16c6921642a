// The curated model library, as data (timm's default_cfgs style): models known to open in vitscope,
// with what a teacher needs to choose one. Shown by `vitscope-cli models` and File > Model library.
#pragma once

#include <string>
#include <vector>

namespace vitscope {

struct LibraryModel {
    std::string id;          // Hub id ("org/name"), or "embedded:NAME" for the two shipped defaults
    std::string family;      // "DINO ViT", "DeiT", "ViT", "DINOv2", "Swin", ...
    std::string size;        // parameters, e.g. "21.7M"
    std::string download;    // approximate download, e.g. "88 MB" ("" for embedded models)
    std::string licence;
    int input_size = 224;    // trained square input side in pixels
    std::string teaching;    // what it is good for in class
};

const std::vector<LibraryModel>& model_library();

// The library entry with `id`, or nullptr.
const LibraryModel* find_library_model(const std::string& id);

}  // namespace vitscope
