// Command-line parsing for vitscope-cli: a command, positional arguments, --options.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace vitscope::cli {

struct Args {
    std::string command;
    std::vector<std::string> positional;
    std::map<std::string, std::string> options;  // --name value, or --flag -> "1"

    bool has(const std::string& name) const { return options.count(name) != 0; }
    std::string get(const std::string& name, const std::string& fallback = "") const;
    int get_int(const std::string& name, int fallback, int min_value, int max_value) const;
    float get_float(const std::string& name, float fallback) const;
};

// Throws std::invalid_argument for unknown options or missing values.
Args parse_args(int argc, char** argv);

std::string usage_text(const std::string& command);

}  // namespace vitscope::cli
