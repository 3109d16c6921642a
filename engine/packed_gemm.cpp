#include "packed_gemm.h"

#include "thread_pool.h"

#include <algorithm>
#include <cassert>

#include <unsupported/Eigen/SpecialFunctions>

#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
#include <immintrin.h>
#endif

namespace vitscope {
namespace {

// Depth of one pass over a tile: its B slice (384 x 32 floats = 48 KB) and A rows stay cache-resident
// while the accumulators live in registers (384 measured 1-3% faster than 128/256 on ViT-B shapes).
constexpr int kKc = 384;

// One tile: C[mr x nr] (+)= A[mr x kc] * Bpanel[kc x W]. `load_c`: continue a sum left in C by the
// previous depth pass; `finish`: last pass, apply alpha and bias. Only the first n_valid columns exist.
struct TileArgs {
    int kc;
    const float* a;
    std::ptrdiff_t lda;
    const float* b;  // packed panel slice, kc x W
    float* c;
    std::ptrdiff_t ldc;
    int n_valid;
    bool load_c, finish;
    const float* bias;  // the panel's first column, or null
    float alpha;
};

#if defined(__AVX512F__)

constexpr int kNr = 32, kMr = 12;

template <int MR>
void tile(const TileArgs& t) {
    const __mmask16 m0 = t.n_valid >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << t.n_valid) - 1u);
    const __mmask16 m1 = t.n_valid >= 32 ? __mmask16(0xFFFF)
                         : t.n_valid > 16 ? __mmask16((1u << (t.n_valid - 16)) - 1u) : __mmask16(0);
    __m512 c0[MR], c1[MR];
    if (t.load_c) {
        for (int i = 0; i < MR; ++i) {
            c0[i] = _mm512_maskz_loadu_ps(m0, t.c + i * t.ldc);
            c1[i] = _mm512_maskz_loadu_ps(m1, t.c + i * t.ldc + 16);
        }
    }
    const float* a = t.a;
    const float* b = t.b;
    int k = 0;
    if (!t.load_c) {  // the first step initialises the accumulators (no zeroing pass; a*b == 0 + a*b)
        const __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
        for (int i = 0; i < MR; ++i) {
            const __m512 ai = _mm512_set1_ps(a[i * t.lda]);
            c0[i] = _mm512_mul_ps(ai, b0);
            c1[i] = _mm512_mul_ps(ai, b1);
        }
        k = 1;
        b += kNr;
    }
    for (; k < t.kc; ++k, b += kNr) {
        const __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
        for (int i = 0; i < MR; ++i) {
            const __m512 ai = _mm512_set1_ps(a[i * t.lda + k]);
            c0[i] = _mm512_fmadd_ps(ai, b0, c0[i]);
            c1[i] = _mm512_fmadd_ps(ai, b1, c1[i]);
        }
    }
    if (t.finish) {
        if (t.alpha != 1.0f) {
            const __m512 al = _mm512_set1_ps(t.alpha);
            for (int i = 0; i < MR; ++i) {
                c0[i] = _mm512_mul_ps(c0[i], al);
                c1[i] = _mm512_mul_ps(c1[i], al);
            }
        }
        if (t.bias) {
            const __m512 bb0 = _mm512_maskz_loadu_ps(m0, t.bias), bb1 = _mm512_maskz_loadu_ps(m1, t.bias + 16);
            for (int i = 0; i < MR; ++i) {
                c0[i] = _mm512_add_ps(c0[i], bb0);
                c1[i] = _mm512_add_ps(c1[i], bb1);
            }
        }
    }
    for (int i = 0; i < MR; ++i) {
        _mm512_mask_storeu_ps(t.c + i * t.ldc, m0, c0[i]);
        _mm512_mask_storeu_ps(t.c + i * t.ldc + 16, m1, c1[i]);
    }
}

#elif defined(__AVX2__) && defined(__FMA__)

constexpr int kNr = 16, kMr = 6;

inline __m256i lane_mask(int valid) {  // lanes < valid set
    const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(valid), idx);
}

template <int MR>
void tile(const TileArgs& t) {
    const __m256i m0 = lane_mask(std::min(t.n_valid, 8)), m1 = lane_mask(std::max(t.n_valid - 8, 0));
    __m256 c0[MR], c1[MR];
    if (t.load_c) {
        for (int i = 0; i < MR; ++i) {
            c0[i] = _mm256_maskload_ps(t.c + i * t.ldc, m0);
            c1[i] = _mm256_maskload_ps(t.c + i * t.ldc + 8, m1);
        }
    }
    const float* a = t.a;
    const float* b = t.b;
    int k = 0;
    if (!t.load_c) {  // the first step initialises the accumulators (no zeroing pass; a*b == 0 + a*b)
        const __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
        for (int i = 0; i < MR; ++i) {
            const __m256 ai = _mm256_broadcast_ss(a + i * t.lda);
            c0[i] = _mm256_mul_ps(ai, b0);
            c1[i] = _mm256_mul_ps(ai, b1);
        }
        k = 1;
        b += kNr;
    }
    for (; k < t.kc; ++k, b += kNr) {
        const __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
        for (int i = 0; i < MR; ++i) {
            const __m256 ai = _mm256_broadcast_ss(a + i * t.lda + k);
            c0[i] = _mm256_fmadd_ps(ai, b0, c0[i]);
            c1[i] = _mm256_fmadd_ps(ai, b1, c1[i]);
        }
    }
    if (t.finish) {
        if (t.alpha != 1.0f) {
            const __m256 al = _mm256_set1_ps(t.alpha);
            for (int i = 0; i < MR; ++i) {
                c0[i] = _mm256_mul_ps(c0[i], al);
                c1[i] = _mm256_mul_ps(c1[i], al);
            }
        }
        if (t.bias) {
            const __m256 bb0 = _mm256_maskload_ps(t.bias, m0), bb1 = _mm256_maskload_ps(t.bias + 8, m1);
            for (int i = 0; i < MR; ++i) {
                c0[i] = _mm256_add_ps(c0[i], bb0);
                c1[i] = _mm256_add_ps(c1[i], bb1);
            }
        }
    }
    for (int i = 0; i < MR; ++i) {
        _mm256_maskstore_ps(t.c + i * t.ldc, m0, c0[i]);
        _mm256_maskstore_ps(t.c + i * t.ldc + 8, m1, c1[i]);
    }
}

#else

constexpr int kNr = 16, kMr = 4;

template <int MR>
void tile(const TileArgs& t) {
    float acc[MR][kNr];
    for (int i = 0; i < MR; ++i)
        for (int j = 0; j < kNr; ++j) acc[i][j] = (t.load_c && j < t.n_valid) ? t.c[i * t.ldc + j] : 0.0f;
    for (int k = 0; k < t.kc; ++k) {
        const float* b = t.b + std::ptrdiff_t(k) * kNr;
        for (int i = 0; i < MR; ++i) {
            const float ai = t.a[i * t.lda + k];
            for (int j = 0; j < kNr; ++j) acc[i][j] += ai * b[j];
        }
    }
    for (int i = 0; i < MR; ++i)
        for (int j = 0; j < t.n_valid; ++j) {
            float v = acc[i][j];
            if (t.finish) {
                v *= t.alpha;
                if (t.bias) v += t.bias[j];
            }
            t.c[i * t.ldc + j] = v;
        }
}

#endif

// tile<mr> for a run-time mr in [1, MR].
template <int MR>
void run_tile(int mr, const TileArgs& t) {
    if (mr == MR) tile<MR>(t);
    else if constexpr (MR > 1) run_tile<MR - 1>(mr, t);
}

// Exact GELU, 0.5 x (1 + erf(x / sqrt 2)), on a block just written (still in cache). Eigen's
// vectorised erf is within 3e-7 of std::erf.
void gelu_tile(float* c, std::ptrdiff_t ldc, int rows, int cols) {
    for (int i = 0; i < rows; ++i) {
        auto v = Eigen::Map<Eigen::ArrayXf>(c + i * ldc, cols);
        v = 0.5f * v * (1.0f + (v * 0.70710678118654752440f).erf());
    }
}

// Rows [r0, r1) of C against panel p, over the whole depth.
void run_block(int r0, int r1, int p, const float* a, std::ptrdiff_t lda, const PackedMatrix& b, float* c,
               std::ptrdiff_t ldc, const GemmOptions& o) {
    assert((!o.accumulate || o.alpha == 1.0f) && "gemm_packed: accumulate needs alpha == 1");
    const int K = b.rows();
    const int col0 = p * kNr;
    const int n_valid = std::min(kNr, b.cols() - col0);
    const float* bias = o.bias ? o.bias + col0 : nullptr;
    if (K == 0) {  // an empty sum
        for (int r = r0; r < r1; ++r)
            for (int j = 0; j < n_valid; ++j) {
                float& out = c[r * ldc + col0 + j];
                out = (o.accumulate ? out : 0.0f) + (bias ? bias[j] : 0.0f);
            }
    }
    const float* panel = b.panel(p);
    for (int k0 = 0; k0 < K; k0 += kKc) {
        const int kc = std::min(kKc, K - k0);
        for (int i0 = r0; i0 < r1; i0 += kMr) {
            const int mr = std::min(kMr, r1 - i0);
            TileArgs t{kc, a + i0 * lda + k0, lda, panel + std::ptrdiff_t(k0) * kNr, c + i0 * ldc + col0, ldc,
                       n_valid, k0 > 0 || o.accumulate, k0 + kc >= K, bias, o.alpha};
            run_tile<kMr>(mr, t);
        }
    }
    if (o.gelu) gelu_tile(c + r0 * ldc + col0, ldc, r1 - r0, n_valid);
}

}  // namespace

int packed_panel_width() { return kNr; }

void PackedMatrix::pack(const float* src, int rows, int cols, std::ptrdiff_t row_stride, std::ptrdiff_t col_stride) {
    assert(rows >= 0 && cols >= 0);
    rows_ = rows;
    cols_ = cols;
    panels_ = (cols + kNr - 1) / kNr;
    data_.resize(std::size_t(panels_) * std::size_t(rows) * kNr);
    for (int p = 0; p < panels_; ++p) {
        float* dst = data_.data() + std::size_t(p) * std::size_t(rows) * kNr;
        const int c0 = p * kNr, n = std::min(kNr, cols - c0);
        for (int r = 0; r < rows; ++r, dst += kNr) {
            const float* s = src + r * row_stride + c0 * col_stride;
            int j = 0;
            if (col_stride == 1)
                for (; j < n; ++j) dst[j] = s[j];
            else
                for (; j < n; ++j) dst[j] = s[j * col_stride];
            for (; j < kNr; ++j) dst[j] = 0.0f;
        }
    }
}

Matrix PackedMatrix::unpack() const {
    Matrix m(rows_, cols_);
    for (int p = 0; p < panels_; ++p) {
        const float* s = panel(p);
        const int c0 = p * kNr, n = std::min(kNr, cols_ - c0);
        for (int r = 0; r < rows_; ++r)
            for (int j = 0; j < n; ++j) m(r, c0 + j) = s[std::size_t(r) * kNr + j];
    }
    return m;
}

void gemm_packed(int m, const float* a, std::ptrdiff_t lda, const PackedMatrix& b, float* c, std::ptrdiff_t ldc,
                 const GemmOptions& options) {
    for (int p = 0; p < b.panels(); ++p) run_block(0, m, p, a, lda, b, c, ldc, options);
}

void gemm_packed_parallel(int m, const float* a, std::ptrdiff_t lda, const PackedMatrix& b, float* c,
                          std::ptrdiff_t ldc, const GemmOptions& options) {
    const double flops = 2.0 * m * double(b.rows()) * double(b.cols());
    if (engine_threads() <= 1 || flops < 1e6 || m <= 0) {
        gemm_packed(m, a, lda, b, c, ldc, options);
        return;
    }
    // Work items: (row chunk of about 8 tiles, panel), panel by panel, so the threads claiming the
    // next items mostly share a panel that is already in cache.
    int chunks = std::max(1, (m + 8 * kMr - 1) / (8 * kMr));
    const int chunk_rows = ((m + chunks - 1) / chunks + kMr - 1) / kMr * kMr;
    chunks = (m + chunk_rows - 1) / chunk_rows;
    parallel_for(chunks * b.panels(), [&](int item, int) {
        const int p = item / chunks, r0 = (item % chunks) * chunk_rows;
        run_block(r0, std::min(m, r0 + chunk_rows), p, a, lda, b, c, ldc, options);
    });
}

}  // namespace vitscope
