// The vitscope-cli commands that draw, headless: figure (one view as PNG, SVG or PDF, optionally its
// numbers as CSV), sheet (the teaching sheet as a multi-page PDF) and sweep (the Image view at every
// layer as an animated GIF, optionally also numbered PNGs). Each runs the model like `dump`.
#pragma once

#include "cli_args.h"

namespace vitscope::cli {

int cmd_figure(const Args& a);
int cmd_sheet(const Args& a);
int cmd_sweep(const Args& a);

}  // namespace vitscope::cli
