#include "gl_figure_renderer.h"

#include "cell_marks.h"
#include "embedded_shaders.h"
#include "gl_api.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace vitscope {

namespace {

// Every uniform heatmap.frag/vert declares; each must exist after linking.
constexpr const char* kUniforms[] = {
    "u_rect",      "u_values",    "u_flags",      "u_image",       "u_cmap",      "u_grid",       "u_cmap_row",
    "u_range",     "u_log",       "u_smooth",     "u_has_image",   "u_has_flags", "u_show_grid",  "u_colorbar",
    "u_opacity",   "u_size_px",   "u_fb_height",  "u_empty",       "u_grid_line", "u_outside_dim", "u_outside_hatch",
    "u_highlight", "u_shift_hatch", "u_masked_hatch", "u_query_frame", "u_hover_frame"};
enum Uniform {
    URect, UValues, UFlags, UImage, UCmap, UGrid, UCmapRow, URange, ULog, USmooth, UHasImage, UHasFlags, UShowGrid,
    UColorbar, UOpacity, USizePx, UFbHeight, UEmpty, UGridLine, UOutsideDim, UOutsideHatch, UHighlight, UShiftHatch,
    UMaskedHatch, UQueryFrame, UHoverFrame, UCount
};
static_assert(sizeof(kUniforms) / sizeof(kUniforms[0]) == UCount, "one name per uniform");

RectF scaled(const RectF& r, float s) { return {r.x * s, r.y * s, r.w * s, r.h * s}; }

}  // namespace

struct GlFigureRenderer::Impl {
    gl::Api gl;
    bool ready = false;
    GLuint program = 0, vao = 0;
    GLuint tex_values = 0, tex_flags = 0, tex_image = 0, tex_cmap = 0;
    GLint loc[UCount] = {};
    uint64_t image_key = 0;
    bool has_image = false;
    int uploads = 0;
    int fb_w = 1, fb_h = 1;
    unsigned error = 0;

    GLuint compile(GLenum type, const char* name, const char* body, std::string& err) {
        // The version line, then the constants generated from cell_marks.h, then the file.
        const std::string src = "#version 330 core\n" + cell_marks_glsl_defines() + "#line 1\n" + body;
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
        gl.Uniform4f(loc[URect], x0, y0, x1, y1);
        gl.Uniform2f(loc[USizePx], r.w, r.h);
    }

    void colour(Uniform u, Rgba c) { gl.Uniform3f(loc[u], float(c.r) / 255.0f, float(c.g) / 255.0f, float(c.b) / 255.0f); }

    void use_image(const DrawList& list, int index) {
        has_image = false;
        if (index < 0 || size_t(index) >= list.images.size()) return;
        const FigureImage& im = list.images[size_t(index)];
        if (im.width <= 0 || im.height <= 0 || im.rgba.size() != size_t(im.width) * im.height * 4) return;
        gl.ActiveTexture(GL_TEXTURE2);
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
        gl.ActiveTexture(GL_TEXTURE0);
        upload(tex_values, GL_R32F, g.cols, g.rows, GL_RED, GL_FLOAT, g.values.data(), smooth ? GL_LINEAR : GL_NEAREST);
        const bool flags = g.flags.size() == g.values.size();
        gl.ActiveTexture(GL_TEXTURE1);
        if (flags) upload(tex_flags, GL_R8UI, g.cols, g.rows, GL_RED_INTEGER, GL_UNSIGNED_BYTE, g.flags.data(), GL_NEAREST);
        gl.Uniform1i(loc[UHasFlags], flags ? 1 : 0);
        gl.Uniform2i(loc[UGrid], g.cols, g.rows);
        gl.Uniform1i(loc[USmooth], smooth ? 1 : 0);
        gl.Uniform1i(loc[UHasImage], has_image ? 1 : 0);
        gl.Uniform1i(loc[UColorbar], 0);
        gl.Uniform1i(loc[UShowGrid], g.grid_lines ? 1 : 0);
        gl.Uniform1i(loc[UCmapRow], int(g.colormap));
        gl.Uniform2f(loc[URange], g.range.lo, g.range.hi);
        gl.Uniform1i(loc[ULog], g.log_scale ? 1 : 0);
        gl.Uniform1f(loc[UOpacity], g.opacity);
        set_rect(r);
        gl.DrawArrays(GL_TRIANGLE_STRIP, 0, 4);
        gl.Disable(GL_SCISSOR_TEST);
    }

    void draw_colorbar(const ColorbarItem& c, float scale) {
        if (c.rect.empty()) return;
        gl.Uniform1i(loc[UColorbar], 1);
        gl.Uniform1i(loc[UCmapRow], int(c.colormap));
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
    const GLuint vs = d.compile(GL_VERTEX_SHADER, "heatmap.vert", kShader_heatmap_vert, error);
    if (!vs) return false;
    const GLuint fs = d.compile(GL_FRAGMENT_SHADER, "heatmap.frag", kShader_heatmap_frag, error);
    if (!fs) {
        gl.DeleteShader(vs);
        return false;
    }
    d.program = gl.CreateProgram();
    gl.AttachShader(d.program, vs);
    gl.AttachShader(d.program, fs);
    gl.LinkProgram(d.program);
    gl.DeleteShader(vs);
    gl.DeleteShader(fs);
    GLint ok = 0;
    gl.GetProgramiv(d.program, GL_LINK_STATUS, &ok);
    if (!ok) {
        char log[2048] = {};
        gl.GetProgramInfoLog(d.program, sizeof log, nullptr, log);
        error = std::string("shaders/heatmap.{vert,frag}: link error: ") + log;
        gl.DeleteProgram(d.program);
        return false;
    }
    for (int i = 0; i < UCount; ++i) {
        d.loc[i] = gl.GetUniformLocation(d.program, kUniforms[i]);
        if (d.loc[i] < 0) {
            error = std::string("shaders/heatmap.frag: uniform ") + kUniforms[i] + " is missing after linking";
            gl.DeleteProgram(d.program);
            return false;
        }
    }
    gl.GenVertexArrays(1, &d.vao);
    GLuint tex[4];
    gl.GenTextures(4, tex);
    d.tex_values = tex[0];
    d.tex_flags = tex[1];
    d.tex_image = tex[2];
    d.tex_cmap = tex[3];
    for (GLuint t : {d.tex_values, d.tex_flags, d.tex_image, d.tex_cmap}) {
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
    GLuint tex[4] = {d.tex_values, d.tex_flags, d.tex_image, d.tex_cmap};
    d.gl.DeleteTextures(4, tex);
    d.gl.DeleteVertexArrays(1, &d.vao);
    d.gl.DeleteProgram(d.program);
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
    gl.UseProgram(d.program);
    gl.BindVertexArray(d.vao);
    gl.Uniform1i(d.loc[UValues], 0);
    gl.Uniform1i(d.loc[UFlags], 1);
    gl.Uniform1i(d.loc[UImage], 2);
    gl.Uniform1i(d.loc[UCmap], 3);
    gl.Uniform1f(d.loc[UFbHeight], float(d.fb_h));
    const Theme& t = list.theme;
    d.colour(UEmpty, t.empty_cell);
    d.colour(UGridLine, t.grid_line);
    d.colour(UOutsideDim, t.outside_dim);
    d.colour(UOutsideHatch, t.outside_hatch);
    d.colour(UHighlight, t.highlight);
    d.colour(UShiftHatch, t.shift_hatch);
    d.colour(UMaskedHatch, t.masked_hatch);
    d.colour(UQueryFrame, t.query_frame);
    d.colour(UHoverFrame, t.hover_frame);
    gl.ActiveTexture(GL_TEXTURE3);
    gl.BindTexture(GL_TEXTURE_2D, d.tex_cmap);
    gl.ActiveTexture(GL_TEXTURE2);
    gl.BindTexture(GL_TEXTURE_2D, d.tex_image);
    for (const DrawItem& item : list.items) {
        if (const auto* g = std::get_if<CellGridItem>(&item)) d.draw_cells(list, *g, scale);
        else if (const auto* c = std::get_if<ColorbarItem>(&item)) d.draw_colorbar(*c, scale);
    }
    gl.BindVertexArray(0);
    gl.UseProgram(0);
    gl.ActiveTexture(GL_TEXTURE0);
    d.error = gl.GetError();
}

}  // namespace vitscope
