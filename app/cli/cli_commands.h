// The vitscope-cli commands: info, predict, dump, bench (figure, sheet, sweep: cli_figure_commands.h).
#pragma once

#include "cli_args.h"

#include <stdexcept>

namespace vitscope::cli {

// Wrong arguments: main prints the message and exits with status 2.
class UsageError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

int run_command(const Args& args);

}  // namespace vitscope::cli
