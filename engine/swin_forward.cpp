#include "swin_forward.h"

#include "attention_masks.h"
#include "attention_scratch.h"
#include "forward_cancel.h"
#include "patch_embedding.h"
#include "streaming_copy.h"
#include "thread_pool.h"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <limits>
#include <stdexcept>

namespace vitscope {

int SwinTrace::all_masked_rows() const {
    int n = 0;
    for (const SwinBlockTrace& b : blocks) n += b.all_masked_rows;
    return n;
}

int64_t SwinTrace::non_finite_values() const {
    int64_t n = count_non_finite(logits.reshaped()) + count_non_finite(features.reshaped());
    for (const SwinBlockTrace& b : blocks) n += count_non_finite(b.attn);
    return n;
}

std::vector<AttentionLayerShape> swin_layer_shapes(const SwinModel& m) {
    std::vector<AttentionLayerShape> shapes;
    for (int s = 0; s < m.hp.num_stages(); ++s)
        for (int b = 0; b < m.hp.depths[size_t(s)]; ++b)
            shapes.push_back({m.hp.num_heads[size_t(s)], m.hp.head_dim(s), m.hp.stage_dim(s)});
    return shapes;
}

SwinTokenLocation swin_token_location(const SwinTrace& t, int block, int window, int position) {
    assert(block >= 0 && size_t(block) < t.blocks.size() && "swin_token_location: block out of range");
    const SwinBlockTrace& bt = t.blocks[size_t(block)];
    SwinTokenLocation loc;
    loc.padding = !window_slot_to_map(bt.geometry, window, position, loc.row, loc.col);
    if (loc.padding) return loc;
    const int stride = t.stage_stride(bt.stage);
    loc.x0 = loc.col * stride;
    loc.y0 = loc.row * stride;
    loc.x1 = std::min(loc.x0 + stride, t.image_width);
    loc.y1 = std::min(loc.y0 + stride, t.image_height);
    return loc;
}

bool swin_pixel_to_window(const SwinTrace& t, int block, int px, int py, int& window, int& position) {
    assert(block >= 0 && size_t(block) < t.blocks.size() && "swin_pixel_to_window: block out of range");
    if (px < 0 || py < 0 || px >= t.image_width || py >= t.image_height) return false;
    const SwinBlockTrace& bt = t.blocks[size_t(block)];
    const int stride = t.stage_stride(bt.stage);
    map_to_window_slot(bt.geometry, py / stride, px / stride, window, position);
    return true;
}

namespace {

// [h*w, C] -> [ceil(h/2)*ceil(w/2), 2C]: gather 2x2 (zero-padding odd maps), LayerNorm(4C), reduction.
Matrix patch_merge(const PatchMerging& pm, const Matrix& x, int h, int w) {
    const int h2 = (h + 1) / 2, w2 = (w + 1) / 2, C = int(x.cols());
    Matrix cat = Matrix::Zero(Eigen::Index(h2) * w2, 4 * C);  // [h2*w2, 4C]: x0 | x1 | x2 | x3
    const int dy[4] = {0, 1, 0, 1}, dx[4] = {0, 0, 1, 1};
    for (int y2 = 0; y2 < h2; ++y2)
        for (int x2 = 0; x2 < w2; ++x2)
            for (int k = 0; k < 4; ++k) {
                const int y = 2 * y2 + dy[k], xx = 2 * x2 + dx[k];
                if (y < h && xx < w)
                    cat.block(Eigen::Index(y2) * w2 + x2, Eigen::Index(k) * C, 1, C) = x.row(Eigen::Index(y) * w + xx);
            }
    Matrix normed, out;
    layer_norm_forward(pm.norm, cat, normed);
    linear_forward(pm.reduction, normed, out);
    return out;
}

// Windowed multi-head self-attention of one block on `xn` ([H*W, C], normed); the projected output is
// added to the residual stream `x` ([H*W, C]) and everything a visualizer needs goes to `bt` (whose
// geometry is set).
void window_attention(const SwinBlock& blk, const LayerAttentionSetup& setup, const SwinOptions& so,
                      const std::vector<unsigned char>& user_masked, const std::vector<unsigned char>& pad_masked,
                      const Matrix& xn, Matrix& x, SwinTrace::Scratch& sc, SwinBlockTrace& bt) {
    const SwinWindowGeometry& g = bt.geometry;
    const int C = int(xn.cols()), H = bt.num_heads, dh = C / H;
    const int M = g.window, N = M * M, nW = g.num_windows();
    const Eigen::Index R = Eigen::Index(nW) * N;
    const std::vector<int> idx = window_token_index(g);  // [nW*N]: pad, roll by -s, partition

    Matrix& xw = sc.xw;  // [nW*M*M, C]
    xw.resize(R, C);
    for (Eigen::Index r = 0; r < R; ++r) {
        if (idx[size_t(r)] >= 0) xw.row(r) = xn.row(idx[size_t(r)]);
        else xw.row(r).setZero();
    }
    Matrix& qkv = sc.qkv;
    linear_forward(blk.qkv, xw, qkv);  // [nW*M*M, 3C]: q | k | v, each [.., H*dh]

    // The bias and mask terms.
    bt.bias.clear();
    if (so.relative_position_bias) {
        const std::vector<int> rpi = relative_position_index(M, blk.window);  // [N*N]
        bt.bias.resize(size_t(H) * N * N);  // [H, N, N]
        for (int h = 0; h < H; ++h)
            for (size_t i = 0; i < rpi.size(); ++i)
                bt.bias[size_t(h) * N * N + i] = blk.relative_position_bias_table(rpi[i], h);
    }
    bt.region_ids.clear();
    bt.mask.clear();
    if (g.shifted()) {
        bt.region_ids = shift_region_ids(g.padded_height, g.padded_width, M, g.shift);  // [Hp*Wp]
        if (so.shift_mask) {
            const std::vector<float> mask = shift_attention_mask(g.padded_height, g.padded_width, M, g.shift);
            bt.mask.assign(mask.begin(), mask.end());  // [nW, N, N]
        }
    }

    // Keys masked per window slot: padding of the image (every head) and the user mask.
    std::vector<unsigned char> slot_pad(size_t(R), 0), slot_user(size_t(R), 0);
    for (Eigen::Index r = 0; r < R; ++r) {
        const int t = idx[size_t(r)];
        if (t < 0) continue;
        slot_pad[size_t(r)] = setup.padding_mask && !pad_masked.empty() && pad_masked[size_t(t)];
        slot_user[size_t(r)] = !user_masked.empty() && user_masked[size_t(t)];
    }

    if (setup.keep_attention) bt.attn.resize(size_t(R) * H * N);  // [nW, H, N, N]
    else FloatBuffer().swap(bt.attn);  // not kept: give the memory back
    if (setup.keep_logits) bt.logits_qk.resize(size_t(R) * H * N);
    else FloatBuffer().swap(bt.logits_qk);
    Matrix& heads_out = sc.heads;  // [nW*M*M, C], heads concatenated
    heads_out.resize(R, C);
    const float neg_inf = -std::numeric_limits<float>::infinity();
    std::atomic<int> masked_rows{0};
    const std::ptrdiff_t ld = qkv.cols();
    parallel_for(nW * H, [&](int item, int) {
        // This thread's K^T [dh, N] and V [N, dh] of its current (window, head): kept between blocks
        // and passes, so packing them allocates nothing once the largest window has been seen.
        thread_local PackedMatrix keys_t, values;
        const int w = item / H, h = item % H;
        const HeadAttentionSetup& hs = setup.heads[size_t(h)];
        const Eigen::Index r0 = Eigen::Index(w) * N;
        const float* q = qkv.data() + r0 * ld + h * dh;  // [N, dh], row stride ld
        keys_t.pack(q + C, dh, N, 1, ld, PanelWidth::narrow);
        values.pack(q + 2 * C, N, dh, ld, 1, PanelWidth::narrow);
        // Computed in a cache-resident scratch, streamed out to the kept map at the end (as in ViT).
        const size_t map_offset = size_t(item) * N * N;
        Eigen::Map<Matrix> P(attention_scratch(size_t(N) * N, map_offset), N, N);  // [N, N]
        gemm_packed(N, q, ld, keys_t, P.data(), N, {.alpha = hs.logit_scale});  // scale * Q K^T
        const unsigned char* kp = slot_pad.data() + r0;
        const unsigned char* ku = slot_user.data() + r0;
        for (int i = 0; i < N; ++i) {
            float* row = P.row(i).data();
            for (int j = 0; j < N; ++j)
                if (kp[j] || (hs.user_mask && ku[j]) || (hs.causal && j > i)) row[j] = neg_inf;
        }
        if (setup.keep_logits) std::copy_n(P.data(), size_t(N) * N, bt.logits_qk.data() + size_t(item) * N * N);
        if (!bt.bias.empty()) P += Eigen::Map<const Matrix>(bt.bias.data() + size_t(h) * N * N, N, N);
        if (!bt.mask.empty()) P += Eigen::Map<const Matrix>(bt.mask.data() + size_t(w) * N * N, N, N);
        for (int i = 0; i < N; ++i)
            if (!softmax_row_inplace(P.row(i).data(), N)) masked_rows.fetch_add(1, std::memory_order_relaxed);
        if (hs.ablated) heads_out.block(r0, Eigen::Index(h) * dh, N, dh).setZero();
        else gemm_packed(N, P.data(), N, values, heads_out.data() + r0 * C + h * dh, C);  // P V
        if (setup.keep_attention) copy_streaming(P.data(), size_t(N) * N, bt.attn.data() + map_offset);
    });
    bt.all_masked_rows = masked_rows.load();

    Matrix& projected = sc.projected;
    linear_forward(blk.proj, heads_out, projected);  // [nW*M*M, C]
    for (Eigen::Index r = 0; r < R; ++r)             // reverse windows, roll by +s, crop; residual sum
        if (idx[size_t(r)] >= 0) x.row(idx[size_t(r)]) += projected.row(r);
}

int stage_of(const SwinTrace& t, int block) {
    int s = 0;
    while (s + 1 < int(t.stage_first_block.size()) && t.stage_first_block[size_t(s + 1)] <= block) ++s;
    return s;
}

void run_blocks(const SwinModel& m, const AttentionOptions& options, const SwinOptions& so, int from, SwinTrace& t) {
    const SwinHparams& hp = m.hp;
    const int first_stage = stage_of(t, from);
    SwinTrace::Scratch& sc = t.scratch;
    Matrix& x = sc.x;
    x = t.blocks[size_t(from)].input;
    int h = t.blocks[size_t(from)].geometry.height, w = t.blocks[size_t(from)].geometry.width;
    Matrix &xn = sc.xn, &hidden = sc.hidden;
    for (int s = first_stage; s < hp.num_stages(); ++s) {
        const SwinStage& stage = m.w.stages[size_t(s)];
        const int H = hp.num_heads[size_t(s)], C = hp.stage_dim(s);
        // Masks are given on the stage-0 grid and carried down to the stage by the one rule every view asks.
        const std::vector<unsigned char> pad =
            t.padding_patch.empty() ? std::vector<unsigned char>()
                                    : swin_stage_flags(t.padding_patch, t.grid_height, t.grid_width, s);
        for (int b = (s == first_stage ? from - t.stage_first_block[size_t(s)] : 0); b < hp.depths[size_t(s)]; ++b) {
            check_forward_cancel();
            const int gb = t.stage_first_block[size_t(s)] + b;
            const SwinBlock& blk = stage.blocks[size_t(b)];
            SwinBlockTrace& bt = t.blocks[size_t(gb)];
            if (gb != from) bt.input = x;
            bt.stage = s;
            bt.block = b;
            bt.num_heads = H;
            bt.geometry = swin_window_geometry(h, w, blk.window, so.shift && b % 2 == 1);
            const LayerAttentionSetup setup = resolve_layer_setup(options, gb, H, C / H, C);
            std::vector<unsigned char> user;
            if (!setup.masked_keys.empty()) {
                std::vector<unsigned char> m0(size_t(t.grid_height) * t.grid_width, 0);
                for (int k : setup.masked_keys)
                    if (k >= 0 && size_t(k) < m0.size()) m0[size_t(k)] = 1;
                user = swin_stage_flags(std::move(m0), t.grid_height, t.grid_width, s);
            }
            layer_norm_forward(blk.norm1, x, xn);
            window_attention(blk, setup, so, user, pad, xn, x, sc, bt);
            layer_norm_forward(blk.norm2, x, xn);
            linear_forward(blk.fc1, xn, hidden, LinearOutput::Gelu);
            linear_forward(blk.fc2, hidden, x, LinearOutput::AddToOutput);
        }
        if (stage.has_downsample) {
            x = patch_merge(stage.downsample, x, h, w);
            h = (h + 1) / 2;
            w = (w + 1) / 2;
        }
    }
    t.output = x;
    t.layers_computed = hp.total_blocks() - from;
    t.options = options;
    t.swin_options = so;

    Matrix normed;
    layer_norm_forward(m.w.norm, x, normed);
    t.features = normed.colwise().mean();
    t.logits.resize(0);
    if (hp.num_classes > 0) {
        Matrix logits;
        linear_forward(m.w.head, Matrix(t.features), logits);
        t.logits = logits.row(0);
    }
}

}  // namespace

void swin_forward(const SwinModel& m, const ModelInput& input, const AttentionOptions& options,
                  const SwinOptions& so, SwinTrace& t) {
    const SwinHparams& hp = m.hp;
    const int P = hp.patch_size;
    check_model_input(input, hp.in_chans, P);
    const int gh = input.height / P, gw = input.width / P;

    // Keep the buffers of a previous run with this trace; every other field is set again below.
    std::vector<SwinBlockTrace> blocks = std::move(t.blocks);
    SwinTrace::Scratch scratch = std::move(t.scratch);
    t = SwinTrace();
    t.blocks = std::move(blocks);
    t.scratch = std::move(scratch);
    t.image_height = input.height;
    t.image_width = input.width;
    t.patch_size = P;
    t.grid_height = gh;
    t.grid_width = gw;
    if (input.patch_is_padding.size() == size_t(gh) * gw) t.padding_patch = input.patch_is_padding;
    int first = 0;
    for (int s = 0; s < hp.num_stages(); ++s) {
        t.stage_first_block.push_back(first);
        first += hp.depths[size_t(s)];
    }
    t.blocks.resize(size_t(first));
    t.blocks[0].geometry.height = gh;
    t.blocks[0].geometry.width = gw;

    Matrix &patches = t.scratch.patches, &patch_rows = t.scratch.patch_rows;
    image_to_patch_rows(input, hp.in_chans, P, patch_rows);  // [Gh*Gw, C*P*P]
    linear_forward(m.w.patch_embed, patch_rows, patches);  // [Gh*Gw, D]
    layer_norm_forward(m.w.patch_norm, patches, t.blocks[0].input);
    run_blocks(m, options, so, 0, t);
}

void swin_recompute_from(const SwinModel& m, const AttentionOptions& options, const SwinOptions& so, int from,
                         SwinTrace& t) {
    const int total = m.hp.total_blocks();
    assert(from >= 0 && from <= total && "swin_recompute_from: block out of range");
    assert(t.blocks.size() == size_t(total) && "swin_recompute_from: trace is from another model");
    if (from >= total) {
        t.options = options;
        t.swin_options = so;
        t.layers_computed = 0;
        return;
    }
    run_blocks(m, options, so, from, t);
}

int swin_update_options(const SwinModel& m, const AttentionOptions& options, const SwinOptions& so, SwinTrace& t) {
    int from = first_changed_layer(t.options, options, swin_layer_shapes(m));
    const SwinOptions& old = t.swin_options;
    if (old.relative_position_bias != so.relative_position_bias) from = 0;
    if (old.shift != so.shift || old.shift_mask != so.shift_mask) {
        // The first block that shifts (or would, with the shift on).
        for (int gb = 0; gb < from; ++gb) {
            const SwinBlockTrace& bt = t.blocks[size_t(gb)];
            const int window = m.w.stages[size_t(bt.stage)].blocks[size_t(bt.block)].window;
            if (swin_window_geometry(bt.geometry.height, bt.geometry.width, window, bt.block % 2 == 1).shifted()) {
                from = gb;
                break;
            }
        }
    }
    swin_recompute_from(m, options, so, from, t);
    return from;
}

}  // namespace vitscope
