#include "image_view_hit.h"

#include "swin_figure.h"

namespace vitscope {

int image_view_token_at(const BuiltFigure& fig, const WorkspaceState& s, float x, float y) {
    if (fig.figure.num_cells() == 0 || fig.panels.empty()) return -1;
    const HitResult h = hit_test(fig.figure, fig.panels.front().layout, x, y);
    if (s.swin_trace) return h.kind == HitResult::Patch ? h.index : -1;
    if (!s.trace) return -1;
    if (h.kind == HitResult::Patch) return s.trace->num_prefix + h.index;
    if (h.kind == HitResult::Side) return h.index;
    return -1;
}

int image_view_query_of(const BuiltFigure& fig, const WorkspaceState& s, int block, int token) {
    if (token < 0) return -1;
    if (s.swin_trace && fig.figure.grid_w > 0)
        return swin_patch_of_token(*s.swin_trace, block, token / fig.figure.grid_w, token % fig.figure.grid_w);
    return token;
}

std::vector<int> image_view_mask_keys_of(const BuiltFigure& fig, const WorkspaceState& s, int block, int token) {
    if (token < 0) return {};
    if (s.swin_trace && fig.figure.grid_w > 0)
        return swin_patches_under_token(*s.swin_trace, block, token / fig.figure.grid_w, token % fig.figure.grid_w);
    return {token};
}

bool image_view_patch_center(const BuiltFigure& fig, int row, int col, float& x, float& y) {
    const HeatmapFigure& f = fig.figure;
    if (fig.panels.empty() || row < 0 || col < 0 || row >= f.grid_h || col >= f.grid_w) return false;
    cell_center(f, fig.panels.front().layout, HitResult::Patch, row * f.grid_w + col, x, y);
    return true;
}

}  // namespace vitscope
