#include "attention_map_figure.h"

#include "normalization.h"

#include <algorithm>

namespace vitscope {

ValueRange attention_map_range(const AttentionSource& src, Normalization n, int layer, int head, int selection) {
    auto range_for = [&](int l, int h) {
        const int q = src.query_token(l, selection);
        const std::vector<float> row = src.row(l, h, q);
        std::vector<float> keys;
        keys.reserve(row.size());
        for (int k = src.num_special(); k < int(row.size()); ++k)
            if (src.attends(l, q, k)) keys.push_back(row[size_t(k)]);
        return range_of(keys);
    };
    switch (n) {
        case Normalization::RawFixed: return {0.0f, 1.0f};
        case Normalization::PerMap: return range_for(layer, head);
        case Normalization::PerLayer: {
            ValueRange r = range_for(layer, 0);
            for (int h = 1; h < src.heads(layer); ++h) r = merge_ranges(r, range_for(layer, h));
            return r;
        }
        case Normalization::Global: {
            ValueRange r = range_for(0, 0);
            for (int l = 0; l < src.layers(); ++l)
                for (int h = 0; h < src.heads(l); ++h) r = merge_ranges(r, range_for(l, h));
            return r;
        }
    }
    return {0.0f, 1.0f};
}

HeatmapFigure attention_map_figure(const AttentionSource& src, int layer, int head, int selection,
                                   const FigureStyle& style) {
    const TokenGrid g = src.grid(layer);
    const int S = src.num_special(), T = src.num_tokens(layer);
    const int q = src.query_token(layer, selection);
    const std::vector<float> row = src.row(layer, head, q);
    const std::vector<unsigned char> masked = src.masked(layer, head);
    HeatmapFigure f;
    f.grid_w = g.width;
    f.grid_h = g.height;
    f.values.assign(row.begin() + S, row.end());
    f.cell_flags.assign(f.values.size(), 0);
    for (int t = 0; t < T; ++t) {
        uint8_t fl = 0;
        if (!src.attends(layer, q, t)) fl |= kCellOutside;
        if (masked[size_t(t)]) fl |= kCellMasked;
        if (t == q) fl |= kCellOutline;
        if (t < S) {
            f.side_values.push_back(row[size_t(t)]);
            f.side_flags.push_back(fl);
            f.side_labels.push_back(src.token_name(layer, t));
        } else {
            f.cell_flags[size_t(t - S)] = fl;
        }
    }
    ValueRange raw = attention_map_range(src, style.normalization, layer, head, selection);
    if (style.special_in_range && !f.side_values.empty() && style.normalization != Normalization::RawFixed)
        raw = merge_ranges(raw, range_of(f.side_values));
    apply_style(f, style, raw);
    if (!f.side_values.empty()) {
        const auto top = std::max_element(f.side_values.begin(), f.side_values.end());
        if (*top > f.value_range.hi * (1.0f + 1e-6f))
            f.over_label = f.side_labels[size_t(top - f.side_values.begin())] + " " + format_value(*top);
    }
    f.title = head_title(head) + " · " + src.name(layer) + " · query " + src.query_name(layer, q);
    return f;
}

}  // namespace vitscope
