// Swin v1 parity with torchvision's SwinTransformer (tools/make_swin_fixtures.py): logits and every
// window attention map within 1e-4 for the Hugging Face, timm (>= 0.9) and Microsoft namings, which
// must agree exactly; what the Swin switches and attention options do; partial recomputation; file
// errors naming the tensor.
#include "test_support.h"
#include "model_loader.h"
#include "swin_forward.h"

#include <QTemporaryDir>
#include <cstdio>

using namespace vitscope;
using vitscope::test::data_path;

namespace {

constexpr double kTol = 1e-4;

std::vector<float> row_vector(const RowVector& v) { return std::vector<float>(v.data(), v.data() + v.size()); }

std::string model_path(const std::string& fixture, const std::string& naming) {
    if (naming == "hf") return data_path("swin/" + fixture + "_hf");
    return data_path("swin/" + fixture + "_" + naming + ".safetensors");
}

ModelInput reference_input(const SafetensorsFile& ref) {
    const auto& shape = ref.info("input").shape;
    return model_input_from_tensor(ref.read_f32("input"), int(shape[1]), int(shape[2]), 4);
}

SwinModel load(const std::string& path) {
    LoadedModel m = load_model(path);
    if (m.architecture != Architecture::Swin || !m.swin) throw std::runtime_error(path + ": not loaded as Swin");
    return *m.swin;
}

struct Run {
    SwinModel model;
    SwinTrace trace;
};

Run run(const std::string& fixture, const std::string& naming, const AttentionOptions& o = {},
        const SwinOptions& so = {}) {
    SafetensorsFile ref(data_path("swin/" + fixture + "_expected.safetensors"));
    Run r{load(model_path(fixture, naming)), {}};
    swin_forward(r.model, reference_input(ref), o, so, r.trace);
    return r;
}

double max_diff(const RowVector& a, const RowVector& b) {
    return a.size() == b.size() ? double((a - b).cwiseAbs().maxCoeff()) : INFINITY;
}

}  // namespace

class TestSwinParity : public QObject {
    Q_OBJECT

private slots:
    void parity_data() {
        QTest::addColumn<QString>("fixture");
        QTest::addColumn<QString>("naming");
        for (const char* f : {"swin_tiny", "swin_pad"})
            for (const char* n : {"hf", "timm", "ms"})
                QTest::newRow((std::string(f) + " " + n).c_str()) << f << n;
    }

    void parity() {
        QFETCH(QString, fixture);
        QFETCH(QString, naming);
        const std::string fx = fixture.toStdString();
        SafetensorsFile ref(data_path("swin/" + fx + "_expected.safetensors"));
        const Run r = run(fx, naming.toStdString());
        VITSCOPE_COMPARE_NEAR(row_vector(r.trace.logits), ref.read_f32("logits"), kTol);
        VITSCOPE_COMPARE_NEAR(row_vector(r.trace.features), ref.read_f32("features"), kTol);
        int compared = 0;
        for (const SwinBlockTrace& bt : r.trace.blocks) {
            const std::string key = std::to_string(bt.stage) + "." + std::to_string(bt.block);
            const SwinWindowGeometry& g = bt.geometry;
            const int N = g.window_tokens();
            int M = 0, s = 0, hp = 0, wp = 0;
            QCOMPARE(std::sscanf(ref.metadata().at("geometry." + key).c_str(), "%d,%d,%d,%d", &M, &s, &hp, &wp), 4);
            QCOMPARE(g.window, M);
            QCOMPARE(g.shift, s);
            QCOMPARE(g.padded_height, hp);
            QCOMPARE(g.padded_width, wp);
            QCOMPARE(ref.info("attn." + key).shape, (std::vector<int64_t>{g.num_windows(), bt.num_heads, N, N}));
            VITSCOPE_COMPARE_NEAR(bt.attn, ref.read_f32("attn." + key), kTol);
            if (ref.has("bias." + key)) VITSCOPE_COMPARE_NEAR(bt.bias, ref.read_f32("bias." + key), 0.0);
            if (ref.has("mask." + key)) VITSCOPE_COMPARE_NEAR(bt.mask, ref.read_f32("mask." + key), 0.0);
            QCOMPARE(bt.mask.empty(), !ref.has("mask." + key));
            ++compared;
        }
        QCOMPARE(compared, r.model.hp.total_blocks());
        QCOMPARE(r.trace.all_masked_rows(), 0);
    }

    void namings_agree_exactly_data() {
        QTest::addColumn<QString>("fixture");
        QTest::newRow("swin_tiny") << "swin_tiny";
        QTest::newRow("swin_pad") << "swin_pad";
    }

    void namings_agree_exactly() {
        QFETCH(QString, fixture);
        const std::string fx = fixture.toStdString();
        const Run hf = run(fx, "hf"), timm = run(fx, "timm"), ms = run(fx, "ms");
        for (const Run* other : {&timm, &ms}) {
            QVERIFY(other->trace.logits == hf.trace.logits);
            QCOMPARE(other->trace.blocks.size(), hf.trace.blocks.size());
            for (size_t b = 0; b < hf.trace.blocks.size(); ++b)
                QVERIFY(other->trace.blocks[b].attn == hf.trace.blocks[b].attn);
        }
        QCOMPARE(hf.model.info.naming, std::string("Hugging Face transformers"));
        QCOMPARE(timm.model.info.naming, std::string("timm (>= 0.9)"));
        QCOMPARE(ms.model.info.naming, std::string("Microsoft Swin / timm (< 0.9)"));
        QVERIFY(hf.model.info.inferred.empty());
        QVERIFY(!timm.model.info.inferred.empty());
        QCOMPARE(hf.model.info.labels.size(), size_t(hf.model.hp.num_classes));
        QCOMPARE(hf.model.info.num_parameters, timm.model.info.num_parameters);
    }

    void hyperparameters_inferred() {
        const SwinModel m = load(model_path("swin_pad", "ms"));
        QCOMPARE(m.hp.embed_dim, 6);
        QCOMPARE(m.hp.depths, (std::vector<int>{2, 2, 2}));
        QCOMPARE(m.hp.num_heads, (std::vector<int>{2, 2, 4}));
        QCOMPARE(m.hp.window_size, 3);
        QCOMPARE(m.hp.mlp_ratio, 2.0f);
        QCOMPARE(m.hp.num_classes, 5);
        QCOMPARE(m.hp.image_size, 224);
        QCOMPARE(m.hp.layer_norm_eps, 1e-5f);
        const SwinModel hf = load(model_path("swin_pad", "hf"));
        QCOMPARE(hf.hp.image_size, 40);
    }

    void shift_mask_zeroes_cross_region_attention() {
        for (bool mask_on : {true, false}) {
            SwinOptions so;
            so.shift_mask = mask_on;
            const Run r = run("swin_tiny", "timm", {}, so);
            const SwinBlockTrace& bt = r.trace.blocks[1];  // stage 0, block 1: shifted by 3
            const SwinWindowGeometry& g = bt.geometry;
            QCOMPARE(g.shift, 3);
            QCOMPARE(bt.region_ids.size(), size_t(g.padded_height) * g.padded_width);
            const int M = g.window, N = M * M;
            double cross = 0, cross_max = 0;
            for (int w = 0; w < g.num_windows(); ++w) {
                const int y0 = (w / g.windows_x()) * M, x0 = (w % g.windows_x()) * M;
                auto region = [&](int p) { return bt.region_ids[size_t(y0 + p / M) * g.padded_width + x0 + p % M]; };
                for (int h = 0; h < bt.num_heads; ++h)
                    for (int q = 0; q < N; ++q)
                        for (int k = 0; k < N; ++k)
                            if (region(q) != region(k)) {
                                cross += bt.prob(w, h, q, k);
                                cross_max = std::max(cross_max, double(bt.prob(w, h, q, k)));
                            }
            }
            // exp(-100 + O(10)) underflows to exactly 0 in float.
            if (mask_on) QCOMPARE(cross_max, 0.0);
            else QVERIFY2(cross > 1.0, "without the shift mask, shifted windows attend across regions");
        }
    }

    void switches_change_the_output() {
        const Run base = run("swin_tiny", "timm");
        SwinOptions no_bias;
        no_bias.relative_position_bias = false;
        const Run nb = run("swin_tiny", "timm", {}, no_bias);
        QVERIFY(max_diff(nb.trace.logits, base.trace.logits) > 1e-3);
        QVERIFY(nb.trace.blocks[0].bias.empty());
        SwinOptions no_shift;
        no_shift.shift = false;
        const Run ns = run("swin_tiny", "timm", {}, no_shift);
        QVERIFY(max_diff(ns.trace.logits, base.trace.logits) > 1e-3);
        QCOMPARE(ns.trace.blocks[1].geometry.shift, 0);
        QVERIFY(ns.trace.blocks[1].mask.empty());
        // Block 0 is never shifted: identical there.
        QVERIFY(ns.trace.blocks[0].attn == base.trace.blocks[0].attn);
        AttentionOptions none;
        none.scale_mode = ScaleMode::None;
        const Run sn = run("swin_tiny", "timm", none);
        QVERIFY(max_diff(sn.trace.logits, base.trace.logits) > 1e-3);
    }

    void logits_split_into_terms() {
        AttentionOptions o;
        o.keep_logits = true;
        const Run r = run("swin_pad", "timm", o);
        const SwinBlockTrace& bt = r.trace.blocks[1];  // shifted
        const int N = bt.geometry.window_tokens(), H = bt.num_heads;
        QCOMPARE(bt.logits_qk.size(), bt.attn.size());
        // softmax(qk + bias + mask) reproduces the probabilities.
        for (int w = 0; w < bt.geometry.num_windows(); ++w)
            for (int h = 0; h < H; ++h)
                for (int q = 0; q < N; ++q) {
                    std::vector<float> row(static_cast<size_t>(N));
                    for (int k = 0; k < N; ++k)
                        row[size_t(k)] = bt.logits_qk[((size_t(w) * H + h) * N + q) * N + k] +
                                         bt.bias[(size_t(h) * N + q) * N + k] + bt.mask[(size_t(w) * N + q) * N + k];
                    softmax_row_inplace(row.data(), N);
                    for (int k = 0; k < N; ++k) QVERIFY(std::fabs(row[size_t(k)] - bt.prob(w, h, q, k)) < 1e-6);
                }
    }

    void masks_and_ablation() {
        // Mask stage-0 patches 0..3 of row 0 and the whole first 2x2 patch block.
        AttentionOptions o;
        o.masked_keys = {0, 1, 2, 3, 14, 15};  // swin_tiny: 14x14 grid
        const Run r = run("swin_tiny", "timm", o);
        const SwinBlockTrace& b0 = r.trace.blocks[0];
        for (int key : o.masked_keys) {
            int w = 0, p = 0;
            map_to_window_slot(b0.geometry, key / 14, key % 14, w, p);
            for (int h = 0; h < b0.num_heads; ++h)
                for (int q = 0; q < b0.geometry.window_tokens(); ++q) QCOMPARE(b0.prob(w, h, q, p), 0.0f);
        }
        // Stage 1: merged token (0,0) covers patches 0, 1, 14, 15 (all masked); token (0,1) covers 2, 3, 16,
        // 17 (not all): only the first is masked.
        const SwinBlockTrace& b2 = r.trace.blocks[2];
        QCOMPARE(b2.stage, 1);
        QCOMPARE(b2.prob(0, 0, 5, 0), 0.0f);
        QVERIFY(b2.prob(0, 0, 5, 1) > 0.0f);

        AttentionOptions causal;
        causal.causal = true;
        const Run c = run("swin_pad", "timm", causal);
        const SwinBlockTrace& cb = c.trace.blocks[0];
        QCOMPARE(cb.prob(0, 0, 0, 1), 0.0f);
        QCOMPARE(cb.prob(0, 0, 0, 0), 1.0f);
        QVERIFY(cb.prob(0, 0, 8, 0) > 0.0f);

        // Every key masked: rows are all zero and counted.
        AttentionOptions all;
        for (int k = 0; k < 14 * 14; ++k) all.masked_keys.push_back(k);
        all.first_layer = all.last_layer = 0;
        const Run a = run("swin_tiny", "timm", all);
        QCOMPARE(a.trace.blocks[0].all_masked_rows, 4 * 2 * 49);
        QCOMPARE(a.trace.all_masked_rows(), 4 * 2 * 49);

        AttentionOptions ablate;
        ablate.ablated_heads = {1};
        ablate.first_layer = ablate.last_layer = 3;
        const Run ab = run("swin_tiny", "timm", ablate);
        const Run base = run("swin_tiny", "timm");
        QVERIFY(ab.trace.blocks[3].attn == base.trace.blocks[3].attn);  // still recorded
        QVERIFY(max_diff(ab.trace.logits, base.trace.logits) > 1e-4);
    }

    void update_recomputes_from_the_changed_block() {
        SafetensorsFile ref(data_path("swin/swin_pad_expected.safetensors"));
        const SwinModel m = load(model_path("swin_pad", "timm"));
        SwinTrace t;
        swin_forward(m, reference_input(ref), {}, {}, t);
        QCOMPARE(t.layers_computed, 6);
        const RowVector base = t.logits;

        AttentionOptions o;
        o.scale_mode = ScaleMode::None;
        o.first_layer = 3;  // stage 1, block 1
        QCOMPARE(swin_update_options(m, o, {}, t), 3);
        QCOMPARE(t.layers_computed, 3);
        SwinTrace full;
        swin_forward(m, reference_input(ref), o, {}, full);
        QVERIFY(full.logits == t.logits);
        for (size_t b = 0; b < t.blocks.size(); ++b) QVERIFY(full.blocks[b].attn == t.blocks[b].attn);

        QCOMPARE(swin_update_options(m, o, {}, t), 6);  // nothing changed
        QCOMPARE(t.layers_computed, 0);

        SwinOptions so;
        so.shift_mask = false;  // first shifted block: 1
        QCOMPARE(swin_update_options(m, o, so, t), 1);
        QCOMPARE(t.layers_computed, 5);
        so.relative_position_bias = false;
        QCOMPARE(swin_update_options(m, o, so, t), 0);
        QCOMPARE(swin_update_options(m, {}, {}, t), 0);
        QVERIFY(t.logits == base);
    }

    void token_locations() {
        const Run r = run("swin_pad", "timm");  // 40x48 input, stage 0 is 10x12 padded to 12x12, shift 1
        const SwinBlockTrace& bt = r.trace.blocks[1];
        QCOMPARE(bt.geometry.shift, 1);
        // Window 0, position 0 holds map token (1, 1) (rolled by -1): pixels [4,8) x [4,8).
        SwinTokenLocation loc = swin_token_location(r.trace, 1, 0, 0);
        QVERIFY(!loc.padding);
        QCOMPARE(loc.row, 1);
        QCOMPARE(loc.col, 1);
        QCOMPARE(loc.x0, 4);
        QCOMPARE(loc.y1, 8);
        int w = -1, p = -1;
        QVERIFY(swin_pixel_to_window(r.trace, 1, 5, 6, w, p));
        QCOMPARE(w, 0);
        QCOMPARE(p, 0);
        // Pixel (0, 0) is token (0, 0): rolled to the last row/column of the padded 12x12 map.
        QVERIFY(swin_pixel_to_window(r.trace, 1, 0, 0, w, p));
        QCOMPARE(w, 15);
        QCOMPARE(p, 8);
        // Slots that hold window padding: rows 10, 11 of the padded map sit before the rolled-in row 0.
        loc = swin_token_location(r.trace, 1, 12, 6);  // window (3, 0), position (2, 0): rolled row 11 -> map row 0
        QVERIFY(!loc.padding);
        QCOMPARE(loc.row, 0);
        loc = swin_token_location(r.trace, 1, 12, 3);  // position (1, 0): rolled row 10 -> map row 11 (padding)
        QVERIFY(loc.padding);
        // Stage 2 tokens cover 16x16 pixels, clipped to the image.
        const int last = r.trace.global_block(2, 0);
        loc = swin_token_location(r.trace, last, 0, 8);
        QCOMPARE(loc.row, 2);
        QCOMPARE(loc.col, 2);
        QCOMPARE(loc.y0, 32);
        QCOMPARE(loc.y1, 40);
        QCOMPARE(loc.x1, 48);
        QVERIFY(!swin_pixel_to_window(r.trace, last, 48, 0, w, p));
    }

    void corrupt_shapes_name_the_tensor_data() {
        QTest::addColumn<QString>("tensor");
        QTest::addColumn<QString>("message");
        QTest::newRow("proj") << "layers.0.blocks.1.attn.proj.weight"
                              << "tensor 'layers.0.blocks.1.attn.proj.weight' has shape [8,7], expected [8,8]";
        QTest::newRow("table") << "layers.1.blocks.1.attn.relative_position_bias_table"
                               << "tensor 'layers.1.blocks.1.attn.relative_position_bias_table' has shape [169,3], "
                                  "expected [169,4]";
        QTest::newRow("merge") << "layers.1.downsample.reduction.weight"
                               << "tensor 'layers.1.downsample.reduction.weight' has shape [16,31], expected [16,32]";
    }

    void corrupt_shapes_name_the_tensor() {
        QFETCH(QString, tensor);
        QFETCH(QString, message);
        SafetensorsFile src(model_path("swin_tiny", "timm"));
        SafetensorsWriter w;
        for (const auto& [name, info] : src.tensors()) {
            std::vector<float> v = src.read_f32(name);
            std::vector<int64_t> shape = info.shape;
            if (name == tensor.toStdString()) {
                shape.back() -= 1;
                v.resize(size_t(shape[0] * shape[1]));
            }
            w.add(name, shape, v);
        }
        QTemporaryDir dir;
        const std::string path = dir.filePath("bad.safetensors").toStdString();
        w.write(path);
        try {
            load_model(path);
            QFAIL("loading a corrupt checkpoint did not throw");
        } catch (const FileError& e) {
            const std::string what = e.what();
            QVERIFY2(what.find(path + ": " + message.toStdString()) == 0, e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestSwinParity)
#include "test_swin_parity.moc"
