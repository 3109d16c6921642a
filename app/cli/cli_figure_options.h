// The options of the drawing commands (figure, sheet, sweep) read against a model's trace: which
// layer, head and query, the figure size, DPI, theme, caption; and the checks on output paths made
// before any work. Every error is a one-line message that gives the accepted values or range.
#pragma once

#include "cli_args.h"

#include "attention_stats.h"
#include "view_figures.h"

#include <string>

namespace vitscope::cli {

// --layer L: 0-based, negative counts from the end (-1 = the last layer or Swin block). Default `fallback`.
int selected_layer(const Args& a, const FigureInputs& in, int fallback);

// --head H|mean, checked against `num_heads` (kMeanOfHeads for "mean", the default). `where` says
// whose count it is in the message ("layer 3 has", "every block has at least").
int selected_head(const Args& a, int num_heads, const std::string& where);

// --query cls|TOKEN|R,C: ViT: a token (cls = 0) or the patch at row R, column C; Swin: a stage-0
// patch index or R,C (no CLS). Default: ViT the CLS token, Swin the centre patch.
int selected_query(const Args& a, const FigureInputs& in);

struct FigureSize {
    float width = 0, height = 0;
};
// --size WxH in figure px (64..8000 each), else `fallback`.
FigureSize figure_size(const Args& a, FigureSize fallback);
// --dpi N (24..1200, default 96 = one image pixel per figure px).
double figure_dpi(const Args& a);
// --theme light|dark (default light).
Theme figure_theme(const Args& a);
// --no-photo, --caption TEXT.
FigureOptions figure_options(const Args& a);

// Throws unless `path`'s folder exists, is a folder and can be written into, and `path` is not a folder.
void check_output_path(const std::string& path);

}  // namespace vitscope::cli
