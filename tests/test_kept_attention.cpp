// Keeping attention for some layers only (AttentionOptions::kept_layers): the forward result and the
// kept layers' maps are bit-identical to a run that keeps every layer; the other layers hold nothing
// big. And the trace memory estimate (engine/trace_memory.h) against the buffers of real traces.
#include "test_support.h"
#include "model_loader.h"
#include "trace_memory.h"

#include <cstring>

using namespace vitscope;
using vitscope::test::data_path;

namespace {

std::string assets_path(const std::string& rel) { return std::string(VITSCOPE_ASSETS_DIR) + "/" + rel; }

// A deterministic input of the given size with the last patch row marked as padding (so the padding
// mask takes part).
ModelInput synthetic_input(int height, int width, int patch) {
    ModelInput in;
    in.height = height;
    in.width = width;
    in.chw.resize(size_t(3) * height * width);
    uint32_t s = 12345;
    for (float& v : in.chw) {
        s = s * 1664525u + 1013904223u;
        v = float(s >> 8) / float(1u << 24) * 4.0f - 2.0f;
    }
    const int gh = height / patch, gw = width / patch;
    in.patch_is_padding.assign(size_t(gh) * gw, 0);
    for (int c = 0; c < gw; ++c) in.patch_is_padding[size_t(gh - 1) * gw + c] = 1;
    in.content_width = width;
    in.content_height = height - patch;
    return in;
}

template <typename A, typename B>
bool same_bits(const A& a, const B& b) {
    return a.size() == b.size() && (a.size() == 0 || std::memcmp(a.data(), b.data(), sizeof(float) * size_t(a.size())) == 0);
}

AttentionOptions keeping(std::vector<int> layers, bool logits) {
    AttentionOptions o;
    o.keep_logits = logits;
    o.keep_all_layers = false;
    o.kept_layers = std::move(layers);
    o.masked_keys = {0, 5};
    o.temperature = 0.7f;
    return o;
}

AttentionOptions keeping_all(bool logits) {
    AttentionOptions o = keeping({}, logits);
    o.keep_all_layers = true;
    return o;
}

void compare_vit(const ViTTrace& full, const ViTTrace& part, const AttentionOptions& o) {
    QVERIFY(same_bits(full.logits, part.logits));
    QVERIFY(same_bits(full.features, part.features));
    QVERIFY(same_bits(full.output, part.output));
    for (size_t l = 0; l < full.layers.size(); ++l) {
        const ViTLayerTrace &f = full.layers[l], &p = part.layers[l];
        QVERIFY(same_bits(f.input, p.input));
        QCOMPARE(p.all_masked_rows, f.all_masked_rows);
        if (o.keeps_layer(int(l))) {
            QVERIFY2(same_bits(f.attn, p.attn), qPrintable(QString("layer %1 attention differs").arg(l)));
            QVERIFY(same_bits(f.logits, p.logits));
        } else {
            QVERIFY2(p.attn.empty() && p.attn.capacity() == 0, qPrintable(QString("layer %1 kept attention").arg(l)));
            QVERIFY(p.logits.empty());
        }
    }
}

void compare_swin(const SwinTrace& full, const SwinTrace& part, const AttentionOptions& o) {
    QVERIFY(same_bits(full.logits, part.logits));
    QVERIFY(same_bits(full.features, part.features));
    for (size_t b = 0; b < full.blocks.size(); ++b) {
        const SwinBlockTrace &f = full.blocks[b], &p = part.blocks[b];
        QVERIFY(same_bits(f.input, p.input));
        QCOMPARE(p.all_masked_rows, f.all_masked_rows);
        if (o.keeps_layer(int(b))) {
            QVERIFY2(same_bits(f.attn, p.attn), qPrintable(QString("block %1 attention differs").arg(b)));
            QVERIFY(same_bits(f.logits_qk, p.logits_qk));
        } else {
            QVERIFY(p.attn.empty() && p.attn.capacity() == 0);
            QVERIFY(p.logits_qk.empty());
        }
    }
}

}  // namespace

class TestKeptAttention : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { set_engine_threads(2); }

    void parse_kept_layers_forms() {
        AttentionOptions o;
        QVERIFY(parse_kept_layers("11,0,11", o));
        QVERIFY(!o.keep_all_layers);
        QCOMPARE(o.kept_layers, (std::vector<int>{0, 11}));
        QCOMPARE(kept_layers_name(o), std::string("0,11"));
        QVERIFY(parse_kept_layers("none", o));
        QVERIFY(o.kept_layers.empty() && !o.keep_all_layers);
        QCOMPARE(kept_layers_name(o), std::string("none"));
        QVERIFY(parse_kept_layers("all", o));
        QVERIFY(o.keep_all_layers);
        for (const char* bad : {"", "1,", ",1", "x", "-1", "1;2", "1234567"}) QVERIFY2(!parse_kept_layers(bad, o), bad);
    }

    void vit_kept_layers_are_bit_identical_data() {
        QTest::addColumn<QString>("model");
        QTest::addColumn<bool>("logits");
        QTest::newRow("vit tiny") << QString::fromStdString(assets_path("models/vitscope-vit-tiny")) << false;
        QTest::newRow("vit tiny logits") << QString::fromStdString(assets_path("models/vitscope-vit-tiny")) << true;
        QTest::newRow("dinov2 registers") << QString::fromStdString(data_path("vit/dinov2_reg_tiny_hf")) << true;
        QTest::newRow("deit distilled") << QString::fromStdString(data_path("vit/deit_distilled_tiny_hf")) << false;
    }
    void vit_kept_layers_are_bit_identical() {
        QFETCH(QString, model);
        QFETCH(bool, logits);
        const LoadedModel m = load_model(model.toStdString());
        QVERIFY(m.vit);
        const int P = m.vit->hp.patch_size;
        const ModelInput in = synthetic_input(m.input_height(), m.input_width() + 2 * P, P);
        ViTTrace full;
        vit_forward(*m.vit, in, keeping_all(logits), full);
        const int last = m.vit->hp.depth - 1;
        for (const std::vector<int>& keep : {std::vector<int>{}, std::vector<int>{0}, std::vector<int>{1, last}}) {
            const AttentionOptions o = keeping(keep, logits);
            ViTTrace part;
            vit_forward(*m.vit, in, o, part);
            compare_vit(full, part, o);
        }
    }

    // Changing the kept layers recomputes from the first layer whose keeping changed; the result is
    // the same as a fresh pass with the new set, and a layer dropped gives its memory back.
    void vit_update_of_kept_layers() {
        const LoadedModel m = load_model(assets_path("models/vitscope-vit-tiny"));
        const ModelInput in = synthetic_input(m.input_height(), m.input_width(), m.vit->hp.patch_size);
        ViTTrace full, t;
        vit_forward(*m.vit, in, keeping_all(false), full);
        vit_forward(*m.vit, in, keeping({2}, false), t);
        QCOMPARE(vit_update_options(*m.vit, keeping({2}, false), t), m.vit->hp.depth);  // nothing changed
        QCOMPARE(vit_update_options(*m.vit, keeping({1}, false), t), 1);
        compare_vit(full, t, keeping({1}, false));
        QCOMPARE(vit_update_options(*m.vit, keeping_all(false), t), 0);
        compare_vit(full, t, keeping_all(false));
    }

    void swin_kept_blocks_are_bit_identical_data() {
        QTest::addColumn<QString>("model");
        QTest::addColumn<bool>("logits");
        QTest::newRow("swin tiny") << QString::fromStdString(assets_path("models/vitscope-swin-tiny")) << true;
        QTest::newRow("swin pad") << QString::fromStdString(data_path("swin/swin_pad_hf")) << false;
    }
    void swin_kept_blocks_are_bit_identical() {
        QFETCH(QString, model);
        QFETCH(bool, logits);
        const LoadedModel m = load_model(model.toStdString());
        QVERIFY(m.swin);
        const ModelInput in = synthetic_input(m.input_height(), m.input_width(), m.swin->hp.patch_size);
        SwinTrace full;
        swin_forward(*m.swin, in, keeping_all(logits), {}, full);
        const int last = m.swin->hp.total_blocks() - 1;
        for (const std::vector<int>& keep : {std::vector<int>{}, std::vector<int>{1}, std::vector<int>{0, last}}) {
            const AttentionOptions o = keeping(keep, logits);
            SwinTrace part;
            swin_forward(*m.swin, in, o, {}, part);
            compare_swin(full, part, o);
        }
        SwinTrace t;
        swin_forward(*m.swin, in, keeping({}, logits), {}, t);
        QCOMPARE(swin_update_options(*m.swin, keeping({last}, logits), {}, t), last);
        compare_swin(full, t, keeping({last}, logits));
    }

    // The estimate against the buffers of real traces: attention, logits, layer inputs and window
    // terms exactly; the scratch exactly for ViT, and for Swin at least what the trace holds after the
    // pass (the estimate is the first stage's peak, the trace keeps the last stage's sizes).
    void estimate_matches_real_traces() {
        for (const char* name : {"models/vitscope-vit-tiny", "models/vitscope-swin-tiny"}) {
            const LoadedModel m = load_model(assets_path(name));
            for (const AttentionOptions& o : {keeping_all(true), keeping({1}, false), keeping({}, false)}) {
                const int P = m.vit ? m.vit->hp.patch_size : m.swin->hp.patch_size;
                const ModelInput in = synthetic_input(m.input_height() + 2 * P, m.input_width(), P);
                TraceMemory est, real;
                if (m.vit) {
                    ViTTrace t;
                    vit_forward(*m.vit, in, o, t);
                    est = estimate_trace_bytes(*m.vit, in.height, in.width, o, engine_threads());
                    real = measured_trace_bytes(t);
                    QCOMPARE(est.scratch, real.scratch);
                } else {
                    SwinTrace t;
                    swin_forward(*m.swin, in, o, {}, t);
                    est = estimate_trace_bytes(*m.swin, in.height, in.width, o, {}, engine_threads());
                    real = measured_trace_bytes(t);
                    QVERIFY(est.scratch >= real.scratch);
                    QVERIFY(est.scratch <= 4 * real.scratch);
                }
                QCOMPARE(est.attention, real.attention);
                QCOMPARE(est.logits, real.logits);
                QCOMPARE(est.layer_inputs, real.layer_inputs);
                QCOMPARE(est.window_terms, real.window_terms);
                QCOMPARE(real.thread_scratch, int64_t(0));
                QVERIFY(est.thread_scratch > 0);  // every layer's blocks are computed there, kept or not
            }
        }
    }

    // The large input: DeiT-Small shape at 896 px keeps ~3.2 GB of attention over 12 layers.
    void estimate_of_a_large_vit() {
        ViTModel m;
        m.hp.embed_dim = 384;
        m.hp.num_heads = 6;
        m.hp.mlp_hidden = 1536;
        const int64_t N = 1 + 56 * 56;
        const TraceMemory all = estimate_trace_bytes(m, 896, 896, AttentionOptions(), 1);
        QCOMPARE(all.attention, 12 * 6 * N * N * 4);
        AttentionOptions one;
        one.keep_all_layers = false;
        one.kept_layers = {11};
        const TraceMemory kept = estimate_trace_bytes(m, 896, 896, one, 1);
        QCOMPARE(kept.attention, 6 * N * N * 4);
    }
};

QTEST_APPLESS_MAIN(TestKeptAttention)
#include "test_kept_attention.moc"
