#version 330 core
// One heatmap: a float value per cell, normalised (linear or log10), looked up in a 256-entry
// colormap, blended over the image; cell flags add the query frame, mask hatching, highlights,
// dimming of keys a Swin query cannot attend and the shift mask's cross-hatching.
// Mirrors normalize_value() and colormap_index() in app/figure.
in vec2 v_uv;
out vec4 frag_color;

uniform sampler2D u_values;   // R32F, grid_w x grid_h
uniform usampler2D u_flags;   // R8UI, grid_w x grid_h (CellFlag bits)
uniform sampler2D u_image;    // RGBA8 input image
uniform sampler2D u_cmap;     // RGBA8, 256 x colormaps
uniform ivec2 u_grid;
uniform int u_cmap_row;
uniform vec2 u_range;         // effective lo, hi
uniform int u_log;
uniform int u_smooth;
uniform int u_has_image;
uniform int u_has_flags;
uniform int u_show_grid;
uniform int u_colorbar;       // 1: draw the colormap itself, bottom (0) to top (1)
uniform float u_opacity;
uniform vec2 u_size_px;       // quad size in pixels

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
    if (u_colorbar != 0) {
        frag_color = vec4(colormap(clamp(1.0 - v_uv.y, 0.0, 1.0)), 1.0);
        return;
    }
    vec2 gridf = vec2(u_grid);
    ivec2 cell = clamp(ivec2(floor(v_uv * gridf)), ivec2(0), u_grid - ivec2(1));
    float v = u_smooth != 0 ? texture(u_values, v_uv).r : texelFetch(u_values, cell, 0).r;
    vec3 base = u_has_image != 0 ? texture(u_image, v_uv).rgb : vec3(0.11, 0.11, 0.13);
    vec3 col = mix(base, colormap(normalize_value(v)), u_opacity);

    vec2 cell_px = u_size_px / gridf;
    vec2 local = fract(v_uv * gridf) * cell_px;
    float edge = min(min(local.x, cell_px.x - local.x), min(local.y, cell_px.y - local.y));
    if (u_show_grid != 0 && edge < 0.75 && min(cell_px.x, cell_px.y) >= 4.0)
        col = mix(col, vec3(1.0), 0.25);

    uint flags = u_has_flags != 0 ? texelFetch(u_flags, cell, 0).r : 0u;
    if ((flags & 16u) != 0u) {  // not attended: the image dimmed, thin grey hatching
        col = mix(base, vec3(0.08, 0.08, 0.1), 0.7);
        if (mod(gl_FragCoord.x - gl_FragCoord.y, 8.0) < 1.0) col = vec3(0.45, 0.45, 0.5);
    }
    if ((flags & 4u) != 0u) col = mix(col, vec3(1.0), 0.35);
    if ((flags & 32u) != 0u) {  // the shift mask's -100 term: magenta cross-hatching
        float a = mod(gl_FragCoord.x + gl_FragCoord.y, 8.0), b = mod(gl_FragCoord.x - gl_FragCoord.y, 8.0);
        if (a < 1.25 || b < 1.25) col = vec3(0.85, 0.2, 0.85);
    }
    if ((flags & 2u) != 0u && mod(gl_FragCoord.x + gl_FragCoord.y, 7.0) < 2.5) col = vec3(0.9, 0.15, 0.15);
    float frame = clamp(min(cell_px.x, cell_px.y) * 0.12, 1.0, 3.0);
    if ((flags & 1u) != 0u && edge < frame) col = vec3(1.0);
    if ((flags & 8u) != 0u && edge < 1.5) col = vec3(1.0, 0.85, 0.1);
    frag_color = vec4(col, 1.0);
}
