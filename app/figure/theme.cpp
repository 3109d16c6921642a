#include "theme.h"

namespace vitscope {

Theme theme_dark() {
    Theme t;
    t.name = "dark";
    t.background = {41, 41, 46};
    t.panel = {41, 41, 46};
    t.text = {230, 230, 235};
    t.text_muted = {170, 170, 180};
    t.empty_cell = {28, 28, 33};
    t.grid_line = {255, 255, 255};
    t.query_frame = {255, 255, 255};
    t.hover_frame = {255, 217, 26};
    t.masked_hatch = {230, 38, 38};
    t.outside_dim = {20, 20, 26};
    t.outside_hatch = {115, 115, 128};
    t.shift_hatch = {217, 51, 217};
    t.highlight = {255, 255, 255};
    t.selection = {255, 210, 40};
    t.window_edge = {255, 235, 120};
    t.window_casing = {0, 0, 0, 160};
    t.region_edge = {80, 230, 255};
    t.label_back = {0, 0, 0, 170};
    t.bar = {33, 144, 140};
    t.bar_peak = {253, 231, 37};
    t.bar_masked = {230, 40, 40};
    t.axis = {150, 150, 160};
    t.positive = {80, 200, 120};
    t.negative = {240, 100, 100};
    return t;
}

Theme theme_scaled(Theme t, float factor) {
    t.title_size *= factor;
    t.label_size *= factor;
    t.small_size *= factor;
    t.caption_size *= factor;
    t.line_width *= factor;
    return t;
}

Theme theme_light() {
    Theme t;
    t.name = "light";
    t.background = {255, 255, 255};
    t.panel = {255, 255, 255};
    t.text = {20, 20, 25};
    t.text_muted = {95, 95, 105};
    t.empty_cell = {235, 235, 240};
    t.grid_line = {255, 255, 255};
    t.query_frame = {255, 255, 255};
    t.hover_frame = {230, 160, 0};
    t.masked_hatch = {215, 25, 28};
    t.outside_dim = {245, 245, 248};
    t.outside_hatch = {150, 150, 160};
    t.shift_hatch = {190, 30, 190};
    t.highlight = {255, 255, 255};
    t.selection = {230, 150, 0};
    t.window_edge = {255, 225, 90};
    t.window_casing = {0, 0, 0, 170};
    t.region_edge = {0, 150, 200};
    t.label_back = {0, 0, 0, 170};
    t.bar = {33, 144, 140};
    t.bar_peak = {230, 160, 0};
    t.bar_masked = {215, 25, 28};
    t.axis = {110, 110, 120};
    t.positive = {20, 140, 60};
    t.negative = {200, 40, 40};
    return t;
}

bool parse_theme(const std::string& name, Theme& out) {
    if (name == "light") out = theme_light();
    else if (name == "dark") out = theme_dark();
    else return false;
    return true;
}

Rgba swin_region_color(int region) {
    static const Rgba kColors[9] = {{230, 25, 75},  {60, 180, 75},  {255, 225, 25}, {0, 130, 200}, {245, 130, 48},
                                    {145, 30, 180}, {70, 240, 240}, {240, 50, 230}, {210, 245, 60}};
    return region < 0 ? Rgba{200, 200, 200} : kColors[region % 9];
}

}  // namespace vitscope
