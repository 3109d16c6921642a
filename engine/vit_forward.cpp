#include "vit_forward.h"

#include "attention_scratch.h"
#include "forward_cancel.h"
#include "image_resize.h"
#include "patch_embedding.h"
#include "streaming_copy.h"
#include "thread_pool.h"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace vitscope {

int ViTTrace::all_masked_rows() const {
    int n = 0;
    for (const ViTLayerTrace& l : layers) n += l.all_masked_rows;
    return n;
}

int64_t ViTTrace::non_finite_values() const {
    int64_t n = count_non_finite(logits.reshaped()) + count_non_finite(features.reshaped());
    for (const ViTLayerTrace& l : layers) n += count_non_finite(l.attn);
    return n;
}

std::string ViTTrace::token_name(int t) const {
    if (t < num_prefix) return prefix_names.size() > size_t(t) ? prefix_names[size_t(t)] : "prefix " + std::to_string(t);
    const int p = t - num_prefix;
    return "patch (" + std::to_string(p / grid_width) + "," + std::to_string(p % grid_width) + ")";
}

std::vector<AttentionLayerShape> vit_layer_shapes(const ViTModel& model) {
    return std::vector<AttentionLayerShape>(size_t(model.hp.depth),
                                            {model.hp.num_heads, model.hp.head_dim(), model.hp.embed_dim});
}

namespace {

// Position embeddings for the patch grid actually used: [Gh*Gw, D].
Matrix patch_position_embeddings(const ViTModel& m, int gh, int gw) {
    const ViTHparams& hp = m.hp;
    const int prefix = hp.pos_embed_has_prefix ? 1 + (hp.dist_token ? 1 : 0) : 0;
    const int tgh = hp.grid_height(), tgw = hp.grid_width();
    Matrix grid = m.w.pos_embed.bottomRows(m.w.pos_embed.rows() - prefix);
    if (gh == tgh && gw == tgw) return grid;
    if (!hp.pos_embed_antialias) return interpolate_grid_bicubic(grid, tgh, tgw, gh, gw);
    // Antialiased: resize each channel as an image. [Gh*Gw, D] -> planar [D, Gh, Gw] and back.
    const int D = int(grid.cols());
    std::vector<float> planar(size_t(D) * tgh * tgw);
    Eigen::Map<Matrix>(planar.data(), D, tgh * tgw) = grid.transpose();
    std::vector<float> resized = resize_bicubic_antialias(planar, D, tgh, tgw, gh, gw);
    return Eigen::Map<const Matrix>(resized.data(), D, gh * gw).transpose();
}

// One block's multi-head self-attention on `xn` ([N, D], already normed); writes the
// concatenated head outputs to `heads_out` ([N, D]) and the probabilities into `lt`.
void attention_forward(const ViTBlock& blk, const ViTHparams& hp, const LayerAttentionSetup& setup,
                       const std::vector<unsigned char>& padding_key, const Matrix& xn, Matrix& qkv,
                       Matrix& heads_out, ViTTrace::Scratch& sc, ViTLayerTrace& lt) {
    const int N = int(xn.rows()), D = hp.embed_dim, H = hp.num_heads, dh = hp.head_dim();
    linear_forward(blk.qkv, xn, qkv);  // [N, 3D]: q | k | v, each [N, H*dh]
    // Each head's K^T and V packed once for the kernel, then shared by all its row blocks; its Q
    // copied to contiguous rows, so that a tile's 12 query rows are 3 KB in a row instead of 12
    // lines 9 KB apart (a query-key micro-benchmark with cold rows: 45 -> 59% of peak; in a ViT-B
    // pass within noise, at 896 px a few percent at most).
    sc.keys_t.resize(size_t(H));
    sc.values.resize(size_t(H));
    sc.queries.resize(Eigen::Index(H) * N, dh);  // head h: rows [h N, (h + 1) N)
    const std::ptrdiff_t ld = qkv.cols();
    parallel_for(3 * H, [&](int item, int) {
        const int h = item / 3;
        if (item % 3 == 0) sc.keys_t[size_t(h)].pack(qkv.data() + D + h * dh, dh, N, 1, ld, PanelWidth::narrow);  // K^T [dh, N]
        else if (item % 3 == 1) sc.values[size_t(h)].pack(qkv.data() + 2 * D + h * dh, N, dh, ld, 1, PanelWidth::narrow);  // V [N, dh]
        else sc.queries.middleRows(Eigen::Index(h) * N, N) = qkv.block(0, Eigen::Index(h) * dh, N, dh);  // Q [N, dh]
    });
    heads_out.resize(N, D);
    if (setup.keep_attention) lt.attn.resize(size_t(H) * N * N);
    else FloatBuffer().swap(lt.attn);  // not kept: give the memory back
    if (setup.keep_logits) lt.logits.resize(size_t(H) * N * N);
    else FloatBuffer().swap(lt.logits);

    // Keys masked for every head (padding) and for heads using the user mask.
    std::vector<unsigned char> pad_mask(size_t(N), 0), user_mask(size_t(N), 0);
    if (setup.padding_mask)
        for (int k = 0; k < N; ++k) pad_mask[size_t(k)] = padding_key[size_t(k)];
    for (int k : setup.masked_keys)
        if (k >= 0 && k < N) user_mask[size_t(k)] = 1;

    const float neg_inf = -std::numeric_limits<float>::infinity();
    const bool any_padding = std::find(pad_mask.begin(), pad_mask.end(), 1) != pad_mask.end();
    // Work items: (head, block of query rows), so 3 heads still spread evenly over any thread count.
    constexpr int kRowBlock = 32;
    const int row_blocks = (N + kRowBlock - 1) / kRowBlock;
    std::atomic<int> masked_rows{0};
    parallel_for(H * row_blocks, [&](int item, int) {
        const int h = item / row_blocks;
        const int r0 = (item % row_blocks) * kRowBlock;
        const int rows = std::min(kRowBlock, N - r0);
        const HeadAttentionSetup& hs = setup.heads[size_t(h)];
        const float* q = sc.queries.data() + (Eigen::Index(h) * N + r0) * dh;  // [rows, dh]
        // The block is computed in a cache-resident scratch and, when kept, streamed out to the map
        // at the end: written in place, every store to the 1.9 MB map of a layer missed cache and
        // waited for the line to be read first (the query-key product ran at 30% of peak).
        const size_t map_offset = (size_t(h) * N + r0) * N;
        float* probs = attention_scratch(size_t(rows) * N, map_offset);
        Eigen::Map<Matrix> P(probs, rows, N);                              // [rows, N]
        gemm_packed(rows, q, dh, sc.keys_t[size_t(h)], probs, N, {.alpha = hs.logit_scale});  // scale * Q K^T
        const bool row_masks = any_padding || (hs.user_mask && !setup.masked_keys.empty()) || hs.causal;
        if (row_masks)
            for (int i = 0; i < rows; ++i) {
                float* row = P.row(i).data();
                for (int j = 0; j < N; ++j)
                    if (pad_mask[size_t(j)] || (hs.user_mask && user_mask[size_t(j)]) || (hs.causal && j > r0 + i))
                        row[j] = neg_inf;
            }
        if (setup.keep_logits) std::copy_n(probs, size_t(rows) * N, lt.logits.data() + (size_t(h) * N + r0) * N);
        for (int i = 0; i < rows; ++i)
            if (!softmax_row_inplace(P.row(i).data(), N)) masked_rows.fetch_add(1, std::memory_order_relaxed);
        if (hs.ablated) heads_out.block(r0, Eigen::Index(h) * dh, rows, dh).setZero();
        else gemm_packed(rows, probs, N, sc.values[size_t(h)], heads_out.data() + r0 * D + h * dh, D);  // P V
        if (setup.keep_attention) copy_streaming(probs, size_t(rows) * N, lt.attn.data() + map_offset);
    });
    lt.all_masked_rows = masked_rows.load();
}

// x += LayerScale(layer(in)); without LayerScale the sum is fused into the product.
void add_residual(const Linear& layer, const RowVector& layer_scale, const Matrix& in, Matrix& tmp, Matrix& x) {
    if (layer_scale.size() == 0) {
        linear_forward(layer, in, x, LinearOutput::AddToOutput);
        return;
    }
    linear_forward(layer, in, tmp);
    tmp.array().rowwise() *= layer_scale.array();
    x += tmp;
}

void run_layers(const ViTModel& m, const AttentionOptions& options, int from, ViTTrace& t) {
    const ViTHparams& hp = m.hp;
    const int N = t.num_tokens;
    ViTTrace::Scratch& sc = t.scratch;
    Matrix& x = sc.x;
    Matrix &xn = sc.xn, &qkv = sc.qkv, &heads = sc.heads, &tmp = sc.tmp, &hidden = sc.hidden;
    x = t.layers[size_t(from)].input;
    for (int l = from; l < hp.depth; ++l) {
        check_forward_cancel();
        const ViTBlock& blk = m.w.blocks[size_t(l)];
        ViTLayerTrace& lt = t.layers[size_t(l)];
        if (l != from) lt.input = x;
        const LayerAttentionSetup setup = resolve_layer_setup(options, l, hp.num_heads, hp.head_dim(), hp.embed_dim);
        layer_norm_forward(blk.norm1, x, xn);
        attention_forward(blk, hp, setup, t.padding_key, xn, qkv, heads, sc, lt);
        add_residual(blk.proj, blk.ls1, heads, tmp, x);
        layer_norm_forward(blk.norm2, x, xn);
        linear_forward(blk.fc1, xn, hidden, LinearOutput::Gelu);
        add_residual(blk.fc2, blk.ls2, hidden, tmp, x);
    }
    t.output = x;
    t.layers_computed = hp.depth - from;
    t.options = options;

    // Head(s).
    Matrix& normed = sc.xn;
    layer_norm_forward(m.w.norm, x, normed);
    t.features = normed.row(0);
    t.logits.resize(0);
    t.logits_cls.resize(0);
    t.logits_dist.resize(0);
    if (hp.num_classes > 0) {
        Matrix head_in;
        if (hp.pooling == ViTPooling::ClassTokenAndMean) {
            head_in.resize(1, 2 * hp.embed_dim);
            head_in.leftCols(hp.embed_dim) = normed.row(0);
            head_in.rightCols(hp.embed_dim) = normed.bottomRows(N - t.num_prefix).colwise().mean();
        } else {
            head_in = normed.row(0);
        }
        Matrix out;
        linear_forward(m.w.head, head_in, out);
        t.logits = out.row(0);
        if (hp.dist_token) {
            Matrix out_dist;
            linear_forward(m.w.head_dist, normed.row(1), out_dist);
            t.logits_cls = t.logits;
            t.logits_dist = out_dist.row(0);
            t.logits = (t.logits_cls + t.logits_dist) * 0.5f;
        }
    }
}

}  // namespace

void vit_forward(const ViTModel& m, const ModelInput& input, const AttentionOptions& options, ViTTrace& t) {
    const ViTHparams& hp = m.hp;
    const int P = hp.patch_size;
    check_model_input(input, hp.in_chans, P);
    const int gh = input.height / P, gw = input.width / P;
    const int prefix = hp.num_prefix_tokens();
    const int N = prefix + gh * gw;

    // Keep the buffers of a previous run with this trace (same model and input size: no allocation).
    t.prefix_names.clear();
    t.logits_cls.resize(0);
    t.logits_dist.resize(0);
    t.num_heads = hp.num_heads;
    t.num_tokens = N;
    t.num_prefix = prefix;
    t.grid_height = gh;
    t.grid_width = gw;
    t.prefix_names.push_back("CLS");
    if (hp.dist_token) t.prefix_names.push_back("DIST");
    for (int r = 0; r < hp.num_register_tokens; ++r) t.prefix_names.push_back("REG" + std::to_string(r));
    t.padding_key.assign(size_t(N), 0);
    if (input.patch_is_padding.size() == size_t(gh) * gw)
        for (int p = 0; p < gh * gw; ++p) t.padding_key[size_t(prefix + p)] = input.patch_is_padding[size_t(p)];
    t.layers.resize(size_t(hp.depth));

    // Embeddings: [cls, dist?, reg..., patches]; position embeddings on cls/dist/patches, none on registers.
    Matrix& patches = t.scratch.patches;
    image_to_patch_rows(input, hp.in_chans, P, t.scratch.hidden);                 // [Gh*Gw, C*P*P]
    linear_forward(m.w.patch_embed, t.scratch.hidden, patches);                    // [Gh*Gw, D]
    patches += patch_position_embeddings(m, gh, gw);
    Matrix& x = t.layers[0].input;
    x.resize(N, hp.embed_dim);
    int row = 0;
    x.row(row) = m.w.cls_token;
    if (hp.pos_embed_has_prefix) x.row(row) += m.w.pos_embed.row(0);
    ++row;
    if (hp.dist_token) {
        x.row(row) = m.w.dist_token;
        if (hp.pos_embed_has_prefix) x.row(row) += m.w.pos_embed.row(1);
        ++row;
    }
    for (int r = 0; r < hp.num_register_tokens; ++r) x.row(row++) = m.w.reg_tokens.row(r);
    x.bottomRows(gh * gw) = patches;

    run_layers(m, options, 0, t);
}

void vit_recompute_from(const ViTModel& m, const AttentionOptions& options, int from_layer, ViTTrace& t) {
    assert(from_layer >= 0 && from_layer <= m.hp.depth && "vit_recompute_from: layer out of range");
    assert(t.layers.size() == size_t(m.hp.depth) && "vit_recompute_from: trace is from another model");
    if (from_layer >= m.hp.depth) {
        t.options = options;
        t.layers_computed = 0;
        return;
    }
    run_layers(m, options, from_layer, t);
}

int vit_update_options(const ViTModel& m, const AttentionOptions& options, ViTTrace& t) {
    const int from = first_changed_layer(t.options, options, vit_layer_shapes(m));
    vit_recompute_from(m, options, from, t);
    return from;
}

}  // namespace vitscope
