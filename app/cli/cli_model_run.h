// What the commands that run a model share: the [MODEL] IMAGE arguments, loading, the input
// (--preprocess, --input-size), the attention options (--scale, --temperature, --mask-keys, --causal,
// --layers, --heads, --ablate-heads, --no-padding-mask), the Swin switches (--no-shift,
// --no-shift-mask, --no-rel-bias) and the forward pass with its masked-rows warning.
#pragma once

#include "cli_args.h"

#include "model_loader.h"
#include "swin_forward.h"
#include "vit_forward.h"

#include <string>
#include <vector>

namespace vitscope::cli {

// A loaded model, its prepared input and the trace of the last forward pass (of its architecture).
struct ModelRun {
    LoadedModel model;
    ModelInput input;
    ViTTrace trace;
    SwinTrace swin_trace;  // Swin models
};

// "i,j,k" as non-negative integers; throws UsageError naming --name otherwise.
std::vector<int> parse_int_list(const std::string& name, const std::string& s);

// Throws UsageError "usage: vitscope-cli COMMAND WHAT (see --help)" unless there are n positionals.
void require_positional(const Args& a, size_t n, const char* what);

// The model and image of "[MODEL] IMAGE": without MODEL, the embedded default ViT.
struct ModelAndImage {
    std::string model, image;
};
ModelAndImage model_and_image(const Args& a, const char* usage);

struct InputSize {
    int height = 0, width = 0;
};
// The model's trained size, or --input-size HxW (a multiple of the patch size).
InputSize input_size(const Args& a, const LoadedModel& m);

// The attention options from the command line, checked against the model (layers, heads, tokens).
AttentionOptions attention_options(const Args& a, int depth, int heads, int num_tokens);
// Swin's --no-shift, --no-shift-mask, --no-rel-bias.
SwinOptions swin_options(const Args& a);

// The model's class names, else --labels FILE, else "class i".
std::vector<std::string> class_labels(const Args& a, const LoadedModel& m);

// The image at `image_path` through the model's preprocessing (--preprocess, --input-size).
ModelInput prepare_input(const Args& a, const LoadedModel& m, const std::string& image_path);

// The forward pass of a ViT-family model (run_model) or a Swin model (run_swin_model) with the
// options from `a`; a warning on stderr when some attention rows had every key masked.
void run_model(const Args& a, ModelRun& r);
void run_swin_model(const Args& a, ModelRun& r);
// Either, by the model's architecture.
void run_forward(const Args& a, ModelRun& r);

// --threads N (0 or absent: all cores).
void apply_threads(const Args& a);

}  // namespace vitscope::cli
