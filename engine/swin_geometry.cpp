#include "swin_geometry.h"

#include <algorithm>
#include <cassert>

namespace vitscope {

namespace {

int wrap(int v, int n) { return ((v % n) + n) % n; }

}  // namespace

Matrix window_partition(const Matrix& x, int height, int width, int window) {
    assert(height % window == 0 && width % window == 0 && "window_partition: map must be a multiple of the window");
    assert(x.rows() == Eigen::Index(height) * width && "window_partition: x must be [H*W, C]");
    const int M = window, wx = width / M, N = M * M;
    Matrix out(x.rows(), x.cols());  // [nW*M*M, C]
    for (int y = 0; y < height; ++y)
        for (int xx = 0; xx < width; ++xx) {
            const int w = (y / M) * wx + xx / M, p = (y % M) * M + xx % M;
            out.row(Eigen::Index(w) * N + p) = x.row(Eigen::Index(y) * width + xx);
        }
    return out;
}

Matrix window_reverse(const Matrix& windows, int height, int width, int window) {
    assert(height % window == 0 && width % window == 0 && "window_reverse: map must be a multiple of the window");
    assert(windows.rows() == Eigen::Index(height) * width && "window_reverse: windows must be [nW*M*M, C]");
    const int M = window, wx = width / M, N = M * M;
    Matrix out(windows.rows(), windows.cols());  // [H*W, C]
    for (int y = 0; y < height; ++y)
        for (int xx = 0; xx < width; ++xx) {
            const int w = (y / M) * wx + xx / M, p = (y % M) * M + xx % M;
            out.row(Eigen::Index(y) * width + xx) = windows.row(Eigen::Index(w) * N + p);
        }
    return out;
}

Matrix cyclic_roll(const Matrix& x, int height, int width, int shift_y, int shift_x) {
    assert(x.rows() == Eigen::Index(height) * width && "cyclic_roll: x must be [H*W, C]");
    Matrix out(x.rows(), x.cols());  // [H*W, C]
    for (int y = 0; y < height; ++y)
        for (int xx = 0; xx < width; ++xx)
            out.row(Eigen::Index(wrap(y + shift_y, height)) * width + wrap(xx + shift_x, width)) =
                x.row(Eigen::Index(y) * width + xx);
    return out;
}

Matrix pad_bottom_right(const Matrix& x, int height, int width, int padded_height, int padded_width) {
    assert(padded_height >= height && padded_width >= width && "pad_bottom_right: cannot shrink");
    Matrix out = Matrix::Zero(Eigen::Index(padded_height) * padded_width, x.cols());  // [Hp*Wp, C]
    for (int y = 0; y < height; ++y)
        out.middleRows(Eigen::Index(y) * padded_width, width) = x.middleRows(Eigen::Index(y) * width, width);
    return out;
}

std::vector<int> relative_position_index(int window, int table_window) {
    assert(window >= 1 && window <= table_window && "relative_position_index: window larger than its table");
    const int M = window, N = M * M, T = table_window, side = 2 * T - 1;
    std::vector<int> idx(size_t(N) * N);
    for (int q = 0; q < N; ++q)
        for (int k = 0; k < N; ++k) {
            const int dy = q / M - k / M, dx = q % M - k % M;  // in (-M, M)
            idx[size_t(q) * N + k] = (dy + T - 1) * side + (dx + T - 1);
        }
    return idx;
}

std::vector<int> shift_region_ids(int height, int width, int window, int shift) {
    assert(shift > 0 && shift < window && window <= height && window <= width && "shift_region_ids: bad shift");
    auto band = [&](int v, int n) { return v < n - window ? 0 : (v < n - shift ? 1 : 2); };
    std::vector<int> ids(size_t(height) * width);  // [H, W]
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) ids[size_t(y) * width + x] = band(y, height) * 3 + band(x, width);
    return ids;
}

std::vector<float> shift_attention_mask(int height, int width, int window, int shift) {
    const std::vector<int> ids = shift_region_ids(height, width, window, shift);
    const int M = window, N = M * M, wx = width / M, nW = (height / M) * wx;
    std::vector<float> mask(size_t(nW) * N * N);  // [nW, M*M, M*M]
    std::vector<int> win_ids(static_cast<size_t>(N));
    for (int w = 0; w < nW; ++w) {
        const int y0 = (w / wx) * M, x0 = (w % wx) * M;
        for (int p = 0; p < N; ++p) win_ids[size_t(p)] = ids[size_t(y0 + p / M) * width + x0 + p % M];
        float* m = mask.data() + size_t(w) * N * N;
        for (int q = 0; q < N; ++q)
            for (int k = 0; k < N; ++k) m[size_t(q) * N + k] = win_ids[size_t(q)] == win_ids[size_t(k)] ? 0.0f : -100.0f;
    }
    return mask;
}

SwinWindowGeometry swin_window_geometry(int height, int width, int window, bool shifted) {
    assert(height > 0 && width > 0 && window > 0 && "swin_window_geometry: empty map or window");
    SwinWindowGeometry g;
    g.height = height;
    g.width = width;
    const bool fits = std::min(height, width) <= window;
    g.window = fits ? std::min(height, width) : window;
    g.shift = shifted && !fits ? g.window / 2 : 0;
    g.padded_height = (height + g.window - 1) / g.window * g.window;
    g.padded_width = (width + g.window - 1) / g.window * g.window;
    return g;
}

std::vector<int> window_token_index(const SwinWindowGeometry& g) {
    const int M = g.window, N = M * M, nW = g.num_windows();
    std::vector<int> idx(size_t(nW) * N);  // [nW * M*M]
    for (int w = 0; w < nW; ++w)
        for (int p = 0; p < N; ++p) {
            int y = 0, x = 0;
            idx[size_t(w) * N + p] = window_slot_to_map(g, w, p, y, x) ? y * g.width + x : -1;
        }
    return idx;
}

bool window_slot_to_map(const SwinWindowGeometry& g, int window, int position, int& y, int& x) {
    assert(window >= 0 && window < g.num_windows() && position >= 0 && position < g.window_tokens() &&
           "window_slot_to_map: slot out of range");
    const int M = g.window;
    // Slot coordinates in the rolled, padded map; rolled[y'] = padded[(y' + s) mod Hp].
    const int ry = (window / g.windows_x()) * M + position / M;
    const int rx = (window % g.windows_x()) * M + position % M;
    y = wrap(ry + g.shift, g.padded_height);
    x = wrap(rx + g.shift, g.padded_width);
    return y < g.height && x < g.width;
}

void map_to_window_slot(const SwinWindowGeometry& g, int y, int x, int& window, int& position) {
    assert(y >= 0 && y < g.height && x >= 0 && x < g.width && "map_to_window_slot: token outside the map");
    const int M = g.window;
    const int ry = wrap(y - g.shift, g.padded_height), rx = wrap(x - g.shift, g.padded_width);
    window = (ry / M) * g.windows_x() + rx / M;
    position = (ry % M) * M + rx % M;
}

}  // namespace vitscope
