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

// Depth of one pass over a tile: its A rows and B slice (384 x 48 floats = 72 KB wide, 48 KB narrow)
// come from L1/L2 while the accumulators live in registers (384 measured 1-3% faster than 128/256 on
// ViT-B shapes with 12x32 tiles; with 8x48 tiles 192-768 were within noise of it, 3072 2-3% slower).
constexpr int kKc = 384;

// Weight panels per work item of a parallel product (see gemm_packed_parallel), and the most rows
// one item takes (a ViT's 197 tokens are one row chunk, so each weight panel is read once).
constexpr int kPanelGroup = 2;
constexpr int kChunkRows = 256;

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
    // Weights the next tiles will need, brought into L2 while this one computes: one 64-byte line
    // every 8 steps from here (kc / 8 lines), or null. Prefetches never fault.
    const float* prefetch = nullptr;
};

#if defined(__AVX512F__)

// A tile is MR rows by W / 16 512-bit vectors: MR * W / 16 accumulators, W / 16 weight loads and MR
// broadcasts per depth step, in 24 of the 32 vector registers. Wide panels: 8x48 tiles (3-5% faster
// than 12x32 on ViT-B's four products, `vitscope-gemm-bench --panels wide,narrow`); narrow: 12x32
// (less padding for a head's K^T over 197 keys and its 64-column V; 6x64 tiles were slower).
constexpr int kWideWidth = 48, kNarrowWidth = 32;

template <int W>
constexpr int tile_rows() {
    static_assert(W == 32 || W == 48);
    return W == 32 ? 12 : 8;
}

template <int MR, int W>
void tile(const TileArgs& t) {
    constexpr int NV = W / 16;
    __mmask16 m[NV];
    for (int v = 0; v < NV; ++v) {
        const int valid = std::clamp(t.n_valid - 16 * v, 0, 16);
        m[v] = valid == 16 ? __mmask16(0xFFFF) : __mmask16((1u << valid) - 1u);
    }
    __m512 acc[MR][NV];
    if (t.load_c) {
        for (int i = 0; i < MR; ++i)
            for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_maskz_loadu_ps(m[v], t.c + i * t.ldc + 16 * v);
    }
    const float* a = t.a;
    const float* b = t.b;
    int k = 0;
    if (!t.load_c) {  // the first step initialises the accumulators (no zeroing pass; a*b == 0 + a*b)
        __m512 bv[NV];
        for (int v = 0; v < NV; ++v) bv[v] = _mm512_load_ps(b + 16 * v);
        for (int i = 0; i < MR; ++i) {
            const __m512 ai = _mm512_set1_ps(a[i * t.lda]);
            for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_mul_ps(ai, bv[v]);
        }
        k = 1;
    }
    // Row i is read at rb[i / 3] + (i % 3) * lda: base + index * scale + displacement, so the unrolled
    // steps need no address arithmetic (a + i * lda for each row made a chain of 12 dependent adds per
    // step, as long as the step's FMAs: 5-6% of the tile's speed).
    const std::ptrdiff_t lda = t.lda;
    const float* rb[4] = {a, MR > 3 ? a + 3 * lda : a, MR > 6 ? a + 6 * lda : a, MR > 9 ? a + 9 * lda : a};
    auto step = [&](int kk) {
        __m512 bv[NV];
        for (int v = 0; v < NV; ++v) bv[v] = _mm512_load_ps(b + kk * W + 16 * v);
        for (int i = 0; i < MR; ++i) {
            const __m512 ai = _mm512_set1_ps(rb[i / 3][(i % 3) * lda + kk]);
            for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_fmadd_ps(ai, bv[v], acc[i][v]);
        }
    };
    if (t.prefetch) {
        const char* line = reinterpret_cast<const char*>(t.prefetch);
        for (; k + 8 <= t.kc; k += 8, line += 64) {
            _mm_prefetch(line, _MM_HINT_T1);
#pragma GCC unroll 8
            for (int u = 0; u < 8; ++u) step(k + u);
        }
    }
    for (; k < t.kc; ++k) step(k);
    if (t.finish) {
        if (t.alpha != 1.0f) {
            const __m512 al = _mm512_set1_ps(t.alpha);
            for (int i = 0; i < MR; ++i)
                for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_mul_ps(acc[i][v], al);
        }
        if (t.bias)
            for (int v = 0; v < NV; ++v) {
                const __m512 bb = _mm512_maskz_loadu_ps(m[v], t.bias + 16 * v);
                for (int i = 0; i < MR; ++i) acc[i][v] = _mm512_add_ps(acc[i][v], bb);
            }
    }
    for (int i = 0; i < MR; ++i)
        for (int v = 0; v < NV; ++v) _mm512_mask_storeu_ps(t.c + i * t.ldc + 16 * v, m[v], acc[i][v]);
}

#elif defined(__AVX2__) && defined(__FMA__)

constexpr int kWideWidth = 16, kNarrowWidth = 16;

template <int W>
constexpr int tile_rows() {
    return 6;
}

inline __m256i lane_mask(int valid) {  // lanes < valid set
    const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(valid), idx);
}

template <int MR, int W>
void tile(const TileArgs& t) {
    constexpr int kNr = W;
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

constexpr int kWideWidth = 16, kNarrowWidth = 16;

template <int W>
constexpr int tile_rows() {
    return 4;
}

template <int MR, int W>
void tile(const TileArgs& t) {
    constexpr int kNr = W;
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

// tile<mr, W> for a run-time mr in [1, MR].
template <int MR, int W>
void run_tile(int mr, const TileArgs& t) {
    if (mr == MR) tile<MR, W>(t);
    else if constexpr (MR > 1) run_tile<MR - 1, W>(mr, t);
}

// Exact GELU, 0.5 x (1 + erf(x / sqrt 2)), on a block just written (still in cache). Eigen's
// vectorised erf is within 3e-7 of std::erf.
void gelu_tile(float* c, std::ptrdiff_t ldc, int rows, int cols) {
    for (int i = 0; i < rows; ++i) {
        auto v = Eigen::Map<Eigen::ArrayXf>(c + i * ldc, cols);
        v = 0.5f * v * (1.0f + (v * 0.70710678118654752440f).erf());
    }
}

// The first weights of (panel, depth block), a contiguous kc x W slice.
const float* weight_block(const PackedMatrix& b, int p, int k0) {
    return b.panel(p) + std::ptrdiff_t(k0) * b.panel_width();
}

// Rows [r0, r1) of C against panels [p0, p1), over the whole depth. Depth blocks outermost: the rows'
// slice of A for one depth block is read from cache by every panel of the group. The weights stream
// from memory (a ViT-B's are 340 MB, read once per pass), so while the tiles of one (panel, depth
// block) compute, the next block's lines are prefetched, spread over those tiles; after the last
// block, `next_item` (the first block of the work that probably follows, or null) is.
template <int W>
void run_block_of_width(int r0, int r1, int p0, int p1, const float* a, std::ptrdiff_t lda, const PackedMatrix& b,
                        float* c, std::ptrdiff_t ldc, const GemmOptions& o, const float* next_item) {
    constexpr int MR = tile_rows<W>();
    const int K = b.rows();
    if (K == 0)  // an empty sum
        for (int p = p0; p < p1; ++p) {
            const int col0 = p * W, n_valid = std::min(W, b.cols() - col0);
            for (int r = r0; r < r1; ++r)
                for (int j = 0; j < n_valid; ++j) {
                    float& out = c[r * ldc + col0 + j];
                    out = (o.accumulate ? out : 0.0f) + (o.bias ? o.bias[col0 + j] : 0.0f);
                }
        }
    const int tiles = (r1 - r0 + MR - 1) / MR;
    for (int k0 = 0; k0 < K; k0 += kKc) {
        const int kc = std::min(kKc, K - k0);
        // Each tile prefetches kc / 8 lines; together they cover the next block when there are enough.
        const int lines_per_tile = std::min((kc * W / 16 + tiles - 1) / tiles, kc / 8);
        for (int p = p0; p < p1; ++p) {
            const int col0 = p * W;
            const int n_valid = std::min(W, b.cols() - col0);
            const float* bias = o.bias ? o.bias + col0 : nullptr;
            const float* next = p + 1 < p1       ? weight_block(b, p + 1, k0)
                                : k0 + kc < K    ? weight_block(b, p0, k0 + kc)
                                                 : next_item;
            for (int i0 = r0, tile_index = 0; i0 < r1; i0 += MR, ++tile_index) {
                const int mr = std::min(MR, r1 - i0);
                const TileArgs t{kc, a + i0 * lda + k0, lda, weight_block(b, p, k0), c + i0 * ldc + col0, ldc, n_valid,
                                 k0 > 0 || o.accumulate, k0 + kc >= K, bias, o.alpha,
                                 next && lines_per_tile > 0 ? next + std::ptrdiff_t(tile_index) * lines_per_tile * 16 : nullptr};
                run_tile<MR, W>(mr, t);
            }
        }
    }
    if (o.gelu)
        for (int p = p0; p < p1; ++p) {
            const int col0 = p * W;
            gelu_tile(c + r0 * ldc + col0, ldc, r1 - r0, std::min(W, b.cols() - col0));
        }
}

void run_block(int r0, int r1, int p0, int p1, const float* a, std::ptrdiff_t lda, const PackedMatrix& b, float* c,
               std::ptrdiff_t ldc, const GemmOptions& o, const float* next_item = nullptr) {
    assert((!o.accumulate || o.alpha == 1.0f) && "gemm_packed: accumulate needs alpha == 1");
    if (b.panel_kind() == PanelWidth::wide) run_block_of_width<kWideWidth>(r0, r1, p0, p1, a, lda, b, c, ldc, o, next_item);
    else run_block_of_width<kNarrowWidth>(r0, r1, p0, p1, a, lda, b, c, ldc, o, next_item);
}

// Copies a [rows x n] block whose element (r, j) is at src[r + j * col_stride] (a transpose: each
// column contiguous) to dst[r * ldd + j]. A head's K^T and every weight at load time are packed this
// way; read element by element, each of the n columns is a different cache line for every row.
void copy_transposed(const float* src, int rows, int n, std::ptrdiff_t col_stride, float* dst, std::ptrdiff_t ldd) {
    auto by_element = [&](int r_begin, int r_end, int j_begin) {  // rows [r_begin, r_end), columns [j_begin, n)
        for (int r = r_begin; r < r_end; ++r)
            for (int j = j_begin; j < n; ++j) dst[std::ptrdiff_t(r) * ldd + j] = src[r + j * col_stride];
    };
    int r0 = 0;
#if defined(__AVX512F__)
    // 16 x 16 blocks: 16 columns loaded as vectors, transposed in registers, stored as 16 rows.
    for (; r0 + 16 <= rows; r0 += 16) {
        int j0 = 0;
        for (; j0 + 16 <= n; j0 += 16) {
            __m512 v[16], t[16];
            for (int j = 0; j < 16; ++j) v[j] = _mm512_loadu_ps(src + r0 + (j0 + j) * col_stride);
            // Pairs of columns interleaved within each 128-bit lane: t[2i] holds (v[2i], v[2i+1]) of
            // rows 4L, 4L+1, t[2i+1] of rows 4L+2, 4L+3, for lane L.
            for (int i = 0; i < 8; ++i) {
                t[2 * i] = _mm512_unpacklo_ps(v[2 * i], v[2 * i + 1]);
                t[2 * i + 1] = _mm512_unpackhi_ps(v[2 * i], v[2 * i + 1]);
            }
            // Groups of four columns: v[4g + q] holds columns 4g..4g+3 of row 4L + q, lane L.
            for (int g = 0; g < 4; ++g) {
                const __m512d lo = _mm512_castps_pd(t[4 * g]), lo2 = _mm512_castps_pd(t[4 * g + 2]);
                const __m512d hi = _mm512_castps_pd(t[4 * g + 1]), hi2 = _mm512_castps_pd(t[4 * g + 3]);
                v[4 * g + 0] = _mm512_castpd_ps(_mm512_unpacklo_pd(lo, lo2));
                v[4 * g + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(lo, lo2));
                v[4 * g + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(hi, hi2));
                v[4 * g + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(hi, hi2));
            }
            // Lanes gathered: row 4L + q is lane L of v[q], v[4 + q], v[8 + q], v[12 + q].
            for (int q = 0; q < 4; ++q) {
                const __m512 even01 = _mm512_shuffle_f32x4(v[q], v[4 + q], 0x88);  // lanes 0, 2 of each
                const __m512 odd01 = _mm512_shuffle_f32x4(v[q], v[4 + q], 0xDD);   // lanes 1, 3 of each
                const __m512 even23 = _mm512_shuffle_f32x4(v[8 + q], v[12 + q], 0x88);
                const __m512 odd23 = _mm512_shuffle_f32x4(v[8 + q], v[12 + q], 0xDD);
                float* d = dst + std::ptrdiff_t(r0 + q) * ldd + j0;
                _mm512_storeu_ps(d + 0 * ldd, _mm512_shuffle_f32x4(even01, even23, 0x88));   // row 4*0 + q
                _mm512_storeu_ps(d + 4 * ldd, _mm512_shuffle_f32x4(odd01, odd23, 0x88));     // row 4*1 + q
                _mm512_storeu_ps(d + 8 * ldd, _mm512_shuffle_f32x4(even01, even23, 0xDD));   // row 4*2 + q
                _mm512_storeu_ps(d + 12 * ldd, _mm512_shuffle_f32x4(odd01, odd23, 0xDD));    // row 4*3 + q
            }
        }
        by_element(r0, r0 + 16, j0);
    }
#endif
    by_element(r0, rows, 0);
}

}  // namespace

int packed_panel_width(PanelWidth width) { return width == PanelWidth::wide ? kWideWidth : kNarrowWidth; }

int packed_tile_rows(PanelWidth width) {
    return width == PanelWidth::wide ? tile_rows<kWideWidth>() : tile_rows<kNarrowWidth>();
}

void PackedMatrix::pack(const float* src, int rows, int cols, std::ptrdiff_t row_stride, std::ptrdiff_t col_stride,
                        PanelWidth width) {
    assert(rows >= 0 && cols >= 0);
    const int W = packed_panel_width(width);
    rows_ = rows;
    cols_ = cols;
    kind_ = width;
    panels_ = (cols + W - 1) / W;
    data_.resize(std::size_t(panels_) * std::size_t(rows) * W);
    for (int p = 0; p < panels_; ++p) {
        float* dst = data_.data() + std::size_t(p) * std::size_t(rows) * W;
        const int c0 = p * W, n = std::min(W, cols - c0);
        if (row_stride == 1 && col_stride != 1)
            copy_transposed(src + c0 * col_stride, rows, n, col_stride, dst, W);
        else
            for (int r = 0; r < rows; ++r) {
                const float* s = src + r * row_stride + c0 * col_stride;
                float* d = dst + std::ptrdiff_t(r) * W;
                if (col_stride == 1) std::copy_n(s, n, d);
                else
                    for (int j = 0; j < n; ++j) d[j] = s[j * col_stride];
            }
        for (int r = 0; r < rows; ++r) std::fill(dst + std::ptrdiff_t(r) * W + n, dst + std::ptrdiff_t(r + 1) * W, 0.0f);
    }
}

Matrix PackedMatrix::unpack() const {
    Matrix m(rows_, cols_);
    for (int p = 0; p < panels_; ++p) {
        const float* s = panel(p);
        const int W = panel_width(), c0 = p * W, n = std::min(W, cols_ - c0);
        for (int r = 0; r < rows_; ++r)
            for (int j = 0; j < n; ++j) m(r, c0 + j) = s[std::size_t(r) * W + j];
    }
    return m;
}

void gemm_packed(int m, const float* a, std::ptrdiff_t lda, const PackedMatrix& b, float* c, std::ptrdiff_t ldc,
                 const GemmOptions& options) {
    for (int p0 = 0; p0 < b.panels(); p0 += kPanelGroup) {
        const int p1 = std::min(b.panels(), p0 + kPanelGroup);
        run_block(0, m, p0, p1, a, lda, b, c, ldc, options, p1 < b.panels() ? weight_block(b, p1, 0) : nullptr);
    }
}

void gemm_packed_parallel(int m, const float* a, std::ptrdiff_t lda, const PackedMatrix& b, float* c,
                          std::ptrdiff_t ldc, const GemmOptions& options) {
    const double flops = 2.0 * m * double(b.rows()) * double(b.cols());
    if (engine_threads() <= 1 || flops < 1e6 || m <= 0) {
        gemm_packed(m, a, lda, b, c, ldc, options);
        return;
    }
    // Work items: (group of panels, row chunk), group-major, so the next item a thread takes from its
    // share usually reads the same weights or the group that follows (prefetched at the end of this
    // one). Groups shrink while there would be under 3 items per thread.
    int chunks = std::max(1, (m + kChunkRows - 1) / kChunkRows);
    const int mr = packed_tile_rows(b.panel_kind());
    const int chunk_rows = ((m + chunks - 1) / chunks + mr - 1) / mr * mr;
    chunks = (m + chunk_rows - 1) / chunk_rows;
    int group = kPanelGroup;
    while (group > 1 && chunks * ((b.panels() + group - 1) / group) < 3 * engine_threads()) group /= 2;
    const int groups = (b.panels() + group - 1) / group;
    parallel_for(groups * chunks, [&](int item, int) {
        const int g = item / chunks, chunk = item % chunks;
        const int p0 = g * group, p1 = std::min(b.panels(), p0 + group), r0 = chunk * chunk_rows;
        const float* next_item = chunk + 1 == chunks && p1 < b.panels() ? weight_block(b, p1, 0) : nullptr;
        run_block(r0, std::min(m, r0 + chunk_rows), p0, p1, a, lda, b, c, ldc, options, next_item);
    });
}

}  // namespace vitscope
