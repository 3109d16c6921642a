// The engine's per-row helpers of attention: softmax_row_inplace (nn_ops.h) against a double-precision
// softmax on every row length around the vector width, and copy_streaming (streaming_copy.h) on every
// alignment and length around it.
#include "nn_ops.h"
#include "streaming_copy.h"
#include "tensor_types.h"

#include <QtTest/QtTest>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

using namespace vitscope;

class TestRowKernels : public QObject {
    Q_OBJECT
private slots:
    void softmax_matches_double_on_every_length() {
        std::mt19937 rng(11);
        std::uniform_real_distribution<float> u(-30.0f, 30.0f);
        const float neg_inf = -std::numeric_limits<float>::infinity();
        for (int n = 1; n <= 70; ++n) {
            std::vector<float> row(size_t(n) + 3, 7.0f);  // 3 guard entries after the row
            for (int j = 0; j < n; ++j) row[size_t(j)] = (j % 5 == 2 && n > 1) ? neg_inf : u(rng);
            if (n > 1) row[0] = u(rng);  // at least one finite entry
            std::vector<double> want(static_cast<size_t>(n));
            double m = -INFINITY, sum = 0;
            for (int j = 0; j < n; ++j) m = std::max(m, double(row[size_t(j)]));
            for (int j = 0; j < n; ++j) sum += want[size_t(j)] = std::exp(double(row[size_t(j)]) - m);
            QVERIFY(softmax_row_inplace(row.data(), n));
            double total = 0;
            for (int j = 0; j < n; ++j) {
                const float got = row[size_t(j)];
                QVERIFY2(std::fabs(got - want[size_t(j)] / sum) < 1e-6, qPrintable(QString("n %1 j %2").arg(n).arg(j)));
                if (j % 5 == 2 && n > 1 && j > 0) QCOMPARE(got, 0.0f);  // masked keys are exactly 0
                total += got;
            }
            QVERIFY(std::fabs(total - 1.0) < 1e-5);
            for (int j = n; j < n + 3; ++j) QCOMPARE(row[size_t(j)], 7.0f);  // nothing written past the row
        }
    }

    void softmax_of_a_fully_masked_row_is_zero() {
        for (int n : {1, 16, 17, 197}) {
            std::vector<float> row(size_t(n), -std::numeric_limits<float>::infinity());
            QVERIFY(!softmax_row_inplace(row.data(), n));
            for (float v : row) QCOMPARE(v, 0.0f);
        }
    }

    void streaming_copy_on_every_alignment_and_length() {
        FloatBuffer src(200), dst(200);  // 64-byte aligned
        for (size_t i = 0; i < src.size(); ++i) src[i] = float(i) + 0.5f;
        for (int offset = 0; offset < 17; ++offset)
            for (int count = 0; count <= 70; ++count) {
                std::fill(dst.begin(), dst.end(), -1.0f);
                copy_streaming(src.data() + 3, size_t(count), dst.data() + offset);
                for (int i = 0; i < 200; ++i) {
                    const float want = i >= offset && i < offset + count ? src[size_t(i - offset + 3)] : -1.0f;
                    QVERIFY2(dst[size_t(i)] == want, qPrintable(QString("offset %1 count %2 i %3").arg(offset).arg(count).arg(i)));
                }
            }
    }
};

QTEST_APPLESS_MAIN(TestRowKernels)
#include "test_row_kernels.moc"
