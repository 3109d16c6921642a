#include "swin_explained.h"

#include <cassert>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace vitscope {

namespace {

int wrap(int v, int n) { return ((v % n) + n) % n; }

constexpr const char* kStepNames[kSwinShiftSteps] = {"1 · the map", "2 · cyclic shift", "3 · window partition",
                                                      "4 · masked attention", "5 · reverse shift"};
constexpr const char* kStepText[kSwinShiftSteps] = {
    "The shifted block's windows straddle the regular grid; its 9 regions are coloured by id.",
    "Roll the map by (-s, -s): the top rows and left columns wrap around to the bottom and right.",
    "Cut the rolled map into regular M x M windows: the same number of windows as without a shift.",
    "Inside a window, tokens of different regions were never neighbours: the -100 mask stops them attending.",
    "Roll back by (+s, +s): every token returns to its place, having attended across the old window borders."};

}  // namespace

const char* swin_shift_step_name(SwinShiftStep s) { return kStepNames[int(s)]; }
const char* swin_shift_step_explanation(SwinShiftStep s) { return kStepText[int(s)]; }

SwinShiftState swin_shift_state(const SwinWindowGeometry& g, SwinShiftStep step) {
    SwinShiftState st;
    st.step = step;
    st.height = g.padded_height;
    st.width = g.padded_width;
    st.map_height = g.height;
    st.map_width = g.width;
    st.window = g.window;
    st.shift = g.shift;
    const int H = g.padded_height, W = g.padded_width, s = g.shift, M = g.window;
    const size_t n = size_t(H) * W;
    // Region ids live on the rolled map (shift_region_ids); token (y, x) sits at rolled (y - s, x - s).
    const std::vector<int> rolled_region = s > 0 ? shift_region_ids(H, W, M, s) : std::vector<int>(n, -1);
    auto region_of_token = [&](int y, int x) { return rolled_region[size_t(wrap(y - s, H)) * W + wrap(x - s, W)]; };
    const bool rolled = step == SwinShiftStep::Rolled || step == SwinShiftStep::Partitioned || step == SwinShiftStep::Masked;
    st.source.resize(n);
    st.region.resize(n);
    st.window_of.assign(n, -1);
    st.padding.resize(n);
    for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x) {
            const size_t c = size_t(y) * W + x;
            // rolled[y', x'] = map[(y' + s) mod H, (x' + s) mod W]
            const int sy = rolled ? wrap(y + s, H) : y, sx = rolled ? wrap(x + s, W) : x;
            st.source[c] = sy * W + sx;
            st.region[c] = region_of_token(sy, sx);
            st.padding[c] = (sy >= g.height || sx >= g.width) ? 1 : 0;
            if (step == SwinShiftStep::Partitioned || step == SwinShiftStep::Masked)
                st.window_of[c] = (y / M) * (W / M) + x / M;
        }
    return st;
}

SwinLogitTerms swin_logit_terms(const SwinTrace& t, int block, int head, int window, int position) {
    assert(block >= 0 && size_t(block) < t.blocks.size() && "swin_logit_terms: block out of range");
    const SwinBlockTrace& b = t.blocks[size_t(block)];
    if (b.logits_qk.empty())
        throw std::invalid_argument("swin_logit_terms: the trace was computed without keep_logits");
    const int N = b.geometry.window_tokens();
    assert(head >= 0 && head < b.num_heads && window >= 0 && window < b.geometry.num_windows() && position >= 0 &&
           position < N && "swin_logit_terms: slot out of range");
    SwinLogitTerms r;
    const size_t row = ((size_t(window) * b.num_heads + head) * N + position) * N;
    r.qk.assign(b.logits_qk.begin() + std::ptrdiff_t(row), b.logits_qk.begin() + std::ptrdiff_t(row + N));
    r.bias.assign(size_t(N), 0.0f);
    r.mask.assign(size_t(N), 0.0f);
    if (!b.bias.empty())
        for (int k = 0; k < N; ++k) r.bias[size_t(k)] = b.bias[(size_t(head) * N + position) * N + k];
    if (!b.mask.empty())
        for (int k = 0; k < N; ++k) r.mask[size_t(k)] = b.mask[(size_t(window) * N + position) * N + k];
    r.logits.resize(size_t(N));
    for (int k = 0; k < N; ++k) r.logits[size_t(k)] = r.qk[size_t(k)] + r.bias[size_t(k)] + r.mask[size_t(k)];
    r.softmax.assign(b.attn.begin() + std::ptrdiff_t(row), b.attn.begin() + std::ptrdiff_t(row + N));
    return r;
}

std::vector<float> swin_bias_matrix(const SwinBlock& block, int window, int head) {
    const std::vector<int> rpi = relative_position_index(window, block.window);  // [N*N]
    std::vector<float> out(rpi.size());
    for (size_t i = 0; i < rpi.size(); ++i) out[i] = block.relative_position_bias_table(rpi[i], head);
    return out;
}

std::vector<float> swin_bias_table(const SwinBlock& block, int head) {
    const Matrix& t = block.relative_position_bias_table;  // [(2T-1)^2, heads]
    std::vector<float> out(size_t(t.rows()));
    for (Eigen::Index i = 0; i < t.rows(); ++i) out[size_t(i)] = t(i, head);
    return out;
}

std::vector<double> swin_cross_region_share(const SwinTrace& t, int block) {
    assert(block >= 0 && size_t(block) < t.blocks.size() && "swin_cross_region_share: block out of range");
    const SwinBlockTrace& b = t.blocks[size_t(block)];
    const SwinWindowGeometry& g = b.geometry;
    std::vector<double> share(size_t(b.num_heads), 0.0);
    if (!g.shifted() || b.region_ids.empty()) return share;
    const int N = g.window_tokens(), M = g.window, wx = g.windows_x();
    std::vector<int> slot_region(static_cast<size_t>(N));
    std::vector<unsigned char> real(static_cast<size_t>(N));
    for (int h = 0; h < b.num_heads; ++h) {
        double sum = 0;
        long queries = 0;
        for (int w = 0; w < g.num_windows(); ++w) {
            const int y0 = (w / wx) * M, x0 = (w % wx) * M;
            for (int p = 0; p < N; ++p) {
                slot_region[size_t(p)] = b.region_ids[size_t(y0 + p / M) * g.padded_width + x0 + p % M];
                int y = 0, x = 0;
                real[size_t(p)] = window_slot_to_map(g, w, p, y, x) ? 1 : 0;
            }
            for (int q = 0; q < N; ++q) {
                if (!real[size_t(q)]) continue;
                double cross = 0;
                for (int k = 0; k < N; ++k)
                    // A pair the -100 mask cut keeps exp(-100) ~ 4e-44 of probability: it counts as cut.
                    if (slot_region[size_t(k)] != slot_region[size_t(q)] && b.mask.empty()) cross += b.prob(w, h, q, k);
                sum += cross;
                ++queries;
            }
        }
        share[size_t(h)] = queries ? sum / double(queries) : 0.0;
    }
    return share;
}

}  // namespace vitscope
