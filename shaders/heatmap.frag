// One CellGridItem or ColorbarItem of a DrawList: a float value per cell, normalised (linear or
// log10), looked up in a 256-entry colormap, blended over the image; cell flags add the query
// frame, mask hatching, highlights, dimming of keys a Swin query cannot attend and the shift mask's
// cross-hatching. The renderer prepends "#version 330 core" and the CELL_* / hatch #defines
// generated from app/figure/cell_marks.h. app/figure/cell_raster.cpp is the CPU twin of this file.
//
// The renderer compiles one program per variant, each with only the code its items need: a
// software rasteriser (llvmpipe) runs every branch of a shader for every pixel, so what a variant
// leaves out is time saved. VARIANT_COLORBAR: the colourbar alone. VARIANT_SMOOTH: values
// interpolated between cell centres, normalised and looked up here; otherwise the renderer looks
// the cell colours up on the CPU (the same rules) and u_colors holds them. VARIANT_IMAGE: the image
// under the cells. VARIANT_FLAGS: some cell has marks; VARIANT_<MARK> (OUTLINE, MASKED, HIGHLIGHT,
// HOVER, OUTSIDE, SHIFT_MASKED): some cell has that one.
in vec2 v_uv;
out vec4 frag_color;

uniform sampler2D u_values;   // R32F, grid_w x grid_h (VARIANT_SMOOTH)
uniform sampler2D u_colors;   // RGBA8, grid_w x grid_h: each cell's colormap colour (otherwise)
uniform usampler2D u_flags;   // R8UI, grid_w x grid_h (CellFlag bits)
uniform sampler2D u_image;    // RGBA8 input image
uniform sampler2D u_cmap;     // RGBA8, 256 x colormaps
uniform ivec2 u_grid;
uniform int u_cmap_row;
uniform vec2 u_range;         // effective lo, hi
uniform int u_log;
uniform int u_show_grid;
uniform float u_opacity;
uniform vec2 u_size_px;       // quad size in pixels
uniform float u_fb_height;    // to turn gl_FragCoord into top-left pixel coordinates
uniform vec3 u_empty;         // Theme colours
uniform vec3 u_grid_line;
uniform vec3 u_outside_dim;
uniform vec3 u_outside_hatch;
uniform vec3 u_highlight;
uniform vec3 u_shift_hatch;
uniform vec3 u_masked_hatch;
uniform vec3 u_query_frame;
uniform vec3 u_hover_frame;

float normalize_value(float v) {
    float t;
    if (u_log != 0) {
        float lv = log(max(v, u_range.x)) / log(10.0);
        float l0 = log(u_range.x) / log(10.0);
        float l1 = log(u_range.y) / log(10.0);
        t = (lv - l0) / (l1 - l0);
    } else {
        t = (v - u_range.x) / (u_range.y - u_range.x);
    }
    return clamp(t, 0.0, 1.0);
}

vec3 colormap(float t) {
    int idx = t >= 1.0 ? 255 : int(t * 255.0 + 0.5);
    return texelFetch(u_cmap, ivec2(idx, u_cmap_row), 0).rgb;
}

void main() {
#if VARIANT_COLORBAR
    frag_color = vec4(colormap(clamp(1.0 - v_uv.y, 0.0, 1.0)), 1.0);
#else
    vec2 p = vec2(gl_FragCoord.x, u_fb_height - gl_FragCoord.y);  // pixel centre, origin top-left
    vec2 gridf = vec2(u_grid);
    ivec2 cell = clamp(ivec2(floor(v_uv * gridf)), ivec2(0), u_grid - ivec2(1));
#if VARIANT_SMOOTH
    vec3 cell_col = colormap(normalize_value(texture(u_values, v_uv).r));
#else
    vec3 cell_col = texelFetch(u_colors, cell, 0).rgb;
#endif
#if VARIANT_IMAGE
    vec3 base = texture(u_image, v_uv).rgb;
#else
    vec3 base = u_empty;
#endif
    vec3 col = mix(base, cell_col, u_opacity);

    vec2 cell_px = u_size_px / gridf;
    vec2 local = fract(v_uv * gridf) * cell_px;
    float edge = min(min(local.x, cell_px.x - local.x), min(local.y, cell_px.y - local.y));
    if (u_show_grid != 0 && edge < GRID_WIDTH && min(cell_px.x, cell_px.y) >= GRID_MIN_CELL)
        col = mix(col, u_grid_line, GRID_MIX);

#if VARIANT_FLAGS
    uint flags = texelFetch(u_flags, cell, 0).r;
#if VARIANT_OUTSIDE
    if ((flags & CELL_OUTSIDE) != 0u) {
        col = mix(base, u_outside_dim, OUTSIDE_DIM);
        if (mod(p.x - p.y, OUTSIDE_PERIOD) < OUTSIDE_WIDTH) col = u_outside_hatch;
    }
#endif
#if VARIANT_HIGHLIGHT
    if ((flags & CELL_HIGHLIGHT) != 0u) col = mix(col, u_highlight, HIGHLIGHT_MIX);
#endif
#if VARIANT_SHIFT_MASKED
    if ((flags & CELL_SHIFT_MASKED) != 0u) {
        float a = mod(p.x + p.y, SHIFT_PERIOD), b = mod(p.x - p.y, SHIFT_PERIOD);
        if (a < SHIFT_WIDTH || b < SHIFT_WIDTH) col = u_shift_hatch;
    }
#endif
#if VARIANT_MASKED
    if ((flags & CELL_MASKED) != 0u && mod(p.x + p.y, MASKED_PERIOD) < MASKED_WIDTH) col = u_masked_hatch;
#endif
#if VARIANT_OUTLINE
    float frame = clamp(min(cell_px.x, cell_px.y) * OUTLINE_FRACTION, OUTLINE_MIN, OUTLINE_MAX);
    if ((flags & CELL_OUTLINE) != 0u && edge < frame) col = u_query_frame;
#endif
#if VARIANT_HOVER
    if ((flags & CELL_HOVER) != 0u && edge < HOVER_WIDTH) col = u_hover_frame;
#endif
#endif
    frag_color = vec4(col, 1.0);
#endif
}
