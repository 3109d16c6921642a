// Class names for a model's outputs, decided in one place for every front end: the model's own
// id2label, else the built-in ImageNet-1k names for a 1000-class model, else none (numbers).
#pragma once

#include "model_loader.h"

#include <string>
#include <vector>

namespace vitscope {

// The ImageNet-1k list inside an assets folder (one name per line, line i = class i).
constexpr const char* kImageNet1kLabelsFile = "labels/imagenet1k.txt";
constexpr int kImageNet1kClasses = 1000;
constexpr int kImageNet21kClasses = 21843;  // the full ImageNet-21k (ViT, BEiT, Swin-22k heads)

struct ClassLabels {
    std::vector<std::string> names;  // one per class, or empty when no names are known
    std::string source;              // "config.json id2label", "built-in ImageNet-1k", a file, or ""
    std::string note;                // for the user when names are missing (e.g. a 21k head); may be ""
};

// A label file: one name per line (trailing '\r' and a final empty line ignored). Throws FileError
// naming the file when it cannot be read or its line count differs from `expected_classes`.
std::vector<std::string> read_label_file(const std::string& path, int expected_classes);

// The names for `model`: its config's id2label; else, for 1000 classes, the built-in ImageNet-1k
// list in `assets_dir` (FileError naming that file when it is missing or broken); else none, with a
// note for ImageNet-21k-sized heads.
ClassLabels class_labels_for(const LoadedModel& model, const std::string& assets_dir);

// `names` padded to `num_classes` with "class i" for every missing or empty entry.
std::vector<std::string> labels_or_numbers(std::vector<std::string> names, int num_classes);

}  // namespace vitscope
