// What a click on the Image view means, for every front end: the token under a point of the built
// figure, and what choosing that token as the query or masking it changes. Plain data in, plain
// data out (the figure builders decide where the cells lie).
#pragma once

#include "view_figures.h"
#include "workspace_state.h"

#include <vector>

namespace vitscope {

// The token under figure point (x, y) of an Image view built from `state` (ViT: token index, special
// tokens first; Swin: the cell of the shown stage's map, row * W_s + col), or -1.
int image_view_token_at(const BuiltFigure& figure, const WorkspaceState& state, float x, float y);

// The query a click on `token` selects (ViT: the token; Swin: the stage-0 patch under the cell of
// `block`'s stage).
int image_view_query_of(const BuiltFigure& figure, const WorkspaceState& state, int block, int token);

// The keys a mask click on `token` toggles (ViT: the token; Swin: every stage-0 patch under it).
std::vector<int> image_view_mask_keys_of(const BuiltFigure& figure, const WorkspaceState& state, int block, int token);

// The figure point at the centre of patch (row, col) of the shown grid (for scripted clicks).
bool image_view_patch_center(const BuiltFigure& figure, int row, int col, float& x, float& y);

}  // namespace vitscope
