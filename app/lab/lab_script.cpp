#include "lab_script.h"

#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace vitscope {

namespace {

// Command -> number of arguments.
const std::map<std::string, int>& commands() {
    static const std::map<std::string, int> c = {
        {"layer", 1},       {"head", 1},    {"query", 1},   {"click-patch", 2}, {"hover-patch", 2}, {"drag-patches", 4}, {"key", 1},
        {"temperature", 1}, {"scale", 1},   {"image", 1},   {"model", 1},       {"opacity", 1},
        {"grid", 1},        {"colormap", 1}, {"wait-idle", 0}, {"wait-frames", 1}, {"sweep-layers", 1},
        {"screenshot", 1},  {"tab", 1},     {"open", 1},    {"quit", 0},
    };
    return c;
}

}  // namespace

std::vector<ScriptCommand> parse_lab_script(const std::string& text, const std::string& name) {
    std::vector<ScriptCommand> out;
    std::istringstream in(text);
    int n = 0;
    for (std::string line; std::getline(in, line);) {
        ++n;
        if (const size_t hash = line.find('#'); hash != std::string::npos) line.erase(hash);
        std::istringstream words(line);
        ScriptCommand c;
        c.line = n;
        if (!(words >> c.name)) continue;
        for (std::string w; words >> w;) c.args.push_back(w);
        const auto it = commands().find(c.name);
        if (it == commands().end())
            throw std::runtime_error(name + ":" + std::to_string(n) + ": unknown command '" + c.name +
                                     "' (see vitscope-lab --help)");
        if (int(c.args.size()) != it->second)
            throw std::runtime_error(name + ":" + std::to_string(n) + ": " + c.name + " takes " +
                                     std::to_string(it->second) + " argument(s), got " + std::to_string(c.args.size()));
        out.push_back(std::move(c));
    }
    return out;
}

std::vector<ScriptCommand> read_lab_script(const std::string& path) {
    std::ifstream f(path);
    if (!f) throw std::runtime_error(path + ": cannot read the script");
    std::stringstream ss;
    ss << f.rdbuf();
    return parse_lab_script(ss.str(), path);
}

}  // namespace vitscope
