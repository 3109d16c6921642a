#include "trace_memory.h"

#include "packed_gemm.h"
#include "swin_geometry.h"

#include <algorithm>

namespace vitscope {

namespace {

constexpr int64_t kFloat = int64_t(sizeof(float));
constexpr int64_t kAlignFloats = 64 / kFloat;  // attention_scratch's alignment shift
constexpr int64_t kViTRowBlock = 32;           // query rows per work item in vit_forward.cpp

int64_t packed_floats(int64_t rows, int64_t cols) {
    const int64_t w = packed_panel_width(PanelWidth::narrow);  // a head's K^T and V
    return (cols + w - 1) / w * w * rows;
}

template <typename Buffer>
int64_t bytes_of(const Buffer& b) {
    return int64_t(b.size()) * int64_t(sizeof(typename Buffer::value_type));
}
int64_t bytes_of(const Matrix& m) { return int64_t(m.size()) * kFloat; }

}  // namespace

TraceMemory estimate_trace_bytes(const ViTModel& model, int image_height, int image_width,
                                 const AttentionOptions& o, int threads) {
    const ViTHparams& hp = model.hp;
    const int64_t P = hp.patch_size, G = int64_t(image_height / P) * (image_width / P);
    const int64_t N = hp.num_prefix_tokens() + G, D = hp.embed_dim, H = hp.num_heads, dh = hp.head_dim();
    TraceMemory m;
    for (int l = 0; l < hp.depth; ++l) {
        if (!o.keeps_layer(l)) continue;
        m.attention += H * N * N * kFloat;
        if (o.keep_logits) m.logits += H * N * N * kFloat;
    }
    m.layer_inputs = (int64_t(hp.depth) + 1) * N * D * kFloat;  // + output
    const int64_t hidden = std::max(N * hp.mlp_hidden, G * hp.in_chans * P * P);  // also holds the patch rows
    const int64_t floats = N * D * (hp.layer_scale ? 4 : 3)  // x, xn, heads (+ tmp with LayerScale)
                           + N * 4 * D + hidden + G * D     // qkv, queries, hidden, patches
                           + H * (packed_floats(dh, N) + packed_floats(N, dh));  // K^T and V per head
    m.scratch = floats * kFloat;
    m.thread_scratch = int64_t(std::max(threads, 1)) * (std::min(kViTRowBlock, N) * N + kAlignFloats) * kFloat;
    return m;
}

TraceMemory estimate_trace_bytes(const SwinModel& model, int image_height, int image_width,
                                 const AttentionOptions& o, const SwinOptions& so, int threads) {
    const SwinHparams& hp = model.hp;
    const int64_t P = hp.patch_size;
    int h = image_height / hp.patch_size, w = image_width / hp.patch_size;
    const int64_t G = int64_t(h) * w;
    TraceMemory m;
    int64_t peak_scratch = 0, largest_window = 0;
    int gb = 0;
    for (int s = 0; s < hp.num_stages(); ++s) {
        const SwinStage& stage = model.w.stages[size_t(s)];
        const int64_t C = hp.stage_dim(s), H = hp.num_heads[size_t(s)], HW = int64_t(h) * w;
        int64_t stage_scratch = 0;
        for (int b = 0; b < hp.depths[size_t(s)]; ++b, ++gb) {
            const SwinBlock& blk = stage.blocks[size_t(b)];
            const SwinWindowGeometry g = swin_window_geometry(h, w, blk.window, so.shift && b % 2 == 1);
            const int64_t N = g.window_tokens(), nW = g.num_windows();
            largest_window = std::max(largest_window, N);
            if (o.keeps_layer(gb)) {
                m.attention += nW * H * N * N * kFloat;
                if (o.keep_logits) m.logits += nW * H * N * N * kFloat;
            }
            m.layer_inputs += HW * C * kFloat;
            if (so.relative_position_bias) m.window_terms += H * N * N * kFloat;
            if (g.shifted()) {
                m.window_terms += int64_t(g.padded_height) * g.padded_width * int64_t(sizeof(int));
                if (so.shift_mask) m.window_terms += nW * N * N * kFloat;
            }
            const int64_t R = nW * N;  // window slots
            stage_scratch = std::max(stage_scratch, HW * C * 2 + HW * blk.fc1.out_features() + R * C * 6);
        }
        peak_scratch = std::max(peak_scratch, stage_scratch);  // x, xn, hidden | xw, qkv (3C), heads, projected
        if (stage.has_downsample) {
            h = (h + 1) / 2;
            w = (w + 1) / 2;
        }
    }
    m.layer_inputs += int64_t(h) * w * hp.num_features() * kFloat;  // the output
    m.scratch = (peak_scratch + G * hp.embed_dim + G * hp.in_chans * P * P) * kFloat;  // + patches, patch rows
    m.thread_scratch = int64_t(std::max(threads, 1)) * (largest_window * largest_window + kAlignFloats) * kFloat;
    return m;
}

TraceMemory measured_trace_bytes(const ViTTrace& t) {
    TraceMemory m;
    for (const ViTLayerTrace& l : t.layers) {
        m.attention += bytes_of(l.attn);
        m.logits += bytes_of(l.logits);
        m.layer_inputs += bytes_of(l.input);
    }
    m.layer_inputs += bytes_of(t.output);
    const ViTTrace::Scratch& s = t.scratch;
    m.scratch = bytes_of(s.x) + bytes_of(s.xn) + bytes_of(s.qkv) + bytes_of(s.heads) + bytes_of(s.tmp) +
                bytes_of(s.hidden) + bytes_of(s.patches) + bytes_of(s.queries);
    for (size_t h = 0; h < s.keys_t.size(); ++h)
        m.scratch += (packed_floats(s.keys_t[h].rows(), s.keys_t[h].cols()) +
                      packed_floats(s.values[h].rows(), s.values[h].cols())) * kFloat;
    return m;
}

TraceMemory measured_trace_bytes(const SwinTrace& t) {
    TraceMemory m;
    for (const SwinBlockTrace& b : t.blocks) {
        m.attention += bytes_of(b.attn);
        m.logits += bytes_of(b.logits_qk);
        m.layer_inputs += bytes_of(b.input);
        m.window_terms += bytes_of(b.bias) + bytes_of(b.mask) + bytes_of(b.region_ids);
    }
    m.layer_inputs += bytes_of(t.output);
    const SwinTrace::Scratch& s = t.scratch;
    m.scratch = bytes_of(s.x) + bytes_of(s.xn) + bytes_of(s.hidden) + bytes_of(s.xw) + bytes_of(s.qkv) +
                bytes_of(s.heads) + bytes_of(s.projected) + bytes_of(s.patches) + bytes_of(s.patch_rows);
    return m;
}

}  // namespace vitscope
