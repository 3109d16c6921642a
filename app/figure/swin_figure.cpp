#include "swin_figure.h"

#include "attention_source.h"
#include "attention_stats.h"

#include <algorithm>
#include <cassert>

namespace vitscope {

namespace {

const SwinBlockTrace& block_trace(const SwinTrace& t, int block) {
    assert(block >= 0 && size_t(block) < t.blocks.size() && "Swin block out of range");
    return t.blocks[size_t(block)];
}

}  // namespace

SwinQuery swin_query(const SwinTrace& t, int block, int patch) {
    const SwinBlockTrace& bt = block_trace(t, block);
    const int token = AttentionSource(t).query_token(block, patch);
    SwinQuery q;
    q.block = block;
    q.stage = bt.stage;
    q.row = token / bt.geometry.width;
    q.col = token % bt.geometry.width;
    map_to_window_slot(bt.geometry, q.row, q.col, q.window, q.position);
    return q;
}

std::string swin_block_name(const SwinTrace& t, int block) {
    const SwinBlockTrace& bt = block_trace(t, block);
    return "stage " + std::to_string(bt.stage) + " · block " + std::to_string(bt.block) +
           (bt.geometry.shifted() ? " (SW-MSA)" : " (W-MSA)");
}

std::vector<float> swin_window_row(const SwinTrace& t, int block, int head, int window, int position) {
    const SwinBlockTrace& bt = block_trace(t, block);
    const int N = bt.geometry.window_tokens(), H = bt.num_heads;
    assert(window >= 0 && window < bt.geometry.num_windows() && position >= 0 && position < N && "slot out of range");
    std::vector<float> row(size_t(N), 0.0f);
    if (bt.attn.size() != size_t(bt.geometry.num_windows()) * H * N * N) return row;
    if (head != kMeanOfHeads) {
        assert(head >= 0 && head < H && "head out of range");
        for (int k = 0; k < N; ++k) row[size_t(k)] = bt.prob(window, head, position, k);
        return row;
    }
    for (int h = 0; h < H; ++h)
        for (int k = 0; k < N; ++k) row[size_t(k)] += bt.prob(window, h, position, k);
    for (float& v : row) v /= float(H);
    return row;
}

std::vector<float> swin_window_matrix(const SwinTrace& t, int block, int head, int window) {
    const SwinBlockTrace& bt = block_trace(t, block);
    const int N = bt.geometry.window_tokens();
    std::vector<float> m(size_t(N) * N, 0.0f);
    for (int q = 0; q < N; ++q) {
        const std::vector<float> row = swin_window_row(t, block, head, window, q);
        std::copy(row.begin(), row.end(), m.begin() + ptrdiff_t(size_t(q) * N));
    }
    return m;
}

HeatmapFigure swin_matrix_figure(const SwinTrace& t, int block, int head, int patch, const FigureStyle& style) {
    const SwinBlockTrace& bt = block_trace(t, block);
    const SwinWindowGeometry& g = bt.geometry;
    const SwinQuery q = swin_query(t, block, patch);
    const int N = g.window_tokens();
    HeatmapFigure f;
    f.grid_w = N;
    f.grid_h = N;
    f.values = swin_window_matrix(t, block, head, q.window);
    f.cell_flags.assign(f.values.size(), 0);
    const std::vector<unsigned char> masked = swin_masked_keys(t, block, head);
    std::vector<unsigned char> padding(size_t(N), 0), masked_slot(size_t(N), 0);
    int y = 0, x = 0;
    f.matrix_tokens.assign(size_t(N), -1);
    for (int p = 0; p < N; ++p) {
        if (!window_slot_to_map(g, q.window, p, y, x)) {
            padding[size_t(p)] = 1;
        } else {
            masked_slot[size_t(p)] = masked[size_t(y) * g.width + x];
            f.matrix_tokens[size_t(p)] = y * g.width + x;
        }
    }
    const bool has_mask = bt.mask.size() == size_t(g.num_windows()) * N * N;
    for (int r = 0; r < N; ++r)
        for (int k = 0; k < N; ++k) {
            uint8_t fl = 0;
            if (padding[size_t(r)] || padding[size_t(k)]) fl |= kCellOutside;
            if (masked_slot[size_t(k)]) fl |= kCellMasked;
            if (has_mask && bt.mask[(size_t(q.window) * N + r) * N + k] != 0.0f) fl |= kCellShiftMasked;
            if (r == q.position) fl |= kCellHighlight;
            f.cell_flags[size_t(r) * N + k] = fl;
        }
    FigureStyle s = style;
    s.show_grid = false;
    s.opacity = 1.0f;
    const ValueRange raw = style.normalization == Normalization::RawFixed ? ValueRange{0.0f, 1.0f} : range_of(f.values);
    apply_style(f, s, raw);
    f.show_image = false;
    f.title = "window " + std::to_string(q.window) + " (row " + std::to_string(q.window / g.windows_x()) + ", col " +
              std::to_string(q.window % g.windows_x()) + ") of " + std::to_string(g.num_windows()) + " · " +
              head_title(head) + " · " + swin_block_name(t, block) + " · " + std::to_string(N) + "x" + std::to_string(N);
    return f;
}

SwinPartition swin_partition(const SwinTrace& t, int block) {
    const SwinBlockTrace& bt = block_trace(t, block);
    const SwinWindowGeometry& g = bt.geometry;
    SwinPartition p;
    p.grid_w = g.width;
    p.grid_h = g.height;
    p.window = g.window;
    p.shift = g.shift;
    p.num_windows = g.num_windows();
    const int W = g.width, H = g.height, M = g.window;
    p.window_of.resize(size_t(W) * H);
    p.position_of.resize(size_t(W) * H);
    const bool regions = g.shifted() && bt.region_ids.size() == size_t(g.padded_height) * g.padded_width;
    if (regions) p.region_of.resize(size_t(W) * H);
    for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x) {
            int w = 0, pos = 0;
            map_to_window_slot(g, y, x, w, pos);
            const size_t i = size_t(y) * W + x;
            p.window_of[i] = w;
            p.position_of[i] = pos;
            if (regions) {
                // The region map lives on the rolled, padded map, where the slot sits.
                const int ry = (w / g.windows_x()) * M + pos / M, rx = (w % g.windows_x()) * M + pos % M;
                p.region_of[i] = bt.region_ids[size_t(ry) * g.padded_width + rx];
            }
        }
    auto region = [&](int y, int x) { return regions ? p.region_of[size_t(y) * W + x] : -1; };
    auto win = [&](int y, int x) { return p.window_of[size_t(y) * W + x]; };
    // 0: same piece, 1: region boundary inside a window, 2: window boundary.
    auto kind = [&](int y0, int x0, int y1, int x1) {
        if (win(y0, x0) != win(y1, x1)) return 2;
        return region(y0, x0) != region(y1, x1) ? 1 : 0;
    };
    // Edges as maximal runs along each grid line.
    auto add_run = [&](int k, GridSegment s) { (k == 2 ? p.window_edges : p.region_edges).push_back(s); };
    for (int x = 1; x < W; ++x) {  // vertical lines
        int start = 0, cur = kind(0, x - 1, 0, x);
        for (int y = 1; y <= H; ++y) {
            const int k = y < H ? kind(y, x - 1, y, x) : -1;
            if (k == cur) continue;
            if (cur > 0) add_run(cur, {float(x), float(start), float(x), float(y)});
            start = y;
            cur = k;
        }
    }
    for (int y = 1; y < H; ++y) {  // horizontal lines
        int start = 0, cur = kind(y - 1, 0, y, 0);
        for (int x = 1; x <= W; ++x) {
            const int k = x < W ? kind(y - 1, x, y, x) : -1;
            if (k == cur) continue;
            if (cur > 0) add_run(cur, {float(start), float(y), float(x), float(y)});
            start = x;
            cur = k;
        }
    }
    p.window_edges.push_back({0, 0, float(W), 0});
    p.window_edges.push_back({0, float(H), float(W), float(H)});
    p.window_edges.push_back({0, 0, 0, float(H)});
    p.window_edges.push_back({float(W), 0, float(W), float(H)});
    // Connected (window, region) pieces, 4-neighbourhood.
    std::vector<int> seen(size_t(W) * H, 0);
    std::vector<int> stack;
    for (int sy = 0; sy < H; ++sy)
        for (int sx = 0; sx < W; ++sx) {
            if (seen[size_t(sy) * W + sx]) continue;
            SwinPiece pc;
            pc.window = win(sy, sx);
            pc.region = region(sy, sx);
            pc.x0 = pc.x1 = sx;
            pc.y0 = pc.y1 = sy;
            stack.assign(1, sy * W + sx);
            seen[size_t(sy) * W + sx] = 1;
            while (!stack.empty()) {
                const int i = stack.back();
                stack.pop_back();
                const int y = i / W, x = i % W;
                ++pc.tokens;
                pc.x0 = std::min(pc.x0, x);
                pc.y0 = std::min(pc.y0, y);
                pc.x1 = std::max(pc.x1, x + 1);
                pc.y1 = std::max(pc.y1, y + 1);
                const int ny[4] = {y - 1, y + 1, y, y}, nx[4] = {x, x, x - 1, x + 1};
                for (int k = 0; k < 4; ++k) {
                    if (ny[k] < 0 || ny[k] >= H || nx[k] < 0 || nx[k] >= W) continue;
                    const size_t j = size_t(ny[k]) * W + nx[k];
                    if (seen[j] || kind(y, x, ny[k], nx[k]) != 0) continue;
                    seen[j] = 1;
                    stack.push_back(int(j));
                }
            }
            p.pieces.push_back(pc);
        }
    return p;
}

}  // namespace vitscope
