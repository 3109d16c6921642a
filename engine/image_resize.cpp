#include "image_resize.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace vitscope {

namespace {

double cubic_kernel(double x, double a) {
    x = std::fabs(x);
    if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
    if (x < 2.0) return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
    return 0.0;
}

// Taps of one output coordinate along one axis (PIL's precompute_coeffs).
struct Taps {
    int first = 0;
    std::vector<float> weights;
};

// Taps of output coordinates [first, first + count) of a resize from in_size to out_size.
std::vector<Taps> antialias_taps(int in_size, int out_size, int first, int count) {
    const double scale = double(in_size) / double(out_size);
    const double filterscale = std::max(scale, 1.0);
    const double support = 2.0 * filterscale;
    std::vector<Taps> taps(static_cast<size_t>(count));
    for (int o = first; o < first + count; ++o) {
        const double center = (o + 0.5) * scale;
        int xmin = std::max(int(center - support + 0.5), 0);
        int xmax = std::min(int(center + support + 0.5), in_size);
        std::vector<double> w;
        double total = 0.0;
        for (int x = xmin; x < xmax; ++x) {
            double v = cubic_kernel((x - center + 0.5) / filterscale, -0.5);
            w.push_back(v);
            total += v;
        }
        Taps& t = taps[size_t(o - first)];
        t.first = xmin;
        for (double v : w) t.weights.push_back(float(total != 0.0 ? v / total : 0.0));
    }
    return taps;
}

}  // namespace

std::vector<float> resize_bicubic_antialias(const std::vector<float>& src, int C, int in_h, int in_w, int out_h,
                                            int out_w) {
    return resize_bicubic_antialias_window(src, C, in_h, in_w, out_h, out_w, 0, 0, out_h, out_w);
}

std::vector<float> resize_bicubic_antialias_window(const std::vector<float>& src, int C, int in_h, int in_w, int out_h,
                                                   int out_w, int top, int left, int h, int w) {
    assert(src.size() == size_t(C) * in_h * in_w && "resize: source size");
    assert(top >= 0 && left >= 0 && h >= 0 && w >= 0 && top + h <= out_h && left + w <= out_w && "resize: window");
    const std::vector<Taps> tx = antialias_taps(in_w, out_w, left, w);
    const std::vector<Taps> ty = antialias_taps(in_h, out_h, top, h);
    // Only the source rows the window's vertical taps read: [y_lo, y_hi).
    int y_lo = in_h, y_hi = 0;
    for (const Taps& t : ty) {
        y_lo = std::min(y_lo, t.first);
        y_hi = std::max(y_hi, t.first + int(t.weights.size()));
    }
    if (y_hi <= y_lo) y_lo = y_hi = 0;
    const int rows = y_hi - y_lo;
    // Horizontal pass: [C, rows, w]
    std::vector<float> tmp(size_t(C) * rows * w);
    for (int c = 0; c < C; ++c)
        for (int y = y_lo; y < y_hi; ++y) {
            const float* row = &src[(size_t(c) * in_h + y) * in_w];
            float* out = &tmp[(size_t(c) * rows + (y - y_lo)) * w];
            for (int x = 0; x < w; ++x) {
                const Taps& t = tx[size_t(x)];
                float acc = 0.0f;
                for (size_t k = 0; k < t.weights.size(); ++k) acc += row[t.first + int(k)] * t.weights[k];
                out[x] = acc;
            }
        }
    // Vertical pass: [C, h, w]
    std::vector<float> dst(size_t(C) * h * w);
    for (int c = 0; c < C; ++c)
        for (int y = 0; y < h; ++y) {
            const Taps& t = ty[size_t(y)];
            float* out = &dst[(size_t(c) * h + y) * w];
            for (int x = 0; x < w; ++x) {
                float acc = 0.0f;
                for (size_t k = 0; k < t.weights.size(); ++k)
                    acc += tmp[(size_t(c) * rows + (t.first - y_lo + int(k))) * w + x] * t.weights[k];
                out[x] = acc;
            }
        }
    return dst;
}

Matrix interpolate_grid_bicubic(const Matrix& grid, int in_h, int in_w, int out_h, int out_w) {
    assert(grid.rows() == Eigen::Index(in_h) * in_w && "interpolate_grid_bicubic: grid size");
    const float A = -0.75f;
    auto cc1 = [A](float x) { return ((A + 2) * x - (A + 3)) * x * x + 1; };
    auto cc2 = [A](float x) { return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A; };
    auto coeffs = [&](float t, float w[4]) {
        w[0] = cc2(t + 1.0f);
        w[1] = cc1(t);
        w[2] = cc1(1.0f - t);
        w[3] = cc2(2.0f - t);
    };
    const float sy = float(in_h) / float(out_h);
    const float sx = float(in_w) / float(out_w);
    const Eigen::Index C = grid.cols();
    Matrix out(Eigen::Index(out_h) * out_w, C);
    RowVector rows[4];
    for (int oy = 0; oy < out_h; ++oy) {
        const float fy = sy * (oy + 0.5f) - 0.5f;
        const int iy = int(std::floor(fy));
        float wy[4];
        coeffs(fy - float(iy), wy);
        for (int ox = 0; ox < out_w; ++ox) {
            const float fx = sx * (ox + 0.5f) - 0.5f;
            const int ix = int(std::floor(fx));
            float wx[4];
            coeffs(fx - float(ix), wx);
            for (int k = 0; k < 4; ++k) {
                const int yy = std::clamp(iy - 1 + k, 0, in_h - 1);
                rows[k] = RowVector::Zero(C);
                for (int j = 0; j < 4; ++j) {
                    const int xx = std::clamp(ix - 1 + j, 0, in_w - 1);
                    rows[k] += wx[j] * grid.row(Eigen::Index(yy) * in_w + xx);
                }
            }
            out.row(Eigen::Index(oy) * out_w + ox) = wy[0] * rows[0] + wy[1] * rows[1] + wy[2] * rows[2] + wy[3] * rows[3];
        }
    }
    return out;
}

}  // namespace vitscope
