// The one rule "which keys are masked in this layer and head" (engine/attention_masks.h) against what
// the forward passes actually did: masked keys have probability exactly 0 for every query of that
// layer and head, the others more than 0. And the query-row chart follows it (the layer range).
#include "test_support.h"
#include "attention_masks.h"
#include "figure_parts.h"
#include "image_loader.h"
#include "model_loader.h"

using namespace vitscope;
using vitscope::test::data_path;

namespace {

std::string assets_path(const std::string& rel) { return std::string(VITSCOPE_ASSETS_DIR) + "/" + rel; }

// The default model on the wide 160x112 image letterboxed: padding rows above and below.
ModelInput wide_padded_input(const LoadedModel& m) {
    const RgbImage img = load_rgb_image(QString::fromStdString(assets_path("images/wide_scene_160x112.png")));
    return preprocess(img, PreprocessMode::Pad, preprocess_config(m));
}

}  // namespace

class TestAttentionMasks : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { set_engine_threads(2); }

    void vit_rule_matches_the_forward_pass() {
        const LoadedModel m = load_model(assets_path("models/vitscope-vit-tiny"));
        const ModelInput in = wide_padded_input(m);
        QVERIFY(in.has_padding());
        AttentionOptions o;
        o.masked_keys = {0, 106, 107, 120};  // CLS and patches near the centre (14 x 14 grid)
        o.first_layer = 1;
        o.last_layer = 2;
        o.heads = {1};
        ViTTrace t;
        vit_forward(*m.vit, in, o, t);
        const int N = t.num_tokens;
        int masked_seen = 0, user_seen = 0;
        for (int l = 0; l < int(t.layers.size()); ++l)
            for (int h = 0; h < t.num_heads; ++h) {
                const std::vector<unsigned char> mk = vit_masked_keys(t, l, h);
                QCOMPARE(int(mk.size()), N);
                const bool user = l >= 1 && l <= 2 && h == 1;
                QCOMPARE(bool(mk[106]), user);  // patch token 106 lies in the content
                user_seen += user;
                for (int q = 0; q < N; ++q)
                    for (int k = 0; k < N; ++k) {
                        const float p = t.layers[size_t(l)].prob(h, q, k, N);
                        if (mk[size_t(k)]) {
                            QVERIFY2(p == 0.0f, qPrintable(QString("layer %1 head %2 q %3 k %4: %5").arg(l).arg(h).arg(q).arg(k).arg(p)));
                            ++masked_seen;
                        } else {
                            QVERIFY2(p > 0.0f, qPrintable(QString("layer %1 head %2 q %3 k %4 unmasked but 0").arg(l).arg(h).arg(q).arg(k)));
                        }
                    }
            }
        QVERIFY(masked_seen > 0);
        QVERIFY(user_seen == 2);
        // Any head: the union.
        QVERIFY(vit_masked_keys(t, 1, kMeanOfHeads)[106]);
        QVERIFY(!vit_masked_keys(t, 0, kMeanOfHeads)[106]);
        QVERIFY(!vit_masked_keys(t, 1, 0)[106]);
    }

    void swin_rule_matches_the_forward_pass() {
        const LoadedModel m = load_model(assets_path("models/vitscope-swin-tiny"));
        const ModelInput in = wide_padded_input(m);
        QVERIFY(in.has_padding());
        const int gw = in.width / m.patch_size();
        AttentionOptions o;
        // A 4 x 4 block of stage-0 patches in the content (rows 8..11, cols 8..11): one token in stage 2.
        for (int r = 8; r < 12; ++r)
            for (int c = 8; c < 12; ++c) o.masked_keys.push_back(r * gw + c);
        o.masked_keys.push_back(13 * gw + 13);  // a lone patch: masked in stage 0 only
        o.heads = {0};
        SwinTrace t;
        swin_forward(*m.swin, in, o, {}, t);
        int checked = 0;
        std::vector<int> user_per_stage(4, 0);
        for (int b = 0; b < int(t.blocks.size()); ++b) {
            const SwinBlockTrace& bt = t.blocks[size_t(b)];
            const SwinWindowGeometry& g = bt.geometry;
            const int M2 = g.window_tokens();
            const std::vector<unsigned char> pad = swin_masked_keys(t, b, 1);  // head 1: padding only
            for (int h = 0; h < bt.num_heads; ++h) {
                const std::vector<unsigned char> mk = swin_masked_keys(t, b, h);
                QCOMPARE(int(mk.size()), g.height * g.width);
                if (h == 0)
                    for (size_t i = 0; i < mk.size(); ++i) user_per_stage[size_t(bt.stage)] += mk[i] && !pad[i];
                for (int w = 0; w < g.num_windows(); ++w)
                    for (int q = 0; q < M2; ++q) {
                        int qy = 0, qx = 0, ky = 0, kx = 0;
                        if (!window_slot_to_map(g, w, q, qy, qx)) continue;
                        for (int k = 0; k < M2; ++k) {
                            if (!window_slot_to_map(g, w, k, ky, kx)) continue;
                            const float p = bt.prob(w, h, q, k);
                            if (mk[size_t(ky) * g.width + kx]) {
                                QVERIFY2(p == 0.0f, qPrintable(QString("block %1 head %2: masked key has %3").arg(b).arg(h).arg(p)));
                            } else if (bt.mask.empty() || bt.mask[(size_t(w) * M2 + q) * M2 + k] == 0.0f) {
                                // (-100 shift-mask pairs may underflow to 0: not checked)
                                QVERIFY2(p > 0.0f, qPrintable(QString("block %1 head %2: unmasked key has 0").arg(b).arg(h)));
                            }
                            ++checked;
                        }
                    }
            }
        }
        QVERIFY(checked > 0);
        // Stage 0: 17 patches (minus any in padding); stage 1: 4 tokens; stage 2: 1 token; stage 3: none.
        qInfo("user-masked tokens per stage (head 0, summed over blocks): %d %d %d %d", user_per_stage[0],
              user_per_stage[1], user_per_stage[2], user_per_stage[3]);
        QVERIFY(user_per_stage[0] > 0 && user_per_stage[1] > 0);
        QCOMPARE(user_per_stage[3], 0);
    }

    // The query-row chart once ignored the layer range: mask keys for layer 0 only, look at layer 1.
    void query_row_follows_the_layer_range() {
        auto t = std::make_shared<ViTTrace>();
        const ViTModel model = load_vit_model(open_checkpoint(data_path("vit/vit_tiny_hf")));
        SafetensorsFile ref(data_path("vit/vit_tiny_expected.safetensors"));
        const ModelInput in = model_input_from_tensor(ref.read_f32("input"), 32, 32, 8);
        AttentionOptions o;
        o.masked_keys = {3, 4};
        o.first_layer = 0;
        o.last_layer = 0;
        vit_forward(model, in, o, *t);
        FigureInputs fi;
        fi.vit = t;
        for (int head : {0, 1, kMeanOfHeads}) {
            const QueryRowData at0 = query_row_data(fi, FigureSelection{0, head, 0});
            QCOMPARE(int(at0.masked.size()), t->num_tokens);
            QVERIFY(at0.masked[3] && at0.masked[4]);
            QCOMPARE(at0.row[3], 0.0f);
            const QueryRowData at1 = query_row_data(fi, FigureSelection{1, head, 0});
            QVERIFY2(!at1.masked[3] && !at1.masked[4], "layer 1 is outside the mask's layer range");
            QVERIFY(at1.row[3] > 0.0f);
        }
    }
};

QTEST_APPLESS_MAIN(TestAttentionMasks)
#include "test_attention_masks.moc"
