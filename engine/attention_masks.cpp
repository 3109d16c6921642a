#include "attention_masks.h"

#include <cassert>

namespace vitscope {

namespace {

// Whether `head` (kMeanOfHeads: any head) of a resolved layer uses the user key mask.
bool uses_user_mask(const LayerAttentionSetup& s, int head) {
    if (s.masked_keys.empty()) return false;
    for (int h = 0; h < int(s.heads.size()); ++h)
        if ((head == kMeanOfHeads || head == h) && s.heads[size_t(h)].user_mask) return true;
    return false;
}

// The layer's setup: head_dim and model_dim only set the logit scale, which no mask depends on.
LayerAttentionSetup mask_setup(const AttentionOptions& o, int layer, int num_heads) {
    return resolve_layer_setup(o, layer, num_heads, 1, 1);
}

}  // namespace

std::vector<unsigned char> vit_masked_keys(const ViTTrace& t, int layer, int head) {
    assert(layer >= 0 && layer < int(t.layers.size()) && "vit_masked_keys: layer out of range");
    assert(head >= kMeanOfHeads && head < t.num_heads && "vit_masked_keys: head out of range");
    const int N = t.num_tokens;
    std::vector<unsigned char> m(size_t(N), 0);
    const LayerAttentionSetup s = mask_setup(t.options, layer, t.num_heads);
    if (uses_user_mask(s, head))
        for (int k : s.masked_keys)
            if (k >= 0 && k < N) m[size_t(k)] = 1;
    if (s.padding_mask)
        for (size_t k = 0; k < t.padding_key.size() && k < m.size(); ++k) m[k] |= t.padding_key[k];
    return m;
}

std::vector<unsigned char> swin_stage_flags(std::vector<unsigned char> m, int h, int w, int stage) {
    assert(m.size() == size_t(h) * w && "swin_stage_flags: map size differs from h*w");
    for (int s = 0; s < stage; ++s) {
        const int h2 = (h + 1) / 2, w2 = (w + 1) / 2;
        std::vector<unsigned char> out(size_t(h2) * w2, 1);  // [h2*w2]
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x)
                if (!m[size_t(y) * w + x]) out[size_t(y / 2) * w2 + x / 2] = 0;
        m = std::move(out);
        h = h2;
        w = w2;
    }
    return m;
}

std::vector<unsigned char> swin_masked_keys(const SwinTrace& t, int block, int head) {
    assert(block >= 0 && block < int(t.blocks.size()) && "swin_masked_keys: block out of range");
    const SwinBlockTrace& bt = t.blocks[size_t(block)];
    assert(head >= kMeanOfHeads && head < bt.num_heads && "swin_masked_keys: head out of range");
    const int h = bt.geometry.height, w = bt.geometry.width;
    std::vector<unsigned char> out(size_t(h) * w, 0);
    const LayerAttentionSetup s = mask_setup(t.options, block, bt.num_heads);
    const size_t n0 = size_t(t.grid_height) * t.grid_width;
    auto merge_in = [&](std::vector<unsigned char> stage0) {
        const std::vector<unsigned char> m = swin_stage_flags(std::move(stage0), t.grid_height, t.grid_width, bt.stage);
        assert(m.size() == out.size() && "swin_masked_keys: stage map differs from the block's map");
        for (size_t i = 0; i < out.size() && i < m.size(); ++i) out[i] |= m[i];
    };
    if (uses_user_mask(s, head)) {
        std::vector<unsigned char> m0(n0, 0);
        for (int k : s.masked_keys)
            if (k >= 0 && size_t(k) < n0) m0[size_t(k)] = 1;
        merge_in(std::move(m0));
    }
    if (s.padding_mask && t.padding_patch.size() == n0) merge_in(t.padding_patch);
    return out;
}

}  // namespace vitscope
