// The lab's command line: `vitscope-lab [MODEL] [IMAGE] [--script FILE] [--frames N]
// [--screenshot OUT.png] [--print-state] [--size WxH] [--help]`.
#pragma once

#include <string>

namespace vitscope {

struct LabArgs {
    std::string model;       // empty: the embedded default
    std::string image;       // empty: the embedded default
    std::string script;      // --script FILE
    int frames = 0;          // --frames N: quit after N frames (0: run until closed)
    std::string screenshot;  // --screenshot OUT.png: the last frame
    bool print_state = false;  // --print-state: the state and frame times as JSON on stdout at exit
    int width = 1600, height = 1000;  // --size WxH: the window
    bool help = false;
};

// Throws std::runtime_error with a message naming the argument and what is expected.
LabArgs parse_lab_args(int argc, char** argv);
const char* lab_usage();

}  // namespace vitscope
