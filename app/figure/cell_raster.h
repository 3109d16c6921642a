// The CPU twin of shaders/heatmap.frag: colours every output pixel of a CellGridItem or a
// ColorbarItem by the same rules (cell lookup or bilinear sampling, colormap, blending over the
// image, grid lines, marks from cell_marks.h). The PNG exporter draws cell grids with it, so a PNG
// equals the live GL view pixel for pixel up to texture-filtering rounding; tests call it without GL.
#pragma once

#include "draw_list.h"
#include "theme.h"

#include <cstdint>
#include <vector>

namespace vitscope {

// A block of output pixels: RGBA8, top row first, placed at (x, y) in the output.
struct PixelBlock {
    int x = 0, y = 0, width = 0, height = 0;
    std::vector<uint8_t> rgba;
};

// The pixels whose centres fall inside item.rect * scale (and inside item.clip * scale when set).
PixelBlock raster_cell_grid(const CellGridItem& item, const std::vector<FigureImage>& images, const Theme& theme,
                            float scale);
PixelBlock raster_colorbar(const ColorbarItem& item, float scale);

// The colour of one output pixel centre (fx, fy) of a cell grid drawn into `rect_px` (output pixels).
Rgba shade_cell_pixel(const CellGridItem& item, const FigureImage* image, const Theme& theme, RectF rect_px, float fx,
                      float fy);

}  // namespace vitscope
