#include "attention_distance.h"

#include <cassert>
#include <cmath>

namespace vitscope {

std::vector<std::vector<double>> mean_attention_distance(const AttentionSource& s) {
    std::vector<std::vector<double>> out(size_t(s.layers()));
    const int S = s.num_special();
    for (int l = 0; l < s.layers(); ++l) {
        const int T = s.num_tokens(l);
        std::vector<PixelPoint> c(static_cast<size_t>(T));  // [T] key centres
        for (int k = S; k < T; ++k) c[size_t(k)] = s.key_center(l, k);
        for (int h = 0; h < s.heads(l); ++h) {
            double sum = 0;
            int queries = 0;
            for (int q = S; q < T; ++q) {
                const std::vector<float> row = s.row(l, h, q);  // Swin: 0 outside the query's window
                double num = 0, den = 0;
                for (int k = S; k < T; ++k) {
                    const double p = row[size_t(k)];
                    if (p == 0.0) continue;
                    num += p * std::hypot(c[size_t(q)].x - c[size_t(k)].x, c[size_t(q)].y - c[size_t(k)].y);
                    den += p;
                }
                if (den <= 0) continue;
                sum += num / den;
                ++queries;
            }
            out[size_t(l)].push_back(queries ? sum / queries : 0.0);
        }
    }
    return out;
}

double uniform_attention_distance(int gh, int gw, double patch) {
    assert(gh > 0 && gw > 0 && "uniform_attention_distance: empty grid");
    // Ordered pairs at offset (dy, dx), dy, dx >= 0: (gh - dy)(gw - dx), twice for each nonzero sign.
    double sum = 0;
    for (int dy = 0; dy < gh; ++dy)
        for (int dx = 0; dx < gw; ++dx) {
            const double pairs = double(gh - dy) * (gw - dx) * (dy ? 2 : 1) * (dx ? 2 : 1);
            sum += pairs * patch * std::hypot(double(dy), double(dx));
        }
    const double n = double(gh) * gw;
    return sum / (n * n);
}

}  // namespace vitscope
