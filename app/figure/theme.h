// Every colour, pen width and font size a figure uses, in one place. The live app draws with the
// dark theme; exports default to the light one (slides and papers are white).
#pragma once

#include "geometry.h"

#include <string>

namespace vitscope {

struct Theme {
    std::string name;
    Rgba background;      // the figure
    Rgba panel;           // behind charts
    Rgba text;
    Rgba text_muted;      // hints, axis labels
    Rgba empty_cell;      // under cells that have no image
    Rgba grid_line;       // patch grid (mixed in at kGridLineMix)
    Rgba query_frame;
    Rgba hover_frame;
    Rgba masked_hatch;
    Rgba outside_dim;
    Rgba outside_hatch;
    Rgba shift_hatch;
    Rgba highlight;
    Rgba selection;       // the selected tile of a grid of maps
    Rgba window_edge;     // Swin window boundaries
    Rgba window_casing;   // under them, so they show on any image
    Rgba region_edge;     // Swin region boundaries inside a window
    Rgba label_back;      // behind labels drawn over pictures
    Rgba bar;             // bar charts
    Rgba bar_peak;
    Rgba bar_masked;
    Rgba axis;
    Rgba positive, negative;  // probability changes
    float title_size = 13.0f;  // px
    float label_size = 11.0f;
    float small_size = 9.5f;
    float caption_size = 9.0f;
    float line_width = 1.0f;
};

Theme theme_dark();
Theme theme_light();
// `t` with every font size and pen width multiplied by `factor` (presentation mode: text readable
// from the back of a room).
Theme theme_scaled(Theme t, float factor);
// "light" or "dark"; false for anything else.
bool parse_theme(const std::string& name, Theme& out);

// The tint of a Swin shift region id (0..8); -1 (no shift) grey.
Rgba swin_region_color(int region);

}  // namespace vitscope
