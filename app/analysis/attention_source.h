// One read-only view of a trace's attention for ViT and Swin alike, so an analysis or a view is
// written once: layers, heads, the tokens of a layer, a query's row over every key, where a key lies
// in the input, which keys a mask removed and which pairs can attend at all.
//
// Where Swin differs:
// * a "layer" is a block (stage blocks numbered consecutively), and its tokens are that stage's
//   feature map (h*w, row-major), so num_tokens() and grid() change between stages;
// * there are no special tokens (num_special() == 0): token i is map token (i / w, i % w);
// * a query attends only to its own (possibly shifted) window: row() holds the window's
//   probabilities scattered to their map tokens and exactly 0 elsewhere, attends() says whether two
//   tokens share the query's window; window-padding slots are no tokens, so their (small) share is
//   not in row();
// * masked() uses stage-0 masks carried down to the stage (engine/attention_masks.h).
// The source keeps a pointer to the trace: it must outlive the source and not be recomputed while
// the source is in use.
#pragma once

#include "attention_masks.h"
#include "swin_forward.h"
#include "vit_forward.h"

#include <string>
#include <vector>

namespace vitscope {

struct TokenGrid {
    int height = 0, width = 0;
    int size() const { return height * width; }
};

// A rectangle [x0, x1) x [y0, y1) in input pixels; empty for special tokens.
struct PixelRect {
    int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    bool empty() const { return x1 <= x0 || y1 <= y0; }
};

struct PixelPoint {
    double x = 0, y = 0;
};

class AttentionSource {
public:
    // A ViT-family trace; `patch_size` in input pixels (the trace does not keep it).
    AttentionSource(const ViTTrace& trace, int patch_size);
    explicit AttentionSource(const SwinTrace& trace);

    bool is_swin() const { return swin_ != nullptr; }
    const ViTTrace* vit() const { return vit_; }
    const SwinTrace* swin() const { return swin_; }

    int layers() const;               // ViT layers / Swin blocks
    int heads(int layer) const;
    int num_tokens(int layer) const;  // keys (and queries) of the layer: ViT N = special + patches; Swin h*w
    int num_special() const;          // ViT: CLS, DIST, registers (tokens 0..num_special-1); Swin: 0
    TokenGrid grid(int layer) const;  // the patch/token map of the layer
    int image_height() const;         // the model input in pixels
    int image_width() const;

    // Whether the pass stored this layer's attention (AttentionOptions::kept_layers); row() of a
    // layer not kept is all zeros.
    bool kept(int layer) const;
    bool all_kept() const;
    // Attention of `query` over all num_tokens(layer) keys; head may be kMeanOfHeads (mean of heads).
    std::vector<float> row(int layer, int head, int query) const;
    // Where key `key` lies in the model input (clipped to it); special tokens: empty.
    PixelRect key_rect(int layer, int key) const;
    PixelPoint key_center(int layer, int key) const;
    // [num_tokens(layer)]: 1 for keys the user or padding mask removed in (layer, head); kMeanOfHeads: any head.
    std::vector<unsigned char> masked(int layer, int head) const;
    // [num_tokens(layer)]: 1 for tokens that lie entirely in image padding (preprocess pad).
    std::vector<unsigned char> padding(int layer) const;
    // Whether `query` can attend to `key` at all (ViT: always; Swin: the same window).
    bool attends(int layer, int query, int key) const;
    // "layer 3"; Swin: "stage 1 · block 0 (W-MSA)" / "(SW-MSA)".
    std::string name(int layer) const;
    // "CLS", "DIST", "reg0", "(3, 5)" for patch / map tokens.
    std::string token_name(int layer, int token) const;
    // What a title calls the query: token_name, and for Swin its window too ("(3, 5) · window 2").
    std::string query_name(int layer, int token) const;

    // The front ends keep one query for every layer (the selection): a ViT token, or for Swin a
    // stage-0 patch. query_token() is the layer's token it stands for (Swin: the map token over that
    // patch at the layer's stage); selection_of() goes back (Swin: the top-left stage-0 patch under
    // the token). Out-of-range selections are clamped.
    int query_token(int layer, int selection) const;
    int selection_of(int layer, int token) const;
    // The units the user mask is kept in (AttentionOptions::masked_keys) that `token` of `layer`
    // covers: ViT the token itself; Swin every stage-0 patch under the map token.
    std::vector<int> mask_units(int layer, int token) const;

private:
    const ViTTrace* vit_ = nullptr;
    const SwinTrace* swin_ = nullptr;
    int patch_size_ = 0;  // ViT
};

}  // namespace vitscope
