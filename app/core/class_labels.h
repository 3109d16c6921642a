// Class names for a model's predictions, for every front end. One function, so that another source
// of names (built-in ImageNet classes, say) is added in one place.
#pragma once

#include "model_loader.h"

#include <string>
#include <vector>

namespace vitscope {

// The model's own names (config id2label); else, for a 1000-class model without names, the first
// imagenet_classes.txt with exactly 1000 lines found beside the model (its folder, the folder above,
// ../../data) or in the shared material (<shared>/data); else empty.
std::vector<std::string> class_labels_for(const LoadedModel& model, const std::string& model_path);

}  // namespace vitscope
