// What a click on the Image view means, for every front end: the token under a point of the built
// figure, and what choosing that token as the query or masking it changes (through the model-neutral
// AttentionSource, so ViT and Swin take one path). Plain data in, plain data out.
#pragma once

#include "view_figures.h"
#include "workspace_state.h"

#include <string>
#include <vector>

namespace vitscope {

// The token of the shown layer under figure point (x, y) of a built Image view (special tokens
// first, then the grid's cells; Swin: the cell of the shown stage's map, row * W_s + col), or -1.
int image_view_token_at(const BuiltFigure& figure, float x, float y);

// The query a click on `token` of `layer` selects (ViT: the token; Swin: the stage-0 patch under the
// cell): AttentionSource::selection_of. -1 without a trace or for a token out of range.
int image_view_query_of(const WorkspaceState& state, int layer, int token);

// The keys a mask click on `token` of `layer` toggles (ViT: the token; Swin: every stage-0 patch
// under it): AttentionSource::mask_units. Empty without a trace or for a token out of range.
std::vector<int> image_view_mask_keys_of(const WorkspaceState& state, int layer, int token);

// The readout of `token` of `layer` in a built Image view ("" for -1): ViT "token 17 · patch 16
// (row 1, col 2) · attention 0.01234" (special tokens by name); Swin "token (3, 4) · window 2, slot 11
// · region 1 · attention 0.0123", or "· outside the query's window: not attended".
std::string image_view_readout(const BuiltFigure& figure, const WorkspaceState& state, int layer, int token);

// The figure point at the centre of patch (row, col) of the shown grid (for scripted clicks).
bool image_view_patch_center(const BuiltFigure& figure, int row, int col, float& x, float& y);

}  // namespace vitscope
