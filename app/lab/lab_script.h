// The lab's scripted mode (--script FILE): one command per line, '#' starts a comment. The script
// drives the real UI: keys go through the same handler as the keyboard, click-patch moves the mouse
// onto the patch's centre in the image view and clicks there.
#pragma once

#include <string>
#include <vector>

namespace vitscope {

struct ScriptCommand {
    std::string name;               // "layer", "head", "click-patch", "key", "wait-idle", ...
    std::vector<std::string> args;
    int line = 0;                   // 1-based, for messages
};

// Throws std::runtime_error "<file>:<line>: ..." for an unknown command or a wrong argument count.
std::vector<ScriptCommand> read_lab_script(const std::string& path);
std::vector<ScriptCommand> parse_lab_script(const std::string& text, const std::string& name);

}  // namespace vitscope
