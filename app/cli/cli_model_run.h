// What the commands that run a model share: the [MODEL] IMAGE arguments, loading, the input
// (--preprocess, --input-size), the attention options (--scale, --temperature, --mask-keys, --causal,
// --layers, --heads, --ablate-heads, --no-padding-mask, --keep-attention), the Swin switches (--no-shift,
// --no-shift-mask, --no-rel-bias) and the forward pass with its masked-rows warning.
#pragma once

#include "cli_args.h"

#include "attention_source.h"
#include "model_loader.h"
#include "swin_forward.h"
#include "vit_forward.h"

#include <cassert>
#include <string>
#include <vector>

namespace vitscope::cli {

// A loaded model, its prepared input and the trace of the last forward pass (of its architecture).
struct ModelRun {
    LoadedModel model;
    ModelInput input;
    ViTTrace trace;
    SwinTrace swin_trace;  // Swin models

    // The last pass, read the same way whatever the architecture.
    AttentionSource source() const;
    const RowVector& logits() const;
    const RowVector& features() const;
    const AttentionOptions& options() const;  // what it was computed with
    int all_masked_rows() const;
    int64_t non_finite_values() const;  // in the logits, features and attention
};

// f(the run's trace), whatever its type: for reading fields every trace has by the same name.
template <typename F>
decltype(auto) with_trace(const ModelRun& r, F&& f) {
    if (r.model.swin) return f(r.swin_trace);
    return f(r.trace);
}

// What a forward pass is asked for: the attention options every architecture takes, and the
// switches of one (ignored by the others). Default: the paper.
struct RunOptions {
    AttentionOptions attention;
    SwinOptions swin;
};

// What the commands need to know to run one architecture, as data and small functions: run_forward,
// bench and the option checks are written once over it, so another architecture is another entry.
struct ArchitectureRun {
    const char* layer_unit;  // what its attention layers are called, "layers" or "blocks" (how many:
                             // LoadedModel::attention_layers())
    int (*max_heads)(const LoadedModel&);         // the most heads of any layer
    // The tokens --mask-keys may name for this input: ViT prefix tokens + patches; Swin stage-0 patches.
    int (*mask_key_tokens)(const LoadedModel&, const ModelInput&);
    // A pass over r.input into r's trace: from layer 0 the whole pass, from a later layer a
    // recompute from the state the previous pass stored.
    void (*forward)(ModelRun& r, const RunOptions&, int from_layer);
    double (*forward_flops)(const LoadedModel&, int image_height, int image_width);  // the whole pass
};
const ArchitectureRun& architecture_run(const LoadedModel& m);

// The entry for `m`'s architecture in a per-architecture table (the one switch every table uses:
// a new architecture adds an argument here, and the compiler names every table that lacks it).
template <typename T>
const T& for_architecture(const LoadedModel& m, const T& vit_family, const T& swin) {
    switch (m.architecture) {
    case Architecture::ViTFamily: return vit_family;
    case Architecture::Swin: return swin;
    }
    assert(false && "for_architecture: an architecture without an entry");
    return vit_family;
}

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
// --keep-attention all|none|L,M into `o` (layers checked against `depth`); nothing when absent.
void apply_kept_layers(const Args& a, int depth, AttentionOptions& o);
// Swin's --no-shift, --no-shift-mask, --no-rel-bias.
SwinOptions swin_options(const Args& a);

// --labels FILE when given, else the model's class names (its id2label, the built-in ImageNet-1k
// names for 1000 classes: class_labels_for), else "class i" (with a note on stderr for 21k classes).
std::vector<std::string> class_labels(const Args& a, const LoadedModel& m);

// The image at `image_path` through the model's preprocessing (--preprocess, --input-size).
ModelInput prepare_input(const Args& a, const LoadedModel& m, const std::string& image_path);

// The forward pass of the model's architecture with the options from `a`; a warning on stderr when
// some attention rows had every key masked.
void run_forward(const Args& a, ModelRun& r);

// --threads N (0 or absent: all cores).
void apply_threads(const Args& a);

}  // namespace vitscope::cli
