#include "class_labels.h"

#include "safetensors.h"

#include <algorithm>
#include <fstream>

namespace vitscope {

std::vector<std::string> read_label_file(const std::string& path, int expected_classes) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw FileError(path + ": cannot open the class names file");
    std::vector<std::string> names;
    std::string line;
    // A list of a million names is not a label file; stop reading long before memory is at risk.
    constexpr size_t kMaxLines = size_t(1) << 21;
    while (names.size() <= kMaxLines && std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        names.push_back(line);
    }
    if (int64_t(names.size()) != int64_t(expected_classes))
        throw FileError(path + ": has " + std::to_string(names.size()) + " lines but the model has " +
                        std::to_string(expected_classes) + " classes (one name per line expected)");
    return names;
}

ClassLabels class_labels_for(const LoadedModel& model, const std::string& assets_dir) {
    ClassLabels out;
    const int classes = model.num_classes();
    if (!model.info().labels.empty()) {
        out.names = model.info().labels;
        out.source = "config.json id2label";
        return out;
    }
    if (classes == kImageNet1kClasses) {
        try {
            out.names = read_label_file(assets_dir + "/" + kImageNet1kLabelsFile, kImageNet1kClasses);
        } catch (const FileError& e) {
            throw FileError(std::string(e.what()) +
                            "; the built-in ImageNet-1k names are missing (reinstall vitscope, point VITSCOPE_ASSETS "
                            "at its assets folder, or give the names with --labels FILE)");
        }
        out.source = "built-in ImageNet-1k";
        return out;
    }
    if (classes == kImageNet21kClasses)
        out.note = "21843 classes (ImageNet-21k): no class names are built in, so classes show as numbers "
                   "(give a list with --labels FILE or File > Open Labels)";
    return out;
}

std::vector<std::string> labels_or_numbers(std::vector<std::string> names, int num_classes) {
    names.resize(size_t(std::max(num_classes, 0)));
    for (int i = 0; i < num_classes; ++i)
        if (names[size_t(i)].empty()) names[size_t(i)] = "class " + std::to_string(i);
    return names;
}

}  // namespace vitscope
