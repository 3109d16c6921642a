#include "class_labels.h"

#include <filesystem>
#include <fstream>

namespace vitscope {

namespace {

// The lines of a text file without trailing blank lines; empty when it cannot be read.
std::vector<std::string> read_lines(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::vector<std::string> lines;
    if (!in) return lines;
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        lines.push_back(line);
    }
    auto blank = [](const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; };
    while (!lines.empty() && blank(lines.back())) lines.pop_back();
    return lines;
}

}  // namespace

std::vector<std::string> class_labels_for(const LoadedModel& model, const std::string& model_path) {
    if (!model.info().labels.empty() || model.num_classes() != 1000) return model.info().labels;
    // A bare ImageNet checkpoint: look for a class list beside it or in the shared material.
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path p = fs::absolute(model_path, ec);
    const fs::path dir = fs::is_directory(p, ec) ? p : p.parent_path();
    const fs::path candidates[] = {dir / "imagenet_classes.txt", dir / ".." / "imagenet_classes.txt",
                                   dir / ".." / ".." / "data" / "imagenet_classes.txt",
                                   fs::path(VITSCOPE_SHARED_DIR_FOR_APP) / "data" / "imagenet_classes.txt"};
    for (const fs::path& c : candidates) {
        std::vector<std::string> lines = read_lines(c);
        if (lines.size() == 1000) return lines;
    }
    return model.info().labels;
}

}  // namespace vitscope
