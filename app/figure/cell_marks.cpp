#include "cell_marks.h"

#include <cstdio>

namespace vitscope {

std::string cell_marks_glsl_defines() {
    std::string s;
    auto flag = [&](const char* name, unsigned v) { s += "#define " + std::string(name) + " " + std::to_string(v) + "u\n"; };
    auto num = [&](const char* name, float v) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "#define %s %.6f\n", name, double(v));
        s += buf;
    };
    flag("CELL_OUTLINE", kCellOutline);
    flag("CELL_MASKED", kCellMasked);
    flag("CELL_HIGHLIGHT", kCellHighlight);
    flag("CELL_HOVER", kCellHover);
    flag("CELL_OUTSIDE", kCellOutside);
    flag("CELL_SHIFT_MASKED", kCellShiftMasked);
    num("MASKED_PERIOD", kMaskedHatch.period);
    num("MASKED_WIDTH", kMaskedHatch.width);
    num("OUTSIDE_PERIOD", kOutsideHatch.period);
    num("OUTSIDE_WIDTH", kOutsideHatch.width);
    num("SHIFT_PERIOD", kShiftMaskedHatch.period);
    num("SHIFT_WIDTH", kShiftMaskedHatch.width);
    num("HIGHLIGHT_MIX", kHighlightMix);
    num("OUTSIDE_DIM", kOutsideDim);
    num("GRID_MIX", kGridLineMix);
    num("GRID_WIDTH", kGridLineWidth);
    num("GRID_MIN_CELL", kGridLineMinCell);
    num("HOVER_WIDTH", kHoverFrameWidth);
    num("OUTLINE_FRACTION", kOutlineFraction);
    num("OUTLINE_MIN", kOutlineMin);
    num("OUTLINE_MAX", kOutlineMax);
    return s;
}

}  // namespace vitscope
