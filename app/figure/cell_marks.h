// The marks a cell of a CellGridItem can carry, and the one definition of how each is drawn: the
// fragment shader gets these numbers as generated #defines (gl_shader_source.cpp), the exporter's
// raster and vector paths read them here. Colours come from the Theme.
#pragma once

#include <cstdint>
#include <string>

namespace vitscope {

// Per-cell marks (bit flags), drawn over the colour.
enum CellFlag : uint8_t {
    kCellOutline = 1,       // the query: a frame (Theme::query_frame)
    kCellMasked = 2,        // a masked key: diagonal hatching (Theme::masked_hatch)
    kCellHighlight = 4,     // a highlighted row (the matrix view's query row): lightened
    kCellHover = 8,         // under the mouse: a thin frame (Theme::hover_frame)
    kCellOutside = 16,      // not attended (a Swin key outside the query's window): dimmed + sparse hatching
    kCellShiftMasked = 32,  // a Swin shift-mask entry (the -100 term between regions): cross-hatching
};

// Hatching is a set of diagonal stripes in output pixels (origin top-left, pixel centres at +0.5):
// a pixel (x, y) is on a stripe when mod(x + y, period) < width ("rising" stripes, /) or
// mod(x - y, period) < width ("falling", \).
struct HatchSpec {
    float period = 0;
    float width = 0;
};
constexpr HatchSpec kMaskedHatch{7.0f, 2.5f};        // rising
constexpr HatchSpec kOutsideHatch{8.0f, 1.0f};       // falling
constexpr HatchSpec kShiftMaskedHatch{8.0f, 1.25f};  // both directions

// Strength of the marks that blend rather than paint.
constexpr float kHighlightMix = 0.35f;  // toward Theme::highlight
constexpr float kOutsideDim = 0.7f;     // toward Theme::outside_dim (from the image, not the colour)
constexpr float kGridLineMix = 0.25f;   // toward Theme::grid_line
constexpr float kGridLineWidth = 0.75f; // px from a cell edge
constexpr float kGridLineMinCell = 4.0f;  // no grid lines on cells smaller than this (px)
constexpr float kHoverFrameWidth = 1.5f;
// The query frame: 12% of the cell side, between 1 and 3 px.
constexpr float kOutlineFraction = 0.12f, kOutlineMin = 1.0f, kOutlineMax = 3.0f;

// "#define CELL_OUTLINE 1u ..." for every flag and hatch constant, for the GLSL preamble.
std::string cell_marks_glsl_defines();

}  // namespace vitscope
