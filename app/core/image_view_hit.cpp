#include "image_view_hit.h"

namespace vitscope {

namespace {

// The state's current trace as an AttentionSource when `token` is a token of `layer`. The source
// points into the state's traces, which outlive the call.
std::optional<AttentionSource> source_for(const WorkspaceState& s, int layer, int token) {
    std::optional<AttentionSource> src = attention_source(figure_inputs(s));
    if (!src || layer < 0 || layer >= src->layers() || token < 0 || token >= src->num_tokens(layer)) return std::nullopt;
    return src;
}

}  // namespace

int image_view_token_at(const BuiltFigure& fig, float x, float y) {
    if (fig.figure.num_cells() == 0 || fig.panels.empty()) return -1;
    const HitResult h = hit_test(fig.figure, fig.panels.front().layout, x, y);
    if (h.kind == HitResult::Patch) return int(fig.figure.side_values.size()) + h.index;  // special tokens first
    if (h.kind == HitResult::Side) return h.index;
    return -1;
}

int image_view_query_of(const WorkspaceState& s, int layer, int token) {
    const std::optional<AttentionSource> src = source_for(s, layer, token);
    return src ? src->selection_of(layer, token) : -1;
}

std::vector<int> image_view_mask_keys_of(const WorkspaceState& s, int layer, int token) {
    const std::optional<AttentionSource> src = source_for(s, layer, token);
    return src ? src->mask_units(layer, token) : std::vector<int>{};
}

bool image_view_patch_center(const BuiltFigure& fig, int row, int col, float& x, float& y) {
    const HeatmapFigure& f = fig.figure;
    if (fig.panels.empty() || row < 0 || col < 0 || row >= f.grid_h || col >= f.grid_w) return false;
    cell_center(f, fig.panels.front().layout, HitResult::Patch, row * f.grid_w + col, x, y);
    return true;
}

}  // namespace vitscope
