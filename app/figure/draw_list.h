// A figure as a list of backend-neutral drawing items, in figure coordinates (logical pixels,
// origin top-left), in the spirit of Dear ImGui's ImDrawList: cell grids (attention values with
// their colormap, range and per-cell marks), colourbar strips, filled/stroked rectangles, lines,
// text runs. Everything a view shows is in here; the OpenGL renderer and the QPainter exporter
// (PNG, SVG, PDF) draw it and decide nothing about what is drawn. Colours come from a Theme.
#pragma once

#include "colormap.h"
#include "geometry.h"
#include "normalization.h"
#include "theme.h"

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace vitscope {

enum class Sampling { Nearest, Smooth };

// A picture the figure refers to by index (the model's input image): tightly packed RGBA8, top row first.
struct FigureImage {
    int width = 0, height = 0;
    uint64_t key = 0;  // same non-zero key = same pixels (renderers may skip re-uploading)
    std::vector<uint8_t> rgba;
};

// A grid of values drawn through a colormap, optionally over an image, with per-cell marks
// (CellFlag bits, see cell_marks.h). One item is one quad in the GL renderer and one raster (PNG)
// or one rectangle per cell (SVG, PDF) in the exporter.
struct CellGridItem {
    RectF rect;
    int cols = 0, rows = 0;
    std::vector<float> values;   // [rows, cols] row-major
    std::vector<uint8_t> flags;  // [rows, cols] CellFlag bits, or empty
    Colormap colormap = Colormap::Viridis;
    ValueRange range;            // effective range
    bool log_scale = false;
    Sampling sampling = Sampling::Nearest;
    float opacity = 1.0f;        // colour over what is below: 0 = image only, 1 = colours only
    int image = -1;              // index into DrawList::images drawn under the cells; -1: Theme::empty_cell
    bool grid_lines = false;     // thin lines between cells (only where cells are >= 4 px)
    RectF clip;                  // draw only inside (empty: no clip) — the matrix view's zoom
};

// The colormap as a vertical strip, bottom = 0, top = 1.
struct ColorbarItem {
    RectF rect;
    Colormap colormap = Colormap::Viridis;
};

struct RectItem {
    RectF rect;
    Rgba fill{0, 0, 0, 0};    // a = 0: no fill
    Rgba stroke{0, 0, 0, 0};  // a = 0: no outline
    float stroke_width = 1.0f;
};

// A picture (or a part of it) drawn into a rectangle: the Swin shift views move pieces of the image.
struct ImageItem {
    RectF rect;
    int image = -1;  // index into DrawList::images
    RectF source;    // in image pixels; empty: the whole image
    float opacity = 1.0f;
    bool smooth = true;  // false: nearest-neighbour scaling (pixel-art tiles such as patch filters)
};

enum class LineDash : uint8_t { Solid, Dashed };

struct LineItem {
    float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    Rgba color;
    float width = 1.0f;
    LineDash dash = LineDash::Solid;
};

enum class HAlign : uint8_t { Left, Center, Right };
enum class VAlign : uint8_t { Top, Middle, Bottom };

// One line of text placed in a box; `size` is the font's pixel size. A backend may not shrink,
// wrap or elide: builders choose sizes that fit (see text_width_estimate).
struct TextItem {
    RectF box;
    std::string text;  // UTF-8
    float size = 11.0f;
    Rgba color;
    HAlign halign = HAlign::Left;
    VAlign valign = VAlign::Middle;
    bool bold = false;
    bool monospace = false;
    Rgba halo{0, 0, 0, 0};  // a > 0: drawn first, offset by one pixel (labels over pictures)
};

using DrawItem = std::variant<CellGridItem, ColorbarItem, RectItem, LineItem, TextItem, ImageItem>;

struct DrawList {
    float width = 0, height = 0;
    Theme theme;  // background, cell-mark colours (hatching, frames) for the backends
    std::vector<DrawItem> items;
    std::vector<FigureImage> images;
    // Provenance (model, image, layer, head, options, version): the caption repeats it on the
    // figure; exporters also write it into the file's metadata (PNG text, PDF info, SVG <metadata>).
    std::map<std::string, std::string> metadata;
    std::string title;  // for file metadata

    template <class T> T& add(T item) {
        items.emplace_back(std::move(item));
        return std::get<T>(items.back());
    }
    int add_image(FigureImage image) {
        images.push_back(std::move(image));
        return int(images.size()) - 1;
    }
    // Appends `other` moved by (dx, dy); its images are appended and re-indexed.
    void append(const DrawList& other, float dx, float dy);
    // Counts of each kind (tests, debugging).
    template <class T> int count() const {
        int n = 0;
        for (const DrawItem& i : items) n += std::holds_alternative<T>(i) ? 1 : 0;
        return n;
    }
};

// A backend-free estimate of a text run's width at `size` px (DejaVu Sans proportions, rounded up; bold ~16%
// wider). Builders use it to choose sizes and to keep labels inside their boxes.
float text_width_estimate(const std::string& utf8, float size, bool bold = false);

}  // namespace vitscope
