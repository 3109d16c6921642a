// Which keys a mask removed in one layer (Swin: block) and head: the one rule every view and analysis
// asks, read from the options a trace was computed with through resolve_layer_setup, exactly as the
// forward passes apply them. The user key mask counts only on layers [first_layer, last_layer] and
// heads in `heads`; the image-padding mask counts everywhere when padding_mask is on. The causal
// mask depends on the query, not the key, and is not part of this rule.
#pragma once

#include "swin_forward.h"
#include "vit_forward.h"

#include <vector>

namespace vitscope {

// A head index meaning "every head": the mean of the heads for attention rows, "any head" for masks.
constexpr int kMeanOfHeads = -1;

// [N] over the trace's tokens (prefix tokens first): 1 where key k has probability 0 for every query
// of `head` in `layer` because of the user mask or the padding mask. kMeanOfHeads: masked for any head.
std::vector<unsigned char> vit_masked_keys(const ViTTrace& trace, int layer, int head);

// [h*w] over the tokens of `block`'s feature map (row-major): the same for a Swin block. Masks are
// given on the stage-0 patch grid; in stage s a token is masked when every stage-0 patch under it
// (inside the grid) is. Window-padding slots are no tokens and never masked.
std::vector<unsigned char> swin_masked_keys(const SwinTrace& trace, int block, int head);

// A stage-0 flag map [h0*w0] carried down to `stage` as patch merging does (2x2 -> 1, odd maps
// padded): a token is set when every stage-0 patch under it is set. [h0*w0] -> [h_s*w_s]
std::vector<unsigned char> swin_stage_flags(std::vector<unsigned char> stage0, int h0, int w0, int stage);

}  // namespace vitscope
