#include "attention_stats.h"

#include "softmax_saturation.h"

#include <cassert>
#include <cmath>

namespace vitscope {

std::vector<float> query_row(const ViTTrace& trace, int layer, int head, int query) {
    const int N = trace.num_tokens, H = trace.num_heads;
    assert(layer >= 0 && layer < int(trace.layers.size()) && "layer out of range");
    assert(query >= 0 && query < N && "query out of range");
    const ViTLayerTrace& L = trace.layers[size_t(layer)];
    std::vector<float> row(size_t(N), 0.0f);
    if (L.attn.size() != size_t(H) * N * N) return row;
    if (head != kMeanOfHeads) {
        assert(head >= 0 && head < H && "head out of range");
        const float* p = &L.attn[(size_t(head) * N + query) * N];
        row.assign(p, p + N);
        return row;
    }
    for (int h = 0; h < H; ++h) {
        const float* p = &L.attn[(size_t(h) * N + query) * N];
        for (int k = 0; k < N; ++k) row[size_t(k)] += p[k];
    }
    for (float& v : row) v /= float(H);
    return row;
}

std::vector<float> mean_of_heads(const std::vector<std::vector<float>>& rows) {
    if (rows.empty()) return {};
    std::vector<float> m(rows[0].size(), 0.0f);
    for (const auto& r : rows) {
        assert(r.size() == m.size() && "rows must have equal length");
        for (size_t i = 0; i < m.size(); ++i) m[i] += r[i];
    }
    for (float& v : m) v /= float(rows.size());
    return m;
}

std::vector<float> attention_matrix(const ViTTrace& trace, int layer, int head) {
    const int N = trace.num_tokens, H = trace.num_heads;
    const ViTLayerTrace& L = trace.layers[size_t(layer)];
    std::vector<float> m(size_t(N) * N, 0.0f);
    if (L.attn.size() != size_t(H) * N * N) return m;
    if (head != kMeanOfHeads) {
        m.assign(L.attn.begin() + ptrdiff_t(size_t(head) * N * N), L.attn.begin() + ptrdiff_t(size_t(head + 1) * N * N));
        return m;
    }
    for (int h = 0; h < H; ++h)
        for (size_t i = 0; i < m.size(); ++i) m[i] += L.attn[size_t(h) * N * N + i];
    for (float& v : m) v /= float(H);
    return m;
}

double attention_entropy(std::span<const float> row) { return row_entropy(row); }

RowPeak attention_peak(std::span<const float> row) {
    RowPeak pk;
    for (size_t i = 0; i < row.size(); ++i)
        if (pk.index < 0 || row[i] > pk.value) pk = {row[i], int(i)};
    return pk;
}

std::vector<float> patch_values(const ViTTrace& trace, std::span<const float> row) {
    return std::vector<float>(row.begin() + trace.num_prefix, row.end());
}


}  // namespace vitscope
