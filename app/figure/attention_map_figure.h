// The heatmap of one query's attention over a layer's tokens, for ViT and Swin alike, read through
// the model-neutral AttentionSource: what the image view, the heads grid, the overview and every
// export of them draw.
#pragma once

#include "attention_source.h"
#include "heatmap_figure.h"

namespace vitscope {

// The attention of the selected query (a ViT token or a Swin stage-0 patch: see
// AttentionSource::query_token) over the keys of (layer, head); head may be kMeanOfHeads.
// Patch / map keys on the grid, special tokens (CLS, DIST, registers) beside it; keys the query
// cannot attend (outside its Swin window) hold exactly 0 and are flagged kCellOutside; keys a mask
// removed kCellMasked; the query kCellOutline. Title: "head 2 · layer 5 · query CLS",
// "mean of heads · stage 1 · block 1 (SW-MSA) · query (3, 4) · window 2".
HeatmapFigure attention_map_figure(const AttentionSource& src, int layer, int head, int selection,
                                   const FigureStyle& style);

// The range such a heatmap uses under a normalization: over the patch / map keys the query can
// attend only (the CLS column, or the zeros outside a Swin window, would otherwise flatten or pin
// every map). PerLayer spans the layer's heads, Global every layer and head, each for the same
// selection.
ValueRange attention_map_range(const AttentionSource& src, Normalization n, int layer, int head, int selection);

}  // namespace vitscope
