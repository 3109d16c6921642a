// Figure math without GL: colormap tables, normalisation modes, ticks, entropy, rows and layout.
#include "attention_stats.h"
#include "colormap.h"
#include "attention_map_figure.h"
#include "heatmap_figure.h"
#include "normalization.h"

#include <QtTest>
#include <cmath>

using namespace vitscope;

class TestFigureMath : public QObject {
    Q_OBJECT
private slots:
    void colormap_endpoints_data() {
        QTest::addColumn<int>("map");
        QTest::addColumn<uint>("lo");
        QTest::addColumn<uint>("mid");  // the anchor at t = 0.5
        QTest::addColumn<uint>("hi");
        QTest::newRow("viridis") << int(Colormap::Viridis) << 0x440154u << 0x21908Cu << 0xFDE725u;
        QTest::newRow("inferno") << int(Colormap::Inferno) << 0x000004u << 0xBA3655u << 0xFCFFA4u;
        QTest::newRow("magma") << int(Colormap::Magma) << 0x000004u << 0xB5367Au << 0xFCFDBFu;
        QTest::newRow("grey") << int(Colormap::Grey) << 0x000000u << 0x808080u << 0xFFFFFFu;
    }
    void colormap_endpoints() {
        QFETCH(int, map);
        QFETCH(uint, lo);
        QFETCH(uint, mid);
        QFETCH(uint, hi);
        auto rgb = [](uint v) { return Rgb8{uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)}; };
        const Colormap c = Colormap(map);
        QVERIFY(colormap_table(c)[0] == rgb(lo));
        QVERIFY(colormap_table(c)[255] == rgb(hi));
        QVERIFY(colormap_continuous(c, 0.5f) == rgb(mid));
        QVERIFY(colormap_lookup(c, 0.0f) == rgb(lo));
        QVERIFY(colormap_lookup(c, 1.0f) == rgb(hi));
        QVERIFY(colormap_lookup(c, 7.0f) == rgb(hi));   // clamped
        QVERIFY(colormap_lookup(c, -1.0f) == rgb(lo));  // clamped
    }
    void colormap_midpoint_entry() {
        // Entry 128 is t = 128/255, just past the 0.5 anchor: 1.57% of the way to #27AD81.
        const Rgb8 e = colormap_table(Colormap::Viridis)[128];
        QCOMPARE(int(e.r), 33);
        QCOMPARE(int(e.g), 144);
        QCOMPARE(int(e.b), 140);
        QCOMPARE(colormap_index(0.5f), 128);
        QCOMPARE(colormap_index(0.25f), 64);
        QCOMPARE(int(colormap_table(Colormap::Grey)[64].r), 64);
        // Anchors at t = k/8 are exact in the continuous map.
        const Rgb8 a = colormap_continuous(Colormap::Inferno, 0.25f);
        QCOMPARE(int(a.r), 0x55);
        QCOMPARE(int(a.g), 0x0F);
        QCOMPARE(int(a.b), 0x6D);
    }
    void colormap_names() {
        Colormap c;
        QVERIFY(parse_colormap("magma", c));
        QCOMPARE(int(c), int(Colormap::Magma));
        QVERIFY(!parse_colormap("jet", c));
    }
    void normalize_linear() {
        const std::vector<float> v{0.1f, 0.3f, 0.5f};
        const ValueRange r = range_of(v);
        QCOMPARE(r.lo, 0.1f);
        QCOMPARE(r.hi, 0.5f);
        QCOMPARE(normalize_value(0.1f, r, false), 0.0f);
        QCOMPARE(normalize_value(0.5f, r, false), 1.0f);
        QVERIFY(std::fabs(normalize_value(0.3f, r, false) - 0.5f) < 1e-6f);
        QCOMPARE(normalize_value(0.9f, r, false), 1.0f);  // clamped
        // A flat map still has hi > lo.
        const std::vector<float> flat{0.2f, 0.2f};
        QVERIFY(range_of(flat).hi > range_of(flat).lo);
    }
    void normalize_log() {
        const ValueRange r = effective_range({0.0f, 1.0f}, true);
        QVERIFY(std::fabs(r.lo - 1e-4f) < 1e-9f);  // 4 decades below the top
        QCOMPARE(r.hi, 1.0f);
        QVERIFY(std::fabs(normalize_value(1e-2f, r, true) - 0.5f) < 1e-5f);
        QCOMPARE(normalize_value(0.0f, r, true), 0.0f);  // exact zeros (masked) go to the bottom
        QCOMPARE(normalize_value(1.0f, r, true), 1.0f);
        const auto ticks = colorbar_ticks(r, true);
        QCOMPARE(ticks.front().t, 0.0f);
        QCOMPARE(ticks.back().t, 1.0f);
        QCOMPARE(int(ticks.size()), 5);  // 1e-4, 1e-3, 1e-2, 1e-1, 1
        QCOMPARE(QString::fromStdString(ticks[2].label), QString("0.01"));
    }
    void linear_ticks() {
        const auto t = colorbar_ticks({0.0f, 0.2f}, false, 5);
        QCOMPARE(int(t.size()), 5);
        QCOMPARE(QString::fromStdString(t[2].label), QString("0.1"));
        QCOMPARE(t[4].value, 0.2f);
    }
    void entropy_and_peak() {
        const std::vector<float> uniform(8, 0.125f);
        QVERIFY(std::fabs(attention_entropy(uniform) - std::log(8.0)) < 1e-6);
        const std::vector<float> onehot{0, 0, 1, 0};
        QCOMPARE(attention_entropy(onehot), 0.0);
        const RowPeak p = attention_peak(onehot);
        QCOMPARE(p.index, 2);
        QCOMPARE(p.value, 1.0f);
        const auto m = mean_of_heads({{1, 0}, {0, 1}});
        QCOMPARE(m[0], 0.5f);
        QCOMPARE(m[1], 0.5f);
    }

    // A hand-made trace: 2 layers, 2 heads, CLS + a 2x2 grid.
    static ViTTrace small_trace() {
        ViTTrace t;
        t.num_heads = 2;
        t.num_tokens = 5;
        t.num_prefix = 1;
        t.grid_height = t.grid_width = 2;
        t.prefix_names = {"CLS"};
        t.padding_key.assign(5, 0);
        t.layers.resize(2);
        for (int l = 0; l < 2; ++l) {
            t.layers[size_t(l)].attn.assign(2 * 5 * 5, 0.0f);
            for (int h = 0; h < 2; ++h)
                for (int q = 0; q < 5; ++q) {
                    // query q: key (q + h + l) % 5 gets 0.6, the rest 0.1
                    for (int k = 0; k < 5; ++k)
                        t.layers[size_t(l)].attn[size_t((h * 5 + q) * 5 + k)] = k == (q + h + l) % 5 ? 0.6f : 0.1f;
                }
        }
        return t;
    }
    void rows_and_ranges() {
        const ViTTrace t = small_trace();
        const auto r = query_row(t, 0, 1, 0);  // head 1, CLS: key 1 = 0.6
        QCOMPARE(r[1], 0.6f);
        QCOMPARE(r[0], 0.1f);
        const auto m = query_row(t, 0, kMeanOfHeads, 0);  // keys 0 and 1 each 0.35
        QVERIFY(std::fabs(m[0] - 0.35f) < 1e-6f && std::fabs(m[1] - 0.35f) < 1e-6f);
        // Per map: head 0 CLS row over patch keys is all 0.1 -> flat range at 0.1.
        QVERIFY(std::fabs(attention_map_range(AttentionSource(t, 16), Normalization::PerMap, 0, 0, 0).lo - 0.1f) < 1e-6f);
        const ValueRange layer = attention_map_range(AttentionSource(t, 16), Normalization::PerLayer, 0, 0, 0);
        QCOMPARE(layer.lo, 0.1f);
        QCOMPARE(layer.hi, 0.6f);
        QCOMPARE(attention_map_range(AttentionSource(t, 16), Normalization::RawFixed, 0, 0, 0), (ValueRange{0.0f, 1.0f}));
        QCOMPARE(attention_map_range(AttentionSource(t, 16), Normalization::Global, 1, 0, 0).hi, 0.6f);
    }
    void figure_and_hit_test() {
        ViTTrace t = small_trace();
        t.options.masked_keys = {3};
        FigureStyle s;
        const HeatmapFigure f = attention_map_figure(AttentionSource(t, 16), 0, 1, 2, s);  // query = patch 1
        QCOMPARE(f.grid_w, 2);
        QCOMPARE(f.num_cells(), 4);
        QCOMPARE(int(f.side_values.size()), 1);
        QCOMPARE(QString::fromStdString(f.side_labels[0]), QString("CLS"));
        QVERIFY(f.cell_flags[1] & kCellOutline);
        QVERIFY(f.cell_flags[2] & kCellMasked);
        const HeatmapLayout l = layout_heatmap(f, {0, 0, 400, 300});
        float x, y;
        cell_center(f, l, HitResult::Patch, 3, x, y);
        const HitResult h = hit_test(f, l, x, y);
        QCOMPARE(int(h.kind), int(HitResult::Patch));
        QCOMPARE(h.index, 3);
        QCOMPARE(h.row, 1);
        QCOMPARE(h.col, 1);
        cell_center(f, l, HitResult::Side, 0, x, y);
        QCOMPARE(int(hit_test(f, l, x, y).kind), int(HitResult::Side));
        QVERIFY(l.side.x + l.side.w <= l.grid.x);                 // the special tokens sit left of the grid
        QVERIFY(l.colorbar.x >= l.grid.x + l.grid.w);             // the colorbar right of it
        const HeatmapFigure mf = matrix_figure(t, 0, 0, 2, s);
        QCOMPARE(mf.num_cells(), 25);
        QVERIFY(mf.cell_flags[2 * 5 + 0] & kCellHighlight);
        QVERIFY(mf.cell_flags[0 * 5 + 3] & kCellMasked);
    }
};

QTEST_APPLESS_MAIN(TestFigureMath)
#include "test_figure_math.moc"
