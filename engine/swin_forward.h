// Running a Swin v1 model while keeping what a visualizer needs: every block's input, every window's
// and head's attention probabilities, the bias and mask terms, the window layout; final features and
// logits.
#pragma once

#include "attention_options.h"
#include "preprocess.h"
#include "swin_geometry.h"
#include "swin_model.h"

#include <vector>

namespace vitscope {

// Swin-only switches (AttentionOptions holds the rest). All on = the paper.
struct SwinOptions {
    bool shift = true;                   // shift the windows of odd blocks
    bool shift_mask = true;              // the -100 mask between regions of shifted windows
    bool relative_position_bias = true;  // add the learned relative position bias

    bool operator==(const SwinOptions&) const = default;
};

// AttentionOptions applied to Swin, with the layer index = the global block index (stage blocks
// numbered consecutively):
// * scale and temperature multiply the QK^T term only; the bias and mask terms are added unscaled.
// * masked_keys are patch indices of the stage-0 grid (row * W0 + col). In stage s a token is masked
//   when every stage-0 patch under it (inside the image) is masked; window padding is never masked.
//   The image-padding mask (padding_mask) uses the same rule.
// * causal: within a window, query position i sees window positions j <= i.
// A row whose keys are all masked gives zeros and is counted.

struct SwinBlockTrace {
    int stage = 0, block = 0;       // block = index inside the stage
    int num_heads = 0;
    SwinWindowGeometry geometry;    // window size, shift, padded map actually used
    Matrix input;                   // [H*W, C] hidden state entering the block
    FloatBuffer attn;               // [nW, heads, M*M, M*M] softmax probabilities (row = query, column = key)
    FloatBuffer bias;               // [heads, M*M, M*M] relative position bias term (empty when switched off)
    FloatBuffer mask;               // [nW, M*M, M*M] shift mask term (empty without a masked shift)
    std::vector<int> region_ids;    // [Hp*Wp] region map of the shifted configuration (empty without shift)
    FloatBuffer logits_qk;          // [nW, heads, M*M, M*M] scale*QK^T, -inf where a user/causal/padding
                                    // mask applies (when keep_logits); logits = logits_qk + bias + mask
    int all_masked_rows = 0;

    float prob(int window, int head, int q, int k) const {
        const size_t N = size_t(geometry.window_tokens());
        return attn[((size_t(window) * num_heads + head) * N + q) * N + k];
    }
};

struct SwinTrace {
    int image_height = 0, image_width = 0;  // the input
    int patch_size = 4;
    int grid_height = 0, grid_width = 0;    // stage-0 patch grid
    std::vector<unsigned char> padding_patch;  // [grid] 1 for patches entirely in image padding
    AttentionOptions options;               // the options this trace was computed with
    SwinOptions swin_options;
    std::vector<SwinBlockTrace> blocks;     // every block of every stage, in order
    std::vector<int> stage_first_block;     // global index of each stage's first block
    Matrix output;         // [h*w, C_last] after the last block, before the final norm
    RowVector features;    // final-normed tokens averaged [C_last]
    RowVector logits;      // [num_classes] (empty without a classifier)
    int layers_computed = 0;  // how many blocks the last (re)computation ran
    // Working buffers, kept so that another pass with the same model and input size allocates nothing.
    struct Scratch {
        Matrix x, xn, hidden, xw, qkv, heads, projected, patches, patch_rows;
    } scratch;

    int all_masked_rows() const;
    // NaN or infinite values in the logits, features and window attention: nonzero means the
    // outputs are meaningless.
    int64_t non_finite_values() const;
    int global_block(int stage, int block) const { return stage_first_block[size_t(stage)] + block; }
    // Input pixels per token side in a stage: patch_size * 2^stage.
    int stage_stride(int stage) const { return patch_size << stage; }
};

// Where the token at window position `position` of window `window` in global block `block` comes from.
struct SwinTokenLocation {
    bool padding = false;  // a window-padding slot: no token, no pixels
    int row = 0, col = 0;  // in the stage's feature map
    int x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // pixel rectangle [x0, x1) x [y0, y1) in the input, clipped
};
SwinTokenLocation swin_token_location(const SwinTrace& trace, int block, int window, int position);
// The window and position of the token covering input pixel (px, py) in global block `block`
// (what a click on a query patch selects). False outside the image.
bool swin_pixel_to_window(const SwinTrace& trace, int block, int px, int py, int& window, int& position);

// Full forward pass. The input must be a multiple of the patch size in both directions; feature maps
// that are not a multiple of the window are padded (bottom/right) per block, odd maps before each
// patch merging. Throws std::invalid_argument for inputs the model cannot take.
void swin_forward(const SwinModel& model, const ModelInput& input, const AttentionOptions& options,
                  const SwinOptions& swin_options, SwinTrace& trace);

// Re-runs blocks >= from_block (global index) with new options, reusing the stored block input.
void swin_recompute_from(const SwinModel& model, const AttentionOptions& options, const SwinOptions& swin_options,
                         int from_block, SwinTrace& trace);

// Changes the options of an existing trace, recomputing only from the first block whose behaviour
// changes. Returns that block (total blocks when nothing changed).
int swin_update_options(const SwinModel& model, const AttentionOptions& options, const SwinOptions& swin_options,
                        SwinTrace& trace);

// Per global block: heads, head dim and channels (for resolve_layer_setup / first_changed_layer).
std::vector<AttentionLayerShape> swin_layer_shapes(const SwinModel& model);

}  // namespace vitscope
