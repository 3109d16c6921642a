// The shifted-window scheme taken apart (engine/swin_explained.h), checked against the engine's own
// forward pass on the tiny Swin fixtures: the rolled map's regions are the engine's region map, the
// reverse roll restores every token, the three logit terms give the engine's probabilities, the bias
// view is the table gathered through the relative position index, and attention crosses regions
// only when the shift mask is off.
#include "model_loader.h"
#include "safetensors.h"
#include "swin_explained.h"
#include "test_support.h"

#include <QtTest>

#include <cmath>

using namespace vitscope;
using test::data_path;

namespace {

struct Run {
    SwinModel model;
    SwinTrace trace;
};

Run run(const std::string& fixture, const AttentionOptions& o, const SwinOptions& so = {}) {
    SafetensorsFile ref(data_path("swin/" + fixture + "_expected.safetensors"));
    const auto& shape = ref.info("input").shape;
    const ModelInput in = model_input_from_tensor(ref.read_f32("input"), int(shape[1]), int(shape[2]), 4);
    LoadedModel m = load_model(data_path("swin/" + fixture + "_hf"));
    Run r{*m.swin, {}};
    swin_forward(r.model, in, o, so, r.trace);
    return r;
}

int first_shifted_block(const SwinTrace& t) {
    for (size_t b = 0; b < t.blocks.size(); ++b)
        if (t.blocks[b].geometry.shifted()) return int(b);
    return -1;
}

}  // namespace

class TestSwinExplained : public QObject {
    Q_OBJECT
private slots:
    void shift_steps_match_the_engine_data() {
        QTest::addColumn<QString>("fixture");
        QTest::newRow("56x56") << "swin_tiny";
        QTest::newRow("40x48 padded") << "swin_pad";
    }
    void shift_steps_match_the_engine() {
        QFETCH(QString, fixture);
        const Run r = run(fixture.toStdString(), {});
        const int b = first_shifted_block(r.trace);
        QVERIFY(b >= 0);
        const SwinBlockTrace& bt = r.trace.blocks[size_t(b)];
        const SwinWindowGeometry& g = bt.geometry;
        const SwinShiftState rolled = swin_shift_state(g, SwinShiftStep::Rolled);
        // After the roll every cell's region id is the engine's region map (which lives on the rolled map).
        QCOMPARE(rolled.region.size(), bt.region_ids.size());
        for (size_t c = 0; c < rolled.region.size(); ++c) QCOMPARE(rolled.region[c], bt.region_ids[c]);
        // The regular partition of the rolled map puts each token in the window the engine gives it.
        const SwinShiftState parts = swin_shift_state(g, SwinShiftStep::Partitioned);
        for (int y = 0; y < g.height; ++y)
            for (int x = 0; x < g.width; ++x) {
                int w = 0, p = 0;
                map_to_window_slot(g, y, x, w, p);
                // The cell that shows token (y, x) after the roll.
                int cell = -1;
                for (size_t c = 0; c < parts.source.size(); ++c)
                    if (parts.source[c] == y * g.padded_width + x) cell = int(c);
                QVERIFY(cell >= 0);
                QCOMPARE(parts.window_of[size_t(cell)], w);
            }
        // The reverse roll restores the original order; the original shows the map unrolled.
        for (SwinShiftStep s : {SwinShiftStep::Original, SwinShiftStep::Restored}) {
            const SwinShiftState st = swin_shift_state(g, s);
            for (size_t c = 0; c < st.source.size(); ++c) QCOMPARE(st.source[c], int(c));
        }
        // The roll moved tokens: the top-left cell of the rolled map shows token (s, s).
        QCOMPARE(rolled.source[0], g.shift * g.padded_width + g.shift);
        // Regions of a block without shift are -1 everywhere.
        const SwinShiftState plain = swin_shift_state(r.trace.blocks[0].geometry, SwinShiftStep::Rolled);
        for (int id : plain.region) QCOMPARE(id, -1);
    }

    void logit_terms_sum_to_the_engine_logits() {
        AttentionOptions o;
        o.keep_logits = true;
        const Run r = run("swin_tiny", o);
        const int b = first_shifted_block(r.trace);
        const SwinBlockTrace& bt = r.trace.blocks[size_t(b)];
        const int nW = bt.geometry.num_windows(), N = bt.geometry.window_tokens();
        int checked = 0, masked_pairs = 0;
        for (int h = 0; h < bt.num_heads; ++h)
            for (int w : {0, nW - 1})
                for (int q : {0, N / 2, N - 1}) {
                    const SwinLogitTerms t = swin_logit_terms(r.trace, b, h, w, q);
                    // softmax(qk + bias + mask) == the engine's probabilities.
                    double m = -INFINITY, s = 0;
                    for (float v : t.logits) m = std::max(m, double(v));
                    for (float v : t.logits) s += std::exp(double(v) - m);
                    for (int k = 0; k < N; ++k) {
                        const double p = std::exp(double(t.logits[size_t(k)]) - m) / s;
                        QVERIFY2(std::fabs(p - double(t.softmax[size_t(k)])) < 1e-5,
                                 qPrintable(QString("h%1 w%2 q%3 k%4: %5 vs %6").arg(h).arg(w).arg(q).arg(k).arg(p).arg(t.softmax[size_t(k)])));
                        QCOMPARE(t.bias[size_t(k)], bt.bias[(size_t(h) * N + q) * N + k]);
                        masked_pairs += t.mask[size_t(k)] == -100.0f ? 1 : 0;
                    }
                    ++checked;
                }
        QVERIFY(checked > 0);
        QVERIFY(masked_pairs > 0);  // the last window holds several regions
        // Without keep_logits the terms are not available, and the message says why.
        const Run plain = run("swin_tiny", {});
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, swin_logit_terms(plain.trace, b, 0, 0, 0));
    }

    void bias_view_is_the_table_through_the_index() {
        const Run r = run("swin_tiny", {});
        const SwinBlock& blk = r.model.w.stages[0].blocks[0];
        const int M = r.trace.blocks[0].geometry.window, T = blk.window;
        const std::vector<int> rpi = relative_position_index(M, T);
        for (int h = 0; h < r.trace.blocks[0].num_heads; ++h) {
            const std::vector<float> table = swin_bias_table(blk, h);
            QCOMPARE(int(table.size()), (2 * T - 1) * (2 * T - 1));
            const std::vector<float> bias = swin_bias_matrix(blk, M, h);
            for (size_t i = 0; i < bias.size(); ++i) QCOMPARE(bias[i], table[size_t(rpi[i])]);
            // ... and equals the bias term the forward pass added.
            for (size_t i = 0; i < bias.size(); ++i)
                QCOMPARE(bias[i], r.trace.blocks[0].bias[size_t(h) * bias.size() + i]);
        }
    }

    void cross_region_attention_only_without_the_mask() {
        const Run on = run("swin_tiny", {});
        SwinOptions off_mask;
        off_mask.shift_mask = false;
        const Run off = run("swin_tiny", {}, off_mask);
        const int b = first_shifted_block(on.trace);
        for (double s : swin_cross_region_share(on.trace, b)) QVERIFY(s == 0.0);  // exactly
        for (double s : swin_cross_region_share(off.trace, b)) QVERIFY(s > 0.0);
        for (double s : swin_cross_region_share(off.trace, 0)) QVERIFY(s == 0.0);  // block 0 has no shift
    }
};

QTEST_APPLESS_MAIN(TestSwinExplained)
#include "test_swin_explained.moc"
