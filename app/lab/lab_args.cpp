#include "lab_args.h"

#include <cstdio>
#include <stdexcept>

namespace vitscope {

const char* lab_usage() {
    return "usage: vitscope-lab [MODEL] [IMAGE] [options]\n"
           "\n"
           "The lecture-hall viewer of vitscope: one window with the image and its attention, the heads, the\n"
           "controls and the predictions, made to be projected. MODEL is a Hugging Face folder or a .safetensors\n"
           "file, IMAGE a PNG/JPEG/BMP/GIF/TGA file; without them the embedded default model and image are used.\n"
           "Drop an image or a model onto the window to open it.\n"
           "\n"
           "Keys: Left/Right layer, Up/Down head, 1..9 head, 0 mean of heads, Space play a layer sweep,\n"
           "      S cycle the scale mode, M mask tool (click patches to mask them as keys), P padding mask,\n"
           "      F fullscreen, + / - UI scale, H help overlay, Esc leave fullscreen / close help.\n"
           "\n"
           "Options:\n"
           "  --script FILE       run the commands in FILE, one per line (see the README: layer N, head N|mean,\n"
           "                      query N, click-patch ROW COL, hover-patch ROW COL,\n"
           "                      drag-patches R0 C0 R1 C1, key NAME, temperature X,\n"
           "                      scale MODE, image PATH, model PATH, open PATH (as if dropped), opacity X,\n"
           "                      grid on|off, colormap NAME,\n"
           "                      wait-idle, wait-frames N, sweep-layers N, tab heads|saturation|distance,\n"
           "                      screenshot PATH, quit)\n"
           "  --frames N          quit after N frames\n"
           "  --screenshot OUT    save the last frame as a PNG\n"
           "  --print-state       print the state and the frame times as JSON at exit\n"
           "  --size WxH          window size (default 1600x1000)\n"
           "  --help              this text\n"
           "\n"
           "Environment: VITSCOPE_LAB_COMPUTE_NICE=N runs the forward passes at nice N (default 10, 0 = the\n"
           "UI's priority), so frames keep their CPU while a pass runs (the engine uses all cores but one).\n";
}

LabArgs parse_lab_args(int argc, char** argv) {
    LabArgs a;
    int positional = 0;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw std::runtime_error(arg + " needs a value (see --help)");
            return argv[++i];
        };
        if (arg == "--help" || arg == "-h") {
            a.help = true;
        } else if (arg == "--script") {
            a.script = value();
        } else if (arg == "--frames") {
            const std::string v = value();
            try {
                a.frames = std::stoi(v);
            } catch (const std::exception&) {
                a.frames = -1;
            }
            if (a.frames <= 0) throw std::runtime_error("--frames " + v + ": expected a positive number of frames");
        } else if (arg == "--screenshot") {
            a.screenshot = value();
        } else if (arg == "--print-state") {
            a.print_state = true;
        } else if (arg == "--size") {
            const std::string v = value();
            if (std::sscanf(v.c_str(), "%dx%d", &a.width, &a.height) != 2 || a.width < 320 || a.height < 240 ||
                a.width > 16384 || a.height > 16384)
                throw std::runtime_error("--size " + v + ": expected WIDTHxHEIGHT, at least 320x240");
        } else if (!arg.empty() && arg[0] == '-') {
            throw std::runtime_error("unknown option " + arg + " (see --help)");
        } else if (positional == 0) {
            a.model = arg;
            ++positional;
        } else if (positional == 1) {
            a.image = arg;
            ++positional;
        } else {
            throw std::runtime_error("too many arguments: " + arg + " (expected [MODEL] [IMAGE])");
        }
    }
    return a;
}

}  // namespace vitscope
