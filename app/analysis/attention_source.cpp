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

std::vector<float> AttentionSource::row(int layer, int head, int query) const {
    const int H = heads(layer), T = num_tokens(layer);
    assert(head >= kMeanOfHeads && head < H && "AttentionSource::row: head out of range");
    assert(query >= 0 && query < T && "AttentionSource::row: query out of range");
    std::vector<float> out(size_t(T), 0.0f);
    const int h0 = head == kMeanOfHeads ? 0 : head, h1 = head == kMeanOfHeads ? H : head + 1;
    if (!swin_) {
        const ViTLayerTrace& lt = vit_->layers[size_t(layer)];
        for (int h = h0; h < h1; ++h)
            for (int k = 0; k < T; ++k) out[size_t(k)] += lt.prob(h, query, k, T);
    } else {
        // The query's window row scattered to the map tokens of its real slots.
        const SwinBlockTrace& bt = swin_block(*swin_, layer);
        const SwinWindowGeometry& g = bt.geometry;
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

}  // namespace vitscope
