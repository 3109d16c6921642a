#include "swin_figure.h"

#include "attention_stats.h"

#include <algorithm>
#include <cassert>

namespace vitscope {

namespace {

const SwinBlockTrace& block_trace(const SwinTrace& t, int block) {
    assert(block >= 0 && size_t(block) < t.blocks.size() && "Swin block out of range");
    return t.blocks[size_t(block)];
}

std::string head_name(int head) { return head == kMeanOfHeads ? std::string("mean of heads") : "head " + std::to_string(head); }

// Values of the window row at real (non-padding) slots only.
std::vector<float> real_slots(const SwinTrace& t, int block, int window, const std::vector<float>& row) {
    const SwinWindowGeometry& g = block_trace(t, block).geometry;
    std::vector<float> out;
    int y = 0, x = 0;
    for (int p = 0; p < int(row.size()); ++p)
        if (window_slot_to_map(g, window, p, y, x)) out.push_back(row[size_t(p)]);
    return out;
}

}  // namespace

SwinQuery swin_query(const SwinTrace& t, int block, int patch) {
    const SwinBlockTrace& bt = block_trace(t, block);
    const int n0 = t.grid_width * t.grid_height;
    patch = std::clamp(patch, 0, std::max(n0 - 1, 0));
    const int P = t.patch_size;
    // The centre pixel of the stage-0 patch: the engine maps pixels to window slots.
    const int px = (patch % t.grid_width) * P + P / 2, py = (patch / t.grid_width) * P + P / 2;
    SwinQuery q;
    q.block = block;
    q.stage = bt.stage;
    const bool inside = swin_pixel_to_window(t, block, px, py, q.window, q.position);
    assert(inside && "a stage-0 patch centre lies inside the image");
    (void)inside;
    const SwinTokenLocation loc = swin_token_location(t, block, q.window, q.position);
    q.row = loc.row;
    q.col = loc.col;
    return q;
}

int swin_patch_of_token(const SwinTrace& t, int block, int row, int col) {
    const int s = block_trace(t, block).stage;
    const int r0 = std::clamp(row << s, 0, t.grid_height - 1), c0 = std::clamp(col << s, 0, t.grid_width - 1);
    return r0 * t.grid_width + c0;
}

std::vector<int> swin_patches_under_token(const SwinTrace& t, int block, int row, int col) {
    const int s = block_trace(t, block).stage;
    std::vector<int> out;
    for (int dy = 0; dy < (1 << s); ++dy)
        for (int dx = 0; dx < (1 << s); ++dx) {
            const int r = (row << s) + dy, c = (col << s) + dx;
            if (r < t.grid_height && c < t.grid_width) out.push_back(r * t.grid_width + c);
        }
    return out;
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

std::vector<unsigned char> swin_masked_tokens(const SwinTrace& t, int block, int head) {
    return swin_masked_keys(t, block, head);
}

ValueRange swin_attention_range(const SwinTrace& t, Normalization n, int block, int head, int patch) {
    auto range_for = [&](int b, int hd) {
        const SwinQuery q = swin_query(t, b, patch);
        return range_of(real_slots(t, b, q.window, swin_window_row(t, b, hd, q.window, q.position)));
    };
    switch (n) {
        case Normalization::RawFixed: return {0.0f, 1.0f};
        case Normalization::PerMap: return range_for(block, head);
        case Normalization::PerLayer: {
            ValueRange r = range_for(block, 0);
            for (int h = 1; h < block_trace(t, block).num_heads; ++h) r = merge_ranges(r, range_for(block, h));
            return r;
        }
        case Normalization::Global: {
            ValueRange r = range_for(0, 0);
            for (int b = 0; b < int(t.blocks.size()); ++b)
                for (int h = 0; h < t.blocks[size_t(b)].num_heads; ++h) r = merge_ranges(r, range_for(b, h));
            return r;
        }
    }
    return {0.0f, 1.0f};
}

HeatmapFigure swin_attention_figure(const SwinTrace& t, int block, int head, int patch, const FigureStyle& style) {
    const SwinBlockTrace& bt = block_trace(t, block);
    const SwinWindowGeometry& g = bt.geometry;
    const SwinQuery q = swin_query(t, block, patch);
    HeatmapFigure f;
    f.grid_w = g.width;
    f.grid_h = g.height;
    f.values.assign(size_t(g.width) * g.height, 0.0f);  // keys outside the window: exactly 0
    f.cell_flags.assign(f.values.size(), kCellOutside);
    const std::vector<float> row = swin_window_row(t, block, head, q.window, q.position);
    int y = 0, x = 0;
    for (int p = 0; p < g.window_tokens(); ++p)
        if (window_slot_to_map(g, q.window, p, y, x)) {
            f.values[size_t(y) * g.width + x] = row[size_t(p)];
            f.cell_flags[size_t(y) * g.width + x] = 0;
        }
    const std::vector<unsigned char> masked = swin_masked_tokens(t, block, head);
    for (size_t i = 0; i < masked.size(); ++i)
        if (masked[i]) f.cell_flags[i] |= kCellMasked;
    f.cell_flags[size_t(q.row) * g.width + q.col] |= kCellOutline;
    apply_style(f, style, swin_attention_range(t, style.normalization, block, head, patch));
    f.title = head_name(head) + " · " + swin_block_name(t, block) + " · query (" + std::to_string(q.row) + ", " +
              std::to_string(q.col) + ") · window " + std::to_string(q.window);
    return f;
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
    const std::vector<unsigned char> masked = swin_masked_tokens(t, block, head);
    std::vector<unsigned char> padding(size_t(N), 0), masked_slot(size_t(N), 0);
    int y = 0, x = 0;
    for (int p = 0; p < N; ++p) {
        if (!window_slot_to_map(g, q.window, p, y, x))
            padding[size_t(p)] = 1;
        else
            masked_slot[size_t(p)] = masked[size_t(y) * g.width + x];
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
              head_name(head) + " · " + swin_block_name(t, block) + " · " + std::to_string(N) + "x" + std::to_string(N);
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
