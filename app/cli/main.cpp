// vitscope-cli: inspect, run, dump and time ViT-family checkpoints from the command line.
#include "cli_args.h"
#include "cli_commands.h"

#include <QByteArray>
#include <QtGlobal>

#include <cstdio>
#include <exception>
#include <string>

int main(int argc, char** argv) {
    using namespace vitscope::cli;
    // Qt's image readers print warnings (e.g. libpng iCCP profiles) that are noise on a CLI.
    qputenv("QT_LOGGING_RULES", "qt.gui.imageio=false");
    try {
        Args args = parse_args(argc, argv);
        if (args.command.empty() || args.command == "help" || args.has("help")) {
            std::fputs(usage_text(args.command == "help" ? "" : args.command).c_str(), stdout);
            return args.command.empty() && !args.has("help") ? 2 : 0;
        }
        return run_command(args);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "vitscope-cli: %s\n", e.what());
        return 1;
    }
}
