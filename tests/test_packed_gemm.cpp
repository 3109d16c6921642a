// The packed-weight matrix product (engine/packed_gemm.h) against a double-precision reference, in
// both panel layouts (wide for weights, narrow for attention's K^T and V), on shapes that exercise
// every remainder: rows not a multiple of the tile height, columns not a multiple of the panel width,
// depths across the 384-deep passes, strided and transposed packing.
#include "nn_ops.h"
#include "packed_gemm.h"
#include "thread_pool.h"

#include <QtTest/QtTest>


#include <cmath>
#include <cstdint>
#include <random>

using namespace vitscope;

Q_DECLARE_METATYPE(vitscope::PanelWidth)

namespace {

Matrix random_matrix(int rows, int cols, std::mt19937& rng) {
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    Matrix m(rows, cols);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = u(rng);
    return m;
}

// alpha * A B + bias in double precision.
Eigen::MatrixXd reference(const Matrix& a, const Matrix& b, const RowVector& bias, double alpha) {
    Eigen::MatrixXd r = alpha * (a.cast<double>() * b.cast<double>());
    if (bias.size()) r.rowwise() += bias.cast<double>();
    return r;
}

const char* name_of(PanelWidth w) { return w == PanelWidth::wide ? "wide" : "narrow"; }

double max_rel_error(const Matrix& got, const Eigen::MatrixXd& want, int depth) {
    // fp32 sums of `depth` products of numbers in [-1, 1]: error bound grows like depth * eps.
    const double scale = std::max(1, depth);
    return (got.cast<double>() - want).cwiseAbs().maxCoeff() / scale;
}

}  // namespace

class TestPackedGemm : public QObject {
    Q_OBJECT
private slots:
    void pack_and_unpack_round_trip() {
        std::mt19937 rng(1);
        for (PanelWidth width : {PanelWidth::wide, PanelWidth::narrow})
            for (int cols : {1, 15, 16, 17, 31, 32, 33, 47, 48, 49, 100}) {
                const Matrix m = random_matrix(7, cols, rng);
                const PackedMatrix p(m, width);
                const int w = packed_panel_width(width);
                QCOMPARE(p.rows(), 7);
                QCOMPARE(p.cols(), cols);
                QCOMPARE(p.panel_kind(), width);
                QCOMPARE(p.panel_width(), w);
                QCOMPARE(p.panels(), (cols + w - 1) / w);
                QCOMPARE(p.panel(1) - p.panel(0), std::ptrdiff_t(7) * w);  // panels are [rows x w], back to back
                QVERIFY(p.unpack() == m);
            }
    }

    // The layouts this build has: AVX-512 wide 48 columns in 8-row tiles and narrow 32 in 12-row
    // tiles; AVX2 16 and 6 rows for both; portable 16 and 4.
    void layouts_of_this_build() {
#if defined(__AVX512F__)
        QCOMPARE(packed_panel_width(PanelWidth::wide), 48);
        QCOMPARE(packed_tile_rows(PanelWidth::wide), 8);
        QCOMPARE(packed_panel_width(PanelWidth::narrow), 32);
        QCOMPARE(packed_tile_rows(PanelWidth::narrow), 12);
#elif defined(__AVX2__) && defined(__FMA__)
        for (PanelWidth w : {PanelWidth::wide, PanelWidth::narrow}) {
            QCOMPARE(packed_panel_width(w), 16);
            QCOMPARE(packed_tile_rows(w), 6);
        }
#else
        for (PanelWidth w : {PanelWidth::wide, PanelWidth::narrow}) {
            QCOMPARE(packed_panel_width(w), 16);
            QCOMPARE(packed_tile_rows(w), 4);
        }
#endif
        QCOMPARE(packed_panel_width(), packed_panel_width(PanelWidth::wide));  // weights are packed wide
    }

    // Large weights start on a 2 MB boundary (marked for huge pages before the first touch); small
    // ones on a cache line, as the aligned 512-bit loads of the kernel need.
    void packed_storage_is_aligned_for_huge_pages_and_vector_loads() {
        const PackedMatrix large(Matrix::Zero(1024, 1024));  // 4 MB
        QCOMPARE(reinterpret_cast<std::uintptr_t>(large.panel(0)) % (std::uintptr_t(2) << 20), std::uintptr_t(0));
        const PackedMatrix small(Matrix::Zero(3, 5));
        QCOMPARE(reinterpret_cast<std::uintptr_t>(small.panel(0)) % 64, std::uintptr_t(0));
    }

    void transposed_packing_reads_the_transpose() {
        std::mt19937 rng(2);
        const Matrix m = random_matrix(37, 9, rng);  // pack its transpose [9 x 37]
        PackedMatrix p;
        p.pack(m.data(), 9, 37, 1, 9);  // element (r, c) of m^T is m(c, r) = data[c * 9 + r]
        QVERIFY(p.unpack() == Matrix(m.transpose()));
    }

    // Transposed packing goes through 16 x 16 blocks transposed in registers (AVX-512) and element by
    // element around them: shapes with whole blocks, partial ones on either side, and a source whose
    // columns lie further apart than their length (a head's K^T inside the [N, 3D] QKV output:
    // 64 rows, 197 columns, stride 2304). Every element in its place, the panels' padding zero.
    void transposed_packing_in_blocks_data() {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::addColumn<int>("stride");
        QTest::addColumn<PanelWidth>("width");
        const int shapes[][3] = {{16, 16, 16}, {16, 16, 21}, {15, 17, 15}, {17, 15, 40}, {33, 50, 33},
                                 {64, 197, 2304}, {31, 49, 64}, {48, 96, 48}, {1, 40, 3}, {40, 1, 40}};
        for (PanelWidth width : {PanelWidth::wide, PanelWidth::narrow})
            for (const auto& s : shapes)
                QTest::addRow("%dx%d stride %d %s", s[0], s[1], s[2], width == PanelWidth::wide ? "wide" : "narrow")
                    << s[0] << s[1] << s[2] << width;
    }
    void transposed_packing_in_blocks() {
        QFETCH(int, rows);
        QFETCH(int, cols);
        QFETCH(int, stride);
        QFETCH(PanelWidth, width);
        std::mt19937 rng(uint32_t(rows * 1000 + cols));
        std::uniform_real_distribution<float> u(-1.0f, 1.0f);
        std::vector<float> src(std::size_t(cols) * std::size_t(stride));
        for (float& v : src) v = u(rng);
        PackedMatrix p;
        p.pack(src.data(), rows, cols, 1, stride, width);  // element (r, c) at src[r + c * stride]
        Matrix want(rows, cols);
        for (int r = 0; r < rows; ++r)
            for (int c = 0; c < cols; ++c) want(r, c) = src[std::size_t(r) + std::size_t(c) * std::size_t(stride)];
        QVERIFY(p.unpack() == want);
        const int w = p.panel_width(), last = cols - (p.panels() - 1) * w;
        for (int r = 0; r < rows; ++r)
            for (int j = last; j < w; ++j) QCOMPARE(p.panel(p.panels() - 1)[std::size_t(r) * w + j], 0.0f);
    }

    void matches_double_precision_on_remainder_shapes_data() {
        QTest::addColumn<int>("m");
        QTest::addColumn<int>("k");
        QTest::addColumn<int>("n");
        QTest::addColumn<PanelWidth>("width");
        for (PanelWidth width : {PanelWidth::wide, PanelWidth::narrow})
            for (int m : {1, 5, 8, 9, 12, 13, 197})
                for (int k : {1, 7, 64, 384, 385, 800})
                    for (int n : {1, 17, 32, 33, 48, 49, 100})
                        QTest::addRow("%s_m%d_k%d_n%d", name_of(width), m, k, n) << m << k << n << width;
    }
    void matches_double_precision_on_remainder_shapes() {
        QFETCH(int, m);
        QFETCH(int, k);
        QFETCH(int, n);
        QFETCH(PanelWidth, width);
        std::mt19937 rng(uint32_t(m * 1000003 + k * 1009 + n));
        const Matrix a = random_matrix(m, k, rng), b = random_matrix(k, n, rng);
        const RowVector bias = random_matrix(1, n, rng);
        const PackedMatrix pb(b, width);
        Matrix c(m, n);
        gemm_packed(m, a.data(), k, pb, c.data(), n, {.bias = bias.data(), .alpha = 0.5f});
        QVERIFY2(max_rel_error(c, reference(a, b, bias, 0.5), k) < 2e-7, "product differs from the reference");
        // Without bias and alpha.
        gemm_packed(m, a.data(), k, pb, c.data(), n);
        QVERIFY(max_rel_error(c, reference(a, b, RowVector(), 1.0), k) < 2e-7);
    }

    void strided_operands_leave_the_rest_of_c_alone() {
        std::mt19937 rng(3);
        const int m = 29, k = 300, n = 45;
        const Matrix big_a = random_matrix(m, k + 11, rng);  // A is a column block of a wider matrix
        const Matrix b = random_matrix(k, n, rng);
        Matrix big_c = Matrix::Constant(m, n + 7, 42.0f);    // C too
        gemm_packed(m, big_a.data() + 5, big_a.cols(), PackedMatrix(b), big_c.data() + 3, big_c.cols());
        const Matrix a = big_a.middleCols(5, k);
        QVERIFY(max_rel_error(big_c.middleCols(3, n), reference(a, b, RowVector(), 1.0), k) < 2e-7);
        QVERIFY((big_c.leftCols(3).array() == 42.0f).all());
        QVERIFY((big_c.rightCols(4).array() == 42.0f).all());
    }

    // Shapes with one and several row chunks, whole and partial panel groups, one and several depth
    // blocks, with and without GELU.
    void parallel_result_is_bit_identical_for_any_thread_count_data() {
        QTest::addColumn<int>("m");
        QTest::addColumn<int>("k");
        QTest::addColumn<int>("n");
        QTest::addColumn<bool>("gelu");
        QTest::addColumn<PanelWidth>("width");
        for (PanelWidth width : {PanelWidth::wide, PanelWidth::narrow}) {
            QTest::addRow("%s_vit_qkv", name_of(width)) << 197 << 768 << 2304 << false << width;
            QTest::addRow("%s_vit_fc1_gelu", name_of(width)) << 197 << 768 << 3072 << true << width;
            QTest::addRow("%s_rows_in_chunks_odd_cols", name_of(width)) << 601 << 1000 << 231 << true << width;
            QTest::addRow("%s_few_panels", name_of(width)) << 50 << 200 << 64 << false << width;
        }
    }
    void parallel_result_is_bit_identical_for_any_thread_count() {
        QFETCH(int, m);
        QFETCH(int, k);
        QFETCH(int, n);
        QFETCH(bool, gelu);
        QFETCH(PanelWidth, width);
        std::mt19937 rng(uint32_t(4 + m + k + n));
        const Matrix a = random_matrix(m, k, rng), b = random_matrix(k, n, rng);
        const RowVector bias = random_matrix(1, n, rng);
        const PackedMatrix pb(b, width);
        Matrix serial(m, n), parallel(m, n);
        gemm_packed(m, a.data(), k, pb, serial.data(), n, {.bias = bias.data(), .gelu = gelu});
        if (!gelu)
            QVERIFY(max_rel_error(serial, reference(a, b, bias, 1.0), k) < 2e-7);
        const int before = engine_threads();
        for (bool adaptive : {false, true})
            for (int threads : {1, 2, 3}) {
                set_engine_thread_adaptation(adaptive);
                set_engine_threads(threads);
                parallel.setZero();
                gemm_packed_parallel(m, a.data(), k, pb, parallel.data(), n, {.bias = bias.data(), .gelu = gelu});
                QVERIFY2(parallel == serial, qPrintable(QString("differs with %1 threads").arg(threads)));
            }
        set_engine_threads(before);
    }

    void accumulate_adds_to_what_c_holds() {
        std::mt19937 rng(6);
        const int m = 50, k = 500, n = 70;  // two depth passes: the sum in C must carry across them
        const Matrix a = random_matrix(m, k, rng), b = random_matrix(k, n, rng), c0 = random_matrix(m, n, rng);
        const RowVector bias = random_matrix(1, n, rng);
        Matrix c = c0;
        gemm_packed_parallel(m, a.data(), k, PackedMatrix(b), c.data(), n, {.bias = bias.data(), .accumulate = true});
        QVERIFY(max_rel_error(c, reference(a, b, bias, 1.0) + c0.cast<double>(), k) < 2e-7);
    }

    void gelu_is_applied_once_after_the_whole_sum() {
        std::mt19937 rng(7);
        const int m = 30, k = 800, n = 40;
        Matrix a = random_matrix(m, k, rng), b = random_matrix(k, n, rng);
        a *= 0.1f;  // results around [-3, 3], where GELU is far from linear
        const RowVector bias = random_matrix(1, n, rng);
        Matrix c(m, n);
        gemm_packed_parallel(m, a.data(), k, PackedMatrix(b), c.data(), n, {.bias = bias.data(), .gelu = true});
        Eigen::MatrixXd want = reference(a, b, bias, 1.0);
        for (Eigen::Index i = 0; i < want.size(); ++i) {
            const double v = want.data()[i];
            want.data()[i] = 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0)));
        }
        QVERIFY((c.cast<double>() - want).cwiseAbs().maxCoeff() < 1e-5);
        QVERIFY(c.minCoeff() > -0.17f);  // GELU's minimum is -0.17: the activation really ran
    }

    void linear_matches_pytorch_layout() {
        // make_linear takes PyTorch's [out, in] weight; y = x W^T + b.
        std::mt19937 rng(5);
        const int in = 70, out = 33, rows = 14;
        const Matrix w = random_matrix(out, in, rng), x = random_matrix(rows, in, rng);
        const RowVector bias = random_matrix(1, out, rng);
        const Linear l = make_linear(std::vector<float>(w.data(), w.data() + w.size()), out, in,
                                     std::vector<float>(bias.data(), bias.data() + bias.size()));
        QCOMPARE(l.in_features(), in);
        QCOMPARE(l.out_features(), out);
        Matrix y;
        linear_forward(l, x, y);
        QVERIFY(max_rel_error(y, reference(x, w.transpose(), bias, 1.0), in) < 2e-7);
        QVERIFY(l.weight.unpack() == Matrix(w.transpose()));
        Matrix residual = random_matrix(rows, out, rng), summed = residual;
        linear_forward(l, x, summed, LinearOutput::AddToOutput);
        QVERIFY(max_rel_error(summed, reference(x, w.transpose(), bias, 1.0) + residual.cast<double>(), in) < 2e-7);
    }
};

QTEST_APPLESS_MAIN(TestPackedGemm)
#include "test_packed_gemm.moc"
