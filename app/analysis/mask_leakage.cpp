#include "mask_leakage.h"

#include <algorithm>

namespace vitscope {

std::vector<std::vector<double>> padding_attention_share(const AttentionSource& s) {
    std::vector<std::vector<double>> out(size_t(s.layers()));
    for (int l = 0; l < s.layers(); ++l) {
        const int T = s.num_tokens(l), H = s.heads(l);
        const std::vector<unsigned char> pad = s.padding(l);
        const bool any = std::find(pad.begin(), pad.end(), 1) != pad.end();
        for (int h = 0; h < H; ++h) {
            double sum = 0;
            if (any)
                for (int q = 0; q < T; ++q) {
                    const std::vector<float> row = s.row(l, h, q);
                    for (int k = 0; k < T; ++k)
                        if (pad[size_t(k)]) sum += row[size_t(k)];
                }
            out[size_t(l)].push_back(sum / T);
        }
    }
    return out;
}

}  // namespace vitscope
