#include "image_view_hit.h"

#include "swin_figure.h"

#include <algorithm>
#include <cstdio>

namespace vitscope {

namespace {

// The state's current trace as an AttentionSource when `token` is a token of `layer`. The source
// points into the state's traces, which outlive the call.
std::optional<AttentionSource> source_for(const WorkspaceState& s, int layer, int token) {
    std::optional<AttentionSource> src = attention_source(s);
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

namespace {

std::string attention_text(float p) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", double(p));
    return std::string(" · attention ") + buf;
}

}  // namespace

std::string image_view_readout(const BuiltFigure& fig, const WorkspaceState& s, int layer, int token) {
    const HeatmapFigure& f = fig.figure;
    const int S = int(f.side_values.size());
    if (token < 0 || token >= S + f.num_cells()) return "";
    const auto st = s.swin_trace;
    if (st && !st->blocks.empty()) {
        const SwinPartition part = swin_partition(*st, std::clamp(layer, 0, int(st->blocks.size()) - 1));
        if (size_t(token) >= part.window_of.size()) return "";
        std::string text = "token (" + std::to_string(token / f.grid_w) + ", " + std::to_string(token % f.grid_w) +
                           ") · window " + std::to_string(part.window_of[size_t(token)]) + ", slot " +
                           std::to_string(part.position_of[size_t(token)]);
        if (!part.region_of.empty()) text += " · region " + std::to_string(part.region_of[size_t(token)]);
        text += f.cell_flags[size_t(token)] & kCellOutside ? std::string(" · outside the query's window: not attended")
                                                           : attention_text(f.values[size_t(token)]);
        return text;
    }
    const auto t = s.trace;
    if (!t) return "";
    const float p = token < S ? f.side_values[size_t(token)] : f.values[size_t(token - S)];
    std::string where = t->token_name(token);
    if (token >= t->num_prefix) {
        const int patch = token - t->num_prefix;
        where = "patch " + std::to_string(patch) + " (row " + std::to_string(patch / t->grid_width) + ", col " +
                std::to_string(patch % t->grid_width) + ")";
    }
    return "token " + std::to_string(token) + " · " + where + attention_text(p);
}

bool image_view_patch_center(const BuiltFigure& fig, int row, int col, float& x, float& y) {
    const HeatmapFigure& f = fig.figure;
    if (fig.panels.empty() || row < 0 || col < 0 || row >= f.grid_h || col >= f.grid_w) return false;
    cell_center(f, fig.panels.front().layout, HitResult::Patch, row * f.grid_w + col, x, y);
    return true;
}

}  // namespace vitscope
