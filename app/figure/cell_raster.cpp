#include "cell_raster.h"

#include "cell_marks.h"

#include <algorithm>
#include <cmath>

namespace vitscope {

namespace {

struct Vec3 {
    float r = 0, g = 0, b = 0;
};

Vec3 vec(Rgba c) { return {float(c.r) / 255.0f, float(c.g) / 255.0f, float(c.b) / 255.0f}; }
Vec3 vec(Rgb8 c) { return {float(c.r) / 255.0f, float(c.g) / 255.0f, float(c.b) / 255.0f}; }
Vec3 mix(Vec3 a, Vec3 b, float t) { return {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t}; }
float mix(float a, float b, float t) { return a + (b - a) * t; }
uint8_t unorm(float v) { return uint8_t(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f)); }

// GLSL's mod: x - y * floor(x / y), never negative for y > 0.
float glsl_mod(float x, float y) { return x - y * std::floor(x / y); }

// GL_LINEAR with GL_CLAMP_TO_EDGE at texture coordinate (u, v): the four texels and their weights.
struct Taps {
    int x0, x1, y0, y1;
    float ax, ay;
};
Taps linear_taps(int w, int h, float u, float v) {
    const float x = u * float(w) - 0.5f, y = v * float(h) - 0.5f;
    const float fx = std::floor(x), fy = std::floor(y);
    Taps t;
    t.ax = x - fx;
    t.ay = y - fy;
    t.x0 = std::clamp(int(fx), 0, w - 1);
    t.x1 = std::clamp(int(fx) + 1, 0, w - 1);
    t.y0 = std::clamp(int(fy), 0, h - 1);
    t.y1 = std::clamp(int(fy) + 1, 0, h - 1);
    return t;
}

float sample_values(const CellGridItem& g, float u, float v) {
    const Taps t = linear_taps(g.cols, g.rows, u, v);
    auto at = [&](int x, int y) { return g.values[size_t(y) * g.cols + x]; };
    return mix(mix(at(t.x0, t.y0), at(t.x1, t.y0), t.ax), mix(at(t.x0, t.y1), at(t.x1, t.y1), t.ax), t.ay);
}

Vec3 sample_image(const FigureImage& im, float u, float v) {
    const Taps t = linear_taps(im.width, im.height, u, v);
    auto at = [&](int x, int y) {
        const uint8_t* p = &im.rgba[(size_t(y) * im.width + x) * 4];
        return Vec3{float(p[0]) / 255.0f, float(p[1]) / 255.0f, float(p[2]) / 255.0f};
    };
    return mix(mix(at(t.x0, t.y0), at(t.x1, t.y0), t.ax), mix(at(t.x0, t.y1), at(t.x1, t.y1), t.ax), t.ay);
}

Vec3 colormap_at(Colormap c, float t) {
    // The shader's rule: t >= 1 -> 255, else int(t * 255 + 0.5); equal to colormap_index for t in [0,1].
    return vec(colormap_table(c)[size_t(colormap_index(t))]);
}

Rgba out(Vec3 c) { return {unorm(c.r), unorm(c.g), unorm(c.b), 255}; }

// Output pixels whose centres lie in [x0, x1): first = ceil(x0 - 0.5), end = ceil(x1 - 0.5).
void pixel_span(float a, float b, int& first, int& end) {
    first = int(std::ceil(a - 0.5f));
    end = int(std::ceil(b - 0.5f));
}

RectF scaled(const RectF& r, float s) { return {r.x * s, r.y * s, r.w * s, r.h * s}; }

}  // namespace

Rgba shade_cell_pixel(const CellGridItem& g, const FigureImage* image, const Theme& theme, RectF R, float fx, float fy) {
    const float u = (fx - R.x) / R.w, v = (fy - R.y) / R.h;
    const int cx = std::clamp(int(std::floor(u * float(g.cols))), 0, g.cols - 1);
    const int cy = std::clamp(int(std::floor(v * float(g.rows))), 0, g.rows - 1);
    const size_t cell = size_t(cy) * g.cols + cx;
    const float value = g.sampling == Sampling::Smooth ? sample_values(g, u, v) : g.values[cell];
    const Vec3 base = image ? sample_image(*image, u, v) : vec(theme.empty_cell);
    Vec3 col = mix(base, colormap_at(g.colormap, normalize_value(value, g.range, g.log_scale)), g.opacity);

    const float cw = R.w / float(g.cols), ch = R.h / float(g.rows);
    const float lx = (u * float(g.cols) - std::floor(u * float(g.cols))) * cw;
    const float ly = (v * float(g.rows) - std::floor(v * float(g.rows))) * ch;
    const float edge = std::min(std::min(lx, cw - lx), std::min(ly, ch - ly));
    if (g.grid_lines && edge < kGridLineWidth && std::min(cw, ch) >= kGridLineMinCell)
        col = mix(col, vec(theme.grid_line), kGridLineMix);

    const uint8_t flags = g.flags.size() == g.values.size() ? g.flags[cell] : 0;
    if (flags & kCellOutside) {
        col = mix(base, vec(theme.outside_dim), kOutsideDim);
        if (glsl_mod(fx - fy, kOutsideHatch.period) < kOutsideHatch.width) col = vec(theme.outside_hatch);
    }
    if (flags & kCellHighlight) col = mix(col, vec(theme.highlight), kHighlightMix);
    if (flags & kCellShiftMasked) {
        const float a = glsl_mod(fx + fy, kShiftMaskedHatch.period), b = glsl_mod(fx - fy, kShiftMaskedHatch.period);
        if (a < kShiftMaskedHatch.width || b < kShiftMaskedHatch.width) col = vec(theme.shift_hatch);
    }
    if ((flags & kCellMasked) && glsl_mod(fx + fy, kMaskedHatch.period) < kMaskedHatch.width)
        col = vec(theme.masked_hatch);
    const float frame = std::clamp(std::min(cw, ch) * kOutlineFraction, kOutlineMin, kOutlineMax);
    if ((flags & kCellOutline) && edge < frame) col = vec(theme.query_frame);
    if ((flags & kCellHover) && edge < kHoverFrameWidth) col = vec(theme.hover_frame);
    return out(col);
}

namespace {

// The opaque block of the pixels whose centres lie in `area`, each shade(x, y) (pixel coordinates).
template <typename Shade>
PixelBlock shade_pixels(RectF area, const Shade& shade) {
    PixelBlock b;
    int px0, px1, py0, py1;
    pixel_span(area.x, area.right(), px0, px1);
    pixel_span(area.y, area.bottom(), py0, py1);
    if (px1 <= px0 || py1 <= py0) return b;
    b.x = px0;
    b.y = py0;
    b.width = px1 - px0;
    b.height = py1 - py0;
    b.rgba.resize(size_t(b.width) * b.height * 4);
    for (int y = py0; y < py1; ++y)
        for (int x = px0; x < px1; ++x) {
            const Rgba c = shade(x, y);
            uint8_t* p = &b.rgba[(size_t(y - py0) * b.width + (x - px0)) * 4];
            p[0] = c.r;
            p[1] = c.g;
            p[2] = c.b;
            p[3] = 255;
        }
    return b;
}

}  // namespace

PixelBlock raster_cell_grid(const CellGridItem& g, const std::vector<FigureImage>& images, const Theme& theme,
                            float scale) {
    PixelBlock b;
    if (g.cols <= 0 || g.rows <= 0 || g.values.size() != size_t(g.cols) * g.rows || g.rect.empty()) return b;
    const RectF R = scaled(g.rect, scale);
    RectF area = R;
    if (!g.clip.empty()) {
        const RectF c = scaled(g.clip, scale);
        const float x0 = std::max(R.x, c.x), y0 = std::max(R.y, c.y);
        area = {x0, y0, std::min(R.right(), c.right()) - x0, std::min(R.bottom(), c.bottom()) - y0};
        if (area.empty()) return b;
    }
    const FigureImage* image =
        g.image >= 0 && size_t(g.image) < images.size() && images[size_t(g.image)].width > 0 ? &images[size_t(g.image)]
                                                                                              : nullptr;
    return shade_pixels(area, [&](int x, int y) {
        return shade_cell_pixel(g, image, theme, R, float(x) + 0.5f, float(y) + 0.5f);
    });
}

PixelBlock raster_colorbar(const ColorbarItem& item, float scale) {
    const RectF R = scaled(item.rect, scale);
    if (R.empty()) return {};
    return shade_pixels(R, [&](int, int y) {
        const float v = (float(y) + 0.5f - R.y) / R.h;
        return out(colormap_at(item.colormap, std::clamp(1.0f - v, 0.0f, 1.0f)));
    });
}

}  // namespace vitscope
