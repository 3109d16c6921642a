#include "gl_figure_renderer.h"

#include "cell_marks.h"
#include "embedded_shaders.h"
#include "gl_api.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

namespace vitscope {

namespace {

// Every uniform heatmap.frag/vert declares; each must exist after linking in one of the fullest
// variants (a variant without some code has fewer).
constexpr const char* kUniforms[] = {
    "u_rect",      "u_values",    "u_colors",     "u_flags",      "u_image",     "u_cmap",       "u_grid",
    "u_cmap_row",  "u_range",     "u_log",        "u_show_grid",  "u_opacity",   "u_size_px",    "u_fb_height",
    "u_empty",     "u_grid_line", "u_outside_dim", "u_outside_hatch", "u_highlight", "u_shift_hatch",
    "u_masked_hatch", "u_query_frame", "u_hover_frame"};
enum Uniform {
    URect, UValues, UColors, UFlags, UImage, UCmap, UGrid, UCmapRow, URange, ULog, UShowGrid, UOpacity, USizePx,
    UFbHeight, UEmpty, UGridLine, UOutsideDim, UOutsideHatch, UHighlight, UShiftHatch, UMaskedHatch, UQueryFrame,
    UHoverFrame, UCount
};
static_assert(sizeof(kUniforms) / sizeof(kUniforms[0]) == UCount, "one name per uniform");

// Texture units.
enum Unit { UnitValues = 0, UnitFlags = 1, UnitImage = 2, UnitCmap = 3, UnitColors = 4 };

// A shader variant (see heatmap.frag): the CellFlag bits any cell has in the low byte, then these.
constexpr unsigned kVariantColorbar = 1u << 8, kVariantSmooth = 1u << 9, kVariantImage = 1u << 10;
constexpr unsigned kAllMarks = kCellOutline | kCellMasked | kCellHighlight | kCellHover | kCellOutside | kCellShiftMasked;

std::string variant_defines(unsigned v) {
    auto def = [](const char* name, bool on) { return std::string("#define VARIANT_") + name + (on ? " 1\n" : " 0\n"); };
    return def("COLORBAR", v & kVariantColorbar) + def("SMOOTH", v & kVariantSmooth) + def("IMAGE", v & kVariantImage) +
           def("FLAGS", v & kAllMarks) + def("OUTLINE", v & kCellOutline) + def("MASKED", v & kCellMasked) +
           def("HIGHLIGHT", v & kCellHighlight) + def("HOVER", v & kCellHover) + def("OUTSIDE", v & kCellOutside) +
           def("SHIFT_MASKED", v & kCellShiftMasked);
}

RectF scaled(const RectF& r, float s) { return {r.x * s, r.y * s, r.w * s, r.h * s}; }

}  // namespace

struct GlFigureRenderer::Impl {
    struct Program {
        GLuint id = 0;
        GLint loc[UCount] = {};
    };

    gl::Api gl;
    bool ready = false;
    GLuint vao = 0;
    GLuint tex_values = 0, tex_flags = 0, tex_image = 0, tex_cmap = 0, tex_colors = 0;
    std::map<unsigned, Program> programs;  // by variant, compiled when first needed
    const Program* current = nullptr;      // in use during draw_pictures
    const Theme* theme = nullptr;          // of the list being drawn
    std::vector<uint8_t> colors;           // the cell colours of the grid being drawn (RGBA8)
    uint64_t image_key = 0;
    bool has_image = false;
    int uploads = 0;
    int fb_w = 1, fb_h = 1;
    unsigned error = 0;
    std::string compile_error;  // the first failure of a variant compiled while drawing

    GLuint compile(GLenum type, const char* name, const char* body, const std::string& defines, std::string& err) {
        // The version line, the variant, the constants generated from cell_marks.h, then the file.
        const std::string src = "#version 330 core\n" + defines + cell_marks_glsl_defines() + "#line 1\n" + body;
        GLuint s = gl.CreateShader(type);
        const char* p = src.c_str();
        gl.ShaderSource(s, 1, &p, nullptr);
        gl.CompileShader(s);
        GLint ok = 0;
        gl.GetShaderiv(s, GL_COMPILE_STATUS, &ok);
        if (!ok) {
            char log[2048] = {};
            gl.GetShaderInfoLog(s, sizeof log, nullptr, log);
            err = std::string("shaders/") + name + ": compile error: " + log;
            gl.DeleteShader(s);
            return 0;
        }
        return s;
    }

    // The program of a variant (compiled and linked on first use); null when that fails.
    const Program* program(unsigned variant, std::string& err) {
        if (auto it = programs.find(variant); it != programs.end()) return it->second.id ? &it->second : nullptr;
        Program& p = programs[variant];  // a failed variant stays with id 0 and is not tried again
        const std::string defines = variant_defines(variant);
        const GLuint vs = compile(GL_VERTEX_SHADER, "heatmap.vert", kShader_heatmap_vert, defines, err);
        if (!vs) return nullptr;
        const GLuint fs = compile(GL_FRAGMENT_SHADER, "heatmap.frag", kShader_heatmap_frag, defines, err);
        if (!fs) {
            gl.DeleteShader(vs);
            return nullptr;
        }
        const GLuint id = gl.CreateProgram();
        gl.AttachShader(id, vs);
        gl.AttachShader(id, fs);
        gl.LinkProgram(id);
        gl.DeleteShader(vs);
        gl.DeleteShader(fs);
        GLint ok = 0;
        gl.GetProgramiv(id, GL_LINK_STATUS, &ok);
        if (!ok) {
            char log[2048] = {};
            gl.GetProgramInfoLog(id, sizeof log, nullptr, log);
            err = std::string("shaders/heatmap.{vert,frag}: link error: ") + log;
            gl.DeleteProgram(id);
            return nullptr;
        }
        p.id = id;
        for (int i = 0; i < UCount; ++i) p.loc[i] = gl.GetUniformLocation(id, kUniforms[i]);  // -1: not in this variant
        return &p;
    }

    void colour(Uniform u, Rgba c) { gl.Uniform3f(current->loc[u], float(c.r) / 255.0f, float(c.g) / 255.0f, float(c.b) / 255.0f); }

    // Makes the variant's program current with the uniforms every draw shares. False when it cannot
    // be compiled.
    bool use(unsigned variant) {
        std::string err;
        const Program* p = program(variant, err);
        if (!p) {
            if (compile_error.empty()) compile_error = err;
            return false;
        }
        if (p == current) return true;
        current = p;
        gl.UseProgram(p->id);
        gl.Uniform1i(p->loc[UValues], UnitValues);
        gl.Uniform1i(p->loc[UColors], UnitColors);
        gl.Uniform1i(p->loc[UFlags], UnitFlags);
        gl.Uniform1i(p->loc[UImage], UnitImage);
        gl.Uniform1i(p->loc[UCmap], UnitCmap);
        gl.Uniform1f(p->loc[UFbHeight], float(fb_h));
        const Theme& t = *theme;
        colour(UEmpty, t.empty_cell);
        colour(UGridLine, t.grid_line);
        colour(UOutsideDim, t.outside_dim);
        colour(UOutsideHatch, t.outside_hatch);
        colour(UHighlight, t.highlight);
        colour(UShiftHatch, t.shift_hatch);
        colour(UMaskedHatch, t.masked_hatch);
        colour(UQueryFrame, t.query_frame);
        colour(UHoverFrame, t.hover_frame);
        return true;
    }

    void upload(GLuint tex, GLint internal, int w, int h, GLenum format, GLenum type, const void* data, GLint filter) {
        gl.BindTexture(GL_TEXTURE_2D, tex);
        gl.PixelStorei(GL_UNPACK_ALIGNMENT, 1);
        gl.TexImage2D(GL_TEXTURE_2D, 0, internal, w, h, 0, format, type, data);
        gl.PixelStorei(GL_UNPACK_ALIGNMENT, 4);  // the default, which Qt's glyph uploads assume
        gl.TexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
        gl.TexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
    }

    // Rect in framebuffer pixels (origin top-left) -> NDC corners.
    void set_rect(const RectF& r) {
        const float x0 = 2.0f * r.x / float(fb_w) - 1.0f, x1 = 2.0f * (r.x + r.w) / float(fb_w) - 1.0f;
        const float y0 = 1.0f - 2.0f * r.y / float(fb_h), y1 = 1.0f - 2.0f * (r.y + r.h) / float(fb_h);
        gl.Uniform4f(current->loc[URect], x0, y0, x1, y1);
        gl.Uniform2f(current->loc[USizePx], r.w, r.h);
    }

    void use_image(const DrawList& list, int index) {
        has_image = false;
        if (index < 0 || size_t(index) >= list.images.size()) return;
        const FigureImage& im = list.images[size_t(index)];
        if (im.width <= 0 || im.height <= 0 || im.rgba.size() != size_t(im.width) * im.height * 4) return;
        gl.ActiveTexture(GL_TEXTURE0 + UnitImage);
        if (im.key == 0 || im.key != image_key) {
            upload(tex_image, GL_RGBA8, im.width, im.height, GL_RGBA, GL_UNSIGNED_BYTE, im.rgba.data(), GL_LINEAR);
            image_key = im.key;
            ++uploads;
        } else {
            gl.BindTexture(GL_TEXTURE_2D, tex_image);
        }
        has_image = true;
    }

    void draw_cells(const DrawList& list, const CellGridItem& g, float scale) {
        if (g.cols <= 0 || g.rows <= 0 || g.values.size() != size_t(g.cols) * g.rows || g.rect.empty()) return;
        const RectF r = scaled(g.rect, scale);
        if (!g.clip.empty()) {
            const RectF c = scaled(g.clip, scale);
            // Scissor box in whole pixels whose centres lie in the clip (as cell_raster does).
            const int x0 = int(std::ceil(c.x - 0.5f)), x1 = int(std::ceil(c.right() - 0.5f));
            const int y0 = int(std::ceil(c.y - 0.5f)), y1 = int(std::ceil(c.bottom() - 0.5f));
            if (x1 <= x0 || y1 <= y0) return;
            gl.Enable(GL_SCISSOR_TEST);
            gl.Scissor(x0, fb_h - y1, x1 - x0, y1 - y0);
        }
        use_image(list, g.image);
        const bool smooth = g.sampling == Sampling::Smooth;
        const bool flags = g.flags.size() == g.values.size();
        unsigned marks = 0;
        if (flags)
            for (uint8_t f : g.flags) marks |= f;
        marks &= kAllMarks;
        if (!use(marks | (smooth ? kVariantSmooth : 0u) | (has_image ? kVariantImage : 0u))) {
            gl.Disable(GL_SCISSOR_TEST);
            return;
        }
        if (smooth) {
            gl.ActiveTexture(GL_TEXTURE0 + UnitValues);
            upload(tex_values, GL_R32F, g.cols, g.rows, GL_RED, GL_FLOAT, g.values.data(), GL_LINEAR);
        } else {
            // The cell colours by the shader's rules (cell_raster.cpp looks them up the same way).
            const ColormapTable& table = colormap_table(g.colormap);
            colors.resize(g.values.size() * 4);
            for (size_t i = 0; i < g.values.size(); ++i) {
                const Rgb8 c = table[size_t(colormap_index(normalize_value(g.values[i], g.range, g.log_scale)))];
                colors[i * 4 + 0] = c.r;
                colors[i * 4 + 1] = c.g;
                colors[i * 4 + 2] = c.b;
                colors[i * 4 + 3] = 255;
            }
            gl.ActiveTexture(GL_TEXTURE0 + UnitColors);
            upload(tex_colors, GL_RGBA8, g.cols, g.rows, GL_RGBA, GL_UNSIGNED_BYTE, colors.data(), GL_NEAREST);
        }
        if (marks) {
            gl.ActiveTexture(GL_TEXTURE0 + UnitFlags);
            upload(tex_flags, GL_R8UI, g.cols, g.rows, GL_RED_INTEGER, GL_UNSIGNED_BYTE, g.flags.data(), GL_NEAREST);
        }
        gl.Uniform2i(current->loc[UGrid], g.cols, g.rows);
        gl.Uniform1i(current->loc[UShowGrid], g.grid_lines ? 1 : 0);
        gl.Uniform1i(current->loc[UCmapRow], int(g.colormap));
        gl.Uniform2f(current->loc[URange], g.range.lo, g.range.hi);
        gl.Uniform1i(current->loc[ULog], g.log_scale ? 1 : 0);
        gl.Uniform1f(current->loc[UOpacity], g.opacity);
        set_rect(r);
        gl.DrawArrays(GL_TRIANGLE_STRIP, 0, 4);
        gl.Disable(GL_SCISSOR_TEST);
    }

    void draw_colorbar(const ColorbarItem& c, float scale) {
        if (c.rect.empty() || !use(kVariantColorbar)) return;
        gl.Uniform1i(current->loc[UCmapRow], int(c.colormap));
        set_rect(scaled(c.rect, scale));
        gl.DrawArrays(GL_TRIANGLE_STRIP, 0, 4);
    }
};

GlFigureRenderer::GlFigureRenderer() : d_(std::make_unique<Impl>()) {}
GlFigureRenderer::~GlFigureRenderer() = default;

bool GlFigureRenderer::ready() const { return d_->ready; }
unsigned GlFigureRenderer::last_error() const { return d_->error; }
int GlFigureRenderer::image_uploads() const { return d_->uploads; }

bool GlFigureRenderer::initialize(const GlProcLoader& loader, std::string& error) {
    Impl& d = *d_;
    if (!gl::load_api(d.gl, loader.lookup, loader.user, error)) return false;
    auto& gl = d.gl;
    // The fullest variants now (a broken shader fails here, not mid-frame); each uniform must be in
    // one of them. The others are compiled when an item first needs them.
    const unsigned fullest[] = {kAllMarks, kAllMarks | kVariantImage, kAllMarks | kVariantImage | kVariantSmooth};
    for (unsigned v : fullest)
        if (!d.program(v, error)) return false;
    for (int i = 0; i < UCount; ++i) {
        if (std::all_of(std::begin(fullest), std::end(fullest), [&](unsigned v) { return d.programs[v].loc[i] < 0; })) {
            error = std::string("shaders/heatmap.frag: uniform ") + kUniforms[i] + " is missing after linking";
            return false;
        }
    }
    gl.GenVertexArrays(1, &d.vao);
    GLuint tex[5];
    gl.GenTextures(5, tex);
    d.tex_values = tex[0];
    d.tex_flags = tex[1];
    d.tex_image = tex[2];
    d.tex_cmap = tex[3];
    d.tex_colors = tex[4];
    for (GLuint t : {d.tex_values, d.tex_flags, d.tex_image, d.tex_cmap, d.tex_colors}) {
        gl.BindTexture(GL_TEXTURE_2D, t);
        gl.TexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
        gl.TexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
        gl.TexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        gl.TexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    }
    // Colormaps: one row of 256 RGBA8 texels per map, in Colormap order.
    std::vector<uint8_t> cm(size_t(kNumColormaps) * kColormapSize * 4);
    for (int c = 0; c < kNumColormaps; ++c) {
        const ColormapTable& t = colormap_table(Colormap(c));
        for (int i = 0; i < kColormapSize; ++i) {
            uint8_t* p = &cm[(size_t(c) * kColormapSize + i) * 4];
            p[0] = t[size_t(i)].r;
            p[1] = t[size_t(i)].g;
            p[2] = t[size_t(i)].b;
            p[3] = 255;
        }
    }
    d.upload(d.tex_cmap, GL_RGBA8, kColormapSize, kNumColormaps, GL_RGBA, GL_UNSIGNED_BYTE, cm.data(), GL_NEAREST);
    gl.BindTexture(GL_TEXTURE_2D, 0);
    d.error = gl.GetError();
    if (d.error != GL_NO_ERROR) {
        error = "OpenGL error " + std::to_string(d.error) + " while creating the figure renderer";
        return false;
    }
    d.ready = true;
    return true;
}

void GlFigureRenderer::release() {
    Impl& d = *d_;
    if (!d.ready) return;
    // Reverse order of creation.
    GLuint tex[5] = {d.tex_values, d.tex_flags, d.tex_image, d.tex_cmap, d.tex_colors};
    d.gl.DeleteTextures(5, tex);
    d.gl.DeleteVertexArrays(1, &d.vao);
    for (const auto& [variant, program] : d.programs)
        if (program.id) d.gl.DeleteProgram(program.id);
    d.programs.clear();
    d.ready = false;
    d.image_key = 0;
}

void GlFigureRenderer::begin_frame(int fb_width, int fb_height, Rgba clear) {
    Impl& d = *d_;
    d.fb_w = std::max(fb_width, 1);
    d.fb_h = std::max(fb_height, 1);
    if (!d.ready) return;
    d.gl.Viewport(0, 0, d.fb_w, d.fb_h);
    d.gl.ClearColor(float(clear.r) / 255.0f, float(clear.g) / 255.0f, float(clear.b) / 255.0f, 1.0f);
    d.gl.Clear(GL_COLOR_BUFFER_BIT);
}

void GlFigureRenderer::draw_pictures(const DrawList& list, float scale) {
    Impl& d = *d_;
    if (!d.ready) return;
    auto& gl = d.gl;
    gl.Disable(GL_DEPTH_TEST);
    gl.Disable(GL_BLEND);
    gl.Disable(GL_CULL_FACE);
    gl.Disable(GL_SCISSOR_TEST);
    gl.BindVertexArray(d.vao);
    d.theme = &list.theme;
    d.current = nullptr;  // use() sets the shared uniforms of each program the list needs
    gl.ActiveTexture(GL_TEXTURE0 + UnitCmap);
    gl.BindTexture(GL_TEXTURE_2D, d.tex_cmap);
    gl.ActiveTexture(GL_TEXTURE0 + UnitImage);
    gl.BindTexture(GL_TEXTURE_2D, d.tex_image);
    for (const DrawItem& item : list.items) {
        if (const auto* g = std::get_if<CellGridItem>(&item)) d.draw_cells(list, *g, scale);
        else if (const auto* c = std::get_if<ColorbarItem>(&item)) d.draw_colorbar(*c, scale);
    }
    gl.BindVertexArray(0);
    gl.UseProgram(0);
    gl.ActiveTexture(GL_TEXTURE0);
    d.current = nullptr;
    d.theme = nullptr;
    d.error = gl.GetError();
}

}  // namespace vitscope
