// Swin window geometry alone: identities (reverse(partition(x)) == x, roll(-s)(roll(s)(x)) == x),
// the relative position index, region map and -100 mask against torchvision's, and the mapping
// between window slots, map tokens and pixels.
#include "test_support.h"
#include "swin_geometry.h"

#include <algorithm>
#include <cstdio>
#include <tuple>

using namespace vitscope;
using vitscope::test::data_path;

namespace {

Matrix random_map(int h, int w, int c, unsigned seed) {
    std::srand(seed);
    return Matrix::Random(Eigen::Index(h) * w, c);
}

std::vector<float> as_floats(const std::vector<int>& v) { return std::vector<float>(v.begin(), v.end()); }

}  // namespace

class TestSwinGeometry : public QObject {
    Q_OBJECT

private slots:
    void partition_reverse_identity() {
        const Matrix x = random_map(12, 18, 5, 1);
        const Matrix w = window_partition(x, 12, 18, 6);
        QCOMPARE(w.rows(), Eigen::Index(6 * 36));
        QVERIFY(window_reverse(w, 12, 18, 6) == x);
        // Window 1 (top row, second window) starts at map (0, 6); its position 7 is map (1, 7).
        QVERIFY(w.row(36 + 7) == x.row(1 * 18 + 7));
    }

    void roll_identity() {
        const Matrix x = random_map(9, 7, 3, 2);
        for (int s : {1, 3, 4, 8}) {
            QVERIFY(cyclic_roll(cyclic_roll(x, 9, 7, -s, -s), 9, 7, s, s) == x);
            QVERIFY(cyclic_roll(cyclic_roll(x, 9, 7, s, 2 * s), 9, 7, -s, -2 * s) == x);
        }
        // torch.roll semantics: out[(y + s) mod H] = x[y].
        const Matrix r = cyclic_roll(x, 9, 7, -2, -3);
        QVERIFY(r.row(0) == x.row(2 * 7 + 3));
        QVERIFY(r.row(8 * 7 + 6) == x.row(((8 + 2) % 9) * 7 + (6 + 3) % 7));
    }

    void token_index_is_pad_roll_partition() {
        for (auto [h, w, M, shifted] : {std::tuple{10, 12, 3, true}, {14, 14, 7, true}, {5, 6, 3, true},
                                        {18, 18, 7, true}, {7, 7, 7, true}, {9, 13, 4, false}}) {
            const SwinWindowGeometry g = swin_window_geometry(h, w, M, shifted);
            const Matrix x = random_map(h, w, 4, unsigned(h * 100 + w)).array() + 2.0f;  // no zeros
            const Matrix expected = window_partition(
                cyclic_roll(pad_bottom_right(x, h, w, g.padded_height, g.padded_width), g.padded_height,
                            g.padded_width, -g.shift, -g.shift),
                g.padded_height, g.padded_width, g.window);
            const std::vector<int> idx = window_token_index(g);
            QCOMPARE(idx.size(), size_t(expected.rows()));
            for (size_t r = 0; r < idx.size(); ++r) {
                if (idx[r] < 0) QVERIFY(expected.row(Eigen::Index(r)).isZero());
                else QVERIFY(expected.row(Eigen::Index(r)) == x.row(idx[r]));
            }
            // Every map token appears exactly once; slot <-> map round trips.
            std::vector<int> seen(size_t(h) * w, 0);
            for (int t : idx)
                if (t >= 0) ++seen[size_t(t)];
            QVERIFY(std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; }));
            for (int y = 0; y < h; ++y)
                for (int xx = 0; xx < w; ++xx) {
                    int win = -1, pos = -1, yy = -1, xb = -1;
                    map_to_window_slot(g, y, xx, win, pos);
                    QVERIFY(window_slot_to_map(g, win, pos, yy, xb));
                    QCOMPARE(yy, y);
                    QCOMPARE(xb, xx);
                    QCOMPARE(idx[size_t(win) * g.window_tokens() + pos], y * w + xx);
                }
        }
    }

    void window_size_and_shift_rules() {
        SwinWindowGeometry g = swin_window_geometry(14, 14, 7, true);
        QCOMPARE(g.window, 7);
        QCOMPARE(g.shift, 3);
        g = swin_window_geometry(7, 7, 7, true);  // the map fits one window: no shift
        QCOMPARE(g.window, 7);
        QCOMPARE(g.shift, 0);
        g = swin_window_geometry(5, 9, 7, true);  // smaller than the window: window = min(H, W)
        QCOMPARE(g.window, 5);
        QCOMPARE(g.shift, 0);
        QCOMPARE(g.padded_height, 5);
        QCOMPARE(g.padded_width, 10);
        g = swin_window_geometry(18, 18, 7, true);  // padding
        QCOMPARE(g.padded_height, 21);
        QCOMPARE(g.num_windows(), 9);
    }

    void relative_position_index_matches_buffer() {
        // The Microsoft-naming fixture carries the registered buffer (as F32).
        SafetensorsFile f(data_path("swin/swin_tiny_ms.safetensors"));
        QCOMPARE(f.info("layers.0.blocks.0.attn.relative_position_index").shape, (std::vector<int64_t>{49, 49}));
        QCOMPARE(as_floats(relative_position_index(7)), f.read_f32("layers.0.blocks.0.attn.relative_position_index"));
        // A smaller window reads the centre of a larger table.
        const std::vector<int> small = relative_position_index(3, 7);
        QCOMPARE(small[0], (0 + 6) * 13 + (0 + 6));                // same position
        QCOMPARE(small[0 * 9 + 8], (-2 + 6) * 13 + (-2 + 6));      // query (0,0), key (2,2)
    }

    void region_ids_and_mask_match_torchvision_data() {
        QTest::addColumn<QString>("fixture");
        QTest::addColumn<QString>("block");
        QTest::newRow("swin_tiny 0.1") << "swin_tiny" << "0.1";
        QTest::newRow("swin_pad 0.1") << "swin_pad" << "0.1";
        QTest::newRow("swin_pad 1.1") << "swin_pad" << "1.1";
    }

    void region_ids_and_mask_match_torchvision() {
        QFETCH(QString, fixture);
        QFETCH(QString, block);
        SafetensorsFile ref(data_path("swin/" + fixture.toStdString() + "_expected.safetensors"));
        const std::string b = block.toStdString();
        // metadata geometry.S.B = "M,shift,Hp,Wp"
        int M = 0, s = 0, hp = 0, wp = 0;
        QCOMPARE(std::sscanf(ref.metadata().at("geometry." + b).c_str(), "%d,%d,%d,%d", &M, &s, &hp, &wp), 4);
        QVERIFY(s > 0);
        QCOMPARE(ref.info("regions." + b).shape, (std::vector<int64_t>{hp, wp}));
        QCOMPARE(as_floats(shift_region_ids(hp, wp, M, s)), ref.read_f32("regions." + b));
        const std::vector<float> mask = shift_attention_mask(hp, wp, M, s);
        QCOMPARE(ref.info("mask." + b).shape, (std::vector<int64_t>{(hp / M) * (wp / M), M * M, M * M}));
        QCOMPARE(mask, ref.read_f32("mask." + b));
        QVERIFY(std::all_of(mask.begin(), mask.end(), [](float v) { return v == 0.0f || v == -100.0f; }));
    }
};

QTEST_APPLESS_MAIN(TestSwinGeometry)
#include "test_swin_geometry.moc"
