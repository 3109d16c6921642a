// How much attention goes to image padding (preprocess pad on a non-square image): per layer and
// head, the share of each query's attention that lands on padding keys, averaged over every query
// (special tokens and padding queries included). Exactly 0 when the padding mask is on (the keys get
// -inf, so probability 0); with it off, the model sees padding it was never trained on.
//
// Written once over AttentionSource. Swin: padding tokens are the stage's tokens whose stage-0
// patches all lie in padding (the engine's rule), within each query's window.
#pragma once

#include "attention_source.h"

#include <vector>

namespace vitscope {

// [layer][head] share in [0, 1]; all 0 when the input has no padding.
std::vector<std::vector<double>> padding_attention_share(const AttentionSource& source);

}  // namespace vitscope
