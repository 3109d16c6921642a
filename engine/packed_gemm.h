// Matrix products against a right-hand side packed once into column panels, the layout our own
// register-blocked kernels read (AVX-512: 8x48 tiles for weights, 12x32 for attention's K^T and V;
// AVX2+FMA: 6x16; otherwise portable C++).
//
// Why: a weight matrix is multiplied thousands of times and never changes, so we lay it out for the
// kernel once at load instead of on every call (what BLAS's sgemm does internally each time: ~8% of
// a ViT pass in the profile). Activations (the left-hand side) are read in place, row-major.
#pragma once

#include "huge_page_allocator.h"
#include "tensor_types.h"

#include <cstddef>
#include <vector>

namespace vitscope {

// The two layouts a right-hand side can be packed in. `wide` for weights (the large products);
// `narrow` for small right-hand sides whose column count is a multiple of 32 or just above one (a
// head's K^T over 197 keys, its V of 64 columns), where wide panels would mostly multiply padding.
enum class PanelWidth { wide, narrow };

// Columns per packed panel (a property of the build): AVX-512 wide 48 (8x48 tiles), narrow 32 (12x32
// tiles); AVX2 + FMA 16 for both (6x16 tiles); otherwise 16 (portable C++).
int packed_panel_width(PanelWidth width = PanelWidth::wide);
// Rows of the tiles that read panels of that width.
int packed_tile_rows(PanelWidth width = PanelWidth::wide);

// A [rows x cols] matrix stored as ceil(cols / W) panels, each [rows x W] row-major, the last one
// zero-padded. W = packed_panel_width().
class PackedMatrix {
public:
    PackedMatrix() = default;
    // Packs a row-major [rows x cols] matrix.
    explicit PackedMatrix(const Matrix& m, PanelWidth panel_width = PanelWidth::wide) {
        pack(m.data(), int(m.rows()), int(m.cols()), m.cols(), 1, panel_width);
    }

    // Packs any strided view: element (r, c) is at src[r * row_stride + c * col_stride]. A transposed
    // row-major [cols x rows] matrix is row_stride = 1, col_stride = its row length. Reuses storage.
    void pack(const float* src, int rows, int cols, std::ptrdiff_t row_stride, std::ptrdiff_t col_stride,
              PanelWidth panel_width = PanelWidth::wide);

    int rows() const { return rows_; }
    int cols() const { return cols_; }
    int panels() const { return panels_; }
    PanelWidth panel_kind() const { return kind_; }
    int panel_width() const { return packed_panel_width(kind_); }
    const float* panel(int p) const {
        return data_.data() + std::size_t(p) * std::size_t(rows_) * std::size_t(panel_width());
    }
    bool empty() const { return cols_ == 0; }

    // Back to a row-major [rows x cols] matrix (tests, debugging, editing weights by hand).
    Matrix unpack() const;

private:
    int rows_ = 0, cols_ = 0, panels_ = 0;
    PanelWidth kind_ = PanelWidth::wide;
    std::vector<float, HugePageAllocator<float>> data_;  // large weights on huge pages
};

// What happens to alpha * A * B on its way into C, applied per tile while it is still in cache:
// C = gelu?( (accumulate ? C : 0) + alpha * A * B + bias ).
struct GemmOptions {
    const float* bias = nullptr;  // B.cols() entries, or null
    float alpha = 1.0f;
    bool accumulate = false;      // add to what C holds (a residual connection); needs alpha == 1
    bool gelu = false;            // exact (erf) GELU on the result
};

// On the calling thread. A is [m x B.rows()] with row stride lda; C is [m x B.cols()] with row
// stride ldc.
void gemm_packed(int m, const float* a, std::ptrdiff_t lda, const PackedMatrix& b, float* c, std::ptrdiff_t ldc,
                 const GemmOptions& options = {});

// The same, with (group of column panels, row chunk) items spread over the engine's threads
// (thread_pool.h; on the calling thread alone inside another parallel loop or when the product is
// small). The result does not depend on the thread count: every output element is summed in the
// same order.
void gemm_packed_parallel(int m, const float* a, std::ptrdiff_t lda, const PackedMatrix& b, float* c,
                          std::ptrdiff_t ldc, const GemmOptions& options = {});

}  // namespace vitscope
