#include "attention_source.h"

#include <algorithm>
#include <cassert>

namespace vitscope {

namespace {

const SwinBlockTrace& swin_block(const SwinTrace& t, int block) {
    assert(block >= 0 && block < int(t.blocks.size()) && "AttentionSource: Swin block out of range");
    return t.blocks[size_t(block)];
}

}  // namespace

AttentionSource::AttentionSource(const ViTTrace& trace, int patch_size) : vit_(&trace), patch_size_(patch_size) {
    assert(patch_size > 0 && "AttentionSource: the patch size must be positive");
}

AttentionSource::AttentionSource(const SwinTrace& trace) : swin_(&trace) {}

int AttentionSource::layers() const { return swin_ ? int(swin_->blocks.size()) : int(vit_->layers.size()); }

int AttentionSource::heads(int layer) const {
    assert(layer >= 0 && layer < layers() && "AttentionSource: layer out of range");
    return swin_ ? swin_block(*swin_, layer).num_heads : vit_->num_heads;
}

int AttentionSource::num_tokens(int layer) const {
    return swin_ ? grid(layer).size() : vit_->num_tokens;
}

int AttentionSource::num_special() const { return swin_ ? 0 : vit_->num_prefix; }

TokenGrid AttentionSource::grid(int layer) const {
    if (!swin_) return {vit_->grid_height, vit_->grid_width};
    const SwinWindowGeometry& g = swin_block(*swin_, layer).geometry;
    return {g.height, g.width};
}

int AttentionSource::image_height() const { return swin_ ? swin_->image_height : vit_->grid_height * patch_size_; }
int AttentionSource::image_width() const { return swin_ ? swin_->image_width : vit_->grid_width * patch_size_; }

bool AttentionSource::kept(int layer) const {
    if (!swin_) return !vit_->layers[size_t(layer)].attn.empty();
    return !swin_block(*swin_, layer).attn.empty();
}

bool AttentionSource::all_kept() const {
    for (int l = 0; l < layers(); ++l)
        if (!kept(l)) return false;
    return true;
}

std::vector<float> AttentionSource::row(int layer, int head, int query) const {
    const int H = heads(layer), T = num_tokens(layer);
    assert(head >= kMeanOfHeads && head < H && "AttentionSource::row: head out of range");
    assert(query >= 0 && query < T && "AttentionSource::row: query out of range");
    std::vector<float> out(size_t(T), 0.0f);
    const int h0 = head == kMeanOfHeads ? 0 : head, h1 = head == kMeanOfHeads ? H : head + 1;
    if (!swin_) {
        const ViTLayerTrace& lt = vit_->layers[size_t(layer)];
        if (lt.attn.size() != size_t(H) * T * T) return out;  // attention not kept for this layer
        for (int h = h0; h < h1; ++h)
            for (int k = 0; k < T; ++k) out[size_t(k)] += lt.prob(h, query, k, T);
    } else {
        // The query's window row scattered to the map tokens of its real slots.
        const SwinBlockTrace& bt = swin_block(*swin_, layer);
        const SwinWindowGeometry& g = bt.geometry;
        const size_t N = size_t(g.window_tokens());
        if (bt.attn.size() != size_t(g.num_windows()) * H * N * N) return out;  // not kept
        int window = 0, position = 0, y = 0, x = 0;
        map_to_window_slot(g, query / g.width, query % g.width, window, position);
        for (int p = 0; p < g.window_tokens(); ++p) {
            if (!window_slot_to_map(g, window, p, y, x)) continue;
            float& v = out[size_t(y) * g.width + x];
            for (int h = h0; h < h1; ++h) v += bt.prob(window, h, position, p);
        }
    }
    if (h1 - h0 > 1)
        for (float& v : out) v /= float(h1 - h0);
    return out;
}

PixelRect AttentionSource::key_rect(int layer, int key) const {
    assert(key >= 0 && key < num_tokens(layer) && "AttentionSource::key_rect: key out of range");
    if (!swin_) {
        if (key < vit_->num_prefix) return {};
        const int p = key - vit_->num_prefix, r = p / vit_->grid_width, c = p % vit_->grid_width;
        return {c * patch_size_, r * patch_size_, (c + 1) * patch_size_, (r + 1) * patch_size_};
    }
    const SwinBlockTrace& bt = swin_block(*swin_, layer);
    const int stride = swin_->stage_stride(bt.stage);
    const int r = key / bt.geometry.width, c = key % bt.geometry.width;
    return {c * stride, r * stride, std::min((c + 1) * stride, swin_->image_width),
            std::min((r + 1) * stride, swin_->image_height)};
}

PixelPoint AttentionSource::key_center(int layer, int key) const {
    const PixelRect r = key_rect(layer, key);
    return {0.5 * (r.x0 + r.x1), 0.5 * (r.y0 + r.y1)};
}

std::vector<unsigned char> AttentionSource::masked(int layer, int head) const {
    return swin_ ? swin_masked_keys(*swin_, layer, head) : vit_masked_keys(*vit_, layer, head);
}

std::vector<unsigned char> AttentionSource::padding(int layer) const {
    if (!swin_) {
        std::vector<unsigned char> p = vit_->padding_key;
        p.resize(size_t(vit_->num_tokens), 0);
        return p;
    }
    const SwinBlockTrace& bt = swin_block(*swin_, layer);
    const size_t n0 = size_t(swin_->grid_height) * swin_->grid_width;
    if (swin_->padding_patch.size() != n0) return std::vector<unsigned char>(size_t(grid(layer).size()), 0);
    return swin_stage_flags(swin_->padding_patch, swin_->grid_height, swin_->grid_width, bt.stage);
}

bool AttentionSource::attends(int layer, int query, int key) const {
    assert(query >= 0 && query < num_tokens(layer) && key >= 0 && key < num_tokens(layer) &&
           "AttentionSource::attends: token out of range");
    if (!swin_) return true;
    const SwinWindowGeometry& g = swin_block(*swin_, layer).geometry;
    int wq = 0, wk = 0, pos = 0;
    map_to_window_slot(g, query / g.width, query % g.width, wq, pos);
    map_to_window_slot(g, key / g.width, key % g.width, wk, pos);
    return wq == wk;
}

std::string AttentionSource::name(int layer) const {
    assert(layer >= 0 && layer < layers() && "AttentionSource::name: layer out of range");
    if (!swin_) return "layer " + std::to_string(layer);
    const SwinBlockTrace& bt = swin_block(*swin_, layer);
    return "stage " + std::to_string(bt.stage) + " · block " + std::to_string(bt.block) +
           (bt.geometry.shifted() ? " (SW-MSA)" : " (W-MSA)");
}

std::string AttentionSource::token_name(int layer, int token) const {
    assert(token >= 0 && token < num_tokens(layer) && "AttentionSource::token_name: token out of range");
    if (!swin_) return vit_->token_name(token);
    const int w = grid(layer).width;
    return "(" + std::to_string(token / w) + ", " + std::to_string(token % w) + ")";
}

std::string AttentionSource::query_name(int layer, int token) const {
    if (!swin_) return token_name(layer, token);
    const SwinWindowGeometry& g = swin_block(*swin_, layer).geometry;
    int window = 0, position = 0;
    map_to_window_slot(g, token / g.width, token % g.width, window, position);
    return token_name(layer, token) + " · window " + std::to_string(window);
}

int AttentionSource::query_token(int layer, int selection) const {
    if (!swin_) return std::clamp(selection, 0, num_tokens(layer) - 1);
    const int n0 = swin_->grid_width * swin_->grid_height;
    selection = std::clamp(selection, 0, std::max(n0 - 1, 0));
    // The centre pixel of the stage-0 patch, mapped by the engine to the layer's window slot.
    const int P = swin_->patch_size;
    const int px = (selection % swin_->grid_width) * P + P / 2, py = (selection / swin_->grid_width) * P + P / 2;
    int window = 0, position = 0;
    const bool inside = swin_pixel_to_window(*swin_, layer, px, py, window, position);
    assert(inside && "a stage-0 patch centre lies inside the image");
    (void)inside;
    const SwinTokenLocation loc = swin_token_location(*swin_, layer, window, position);
    return loc.row * grid(layer).width + loc.col;
}

int AttentionSource::selection_of(int layer, int token) const {
    if (!swin_) return std::clamp(token, 0, num_tokens(layer) - 1);
    const int s = swin_block(*swin_, layer).stage, w = grid(layer).width;
    const int r0 = std::clamp((token / w) << s, 0, swin_->grid_height - 1);
    const int c0 = std::clamp((token % w) << s, 0, swin_->grid_width - 1);
    return r0 * swin_->grid_width + c0;
}

std::vector<int> AttentionSource::mask_units(int layer, int token) const {
    assert(token >= 0 && token < num_tokens(layer) && "AttentionSource::mask_units: token out of range");
    if (!swin_) return {token};
    const int s = swin_block(*swin_, layer).stage, w = grid(layer).width;
    std::vector<int> out;
    for (int dy = 0; dy < (1 << s); ++dy)
        for (int dx = 0; dx < (1 << s); ++dx) {
            const int r = ((token / w) << s) + dy, c = ((token % w) << s) + dx;
            if (r < swin_->grid_height && c < swin_->grid_width) out.push_back(r * swin_->grid_width + c);
        }
    return out;
}

}  // namespace vitscope
