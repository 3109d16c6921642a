// vitscope-cli analyze: one analysis of app/analysis on a model and an image, as a table or --json
// (rollout, distance, saturation, leakage, heads, posembed, filters). Runs the model like `dump`.
#pragma once

#include "cli_args.h"

#include <string>

namespace vitscope::cli {

int cmd_analyze(const Args& a);

// The --help text of analyze (its own options; the run options follow it).
std::string analyze_usage();

}  // namespace vitscope::cli
