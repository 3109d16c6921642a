#include "gl_offscreen_target.h"

#include "gl_api.h"

#include <algorithm>
#include <cstring>

namespace vitscope {

struct GlOffscreenTarget::Impl {
    gl::Api gl;
    bool ready = false;
    GLuint fbo = 0, tex = 0;
    int w = 0, h = 0;
    GLint previous_fbo = 0;
};

GlOffscreenTarget::GlOffscreenTarget() : d_(std::make_unique<Impl>()) {}
GlOffscreenTarget::~GlOffscreenTarget() = default;

bool GlOffscreenTarget::initialize(const GlProcLoader& loader, std::string& error) {
    if (!gl::load_api(d_->gl, loader.lookup, loader.user, error)) return false;
    d_->gl.GenFramebuffers(1, &d_->fbo);
    d_->gl.GenTextures(1, &d_->tex);
    d_->ready = true;
    return true;
}

void GlOffscreenTarget::release() {
    Impl& d = *d_;
    if (!d.ready) return;
    d.gl.DeleteTextures(1, &d.tex);
    d.gl.DeleteFramebuffers(1, &d.fbo);
    d.ready = false;
    d.w = d.h = 0;
}

bool GlOffscreenTarget::begin(int width, int height) {
    Impl& d = *d_;
    if (!d.ready) return false;
    width = std::max(width, 1);
    height = std::max(height, 1);
    auto& gl = d.gl;
    gl.GetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &d.previous_fbo);
    gl.BindFramebuffer(GL_FRAMEBUFFER, d.fbo);
    if (width != d.w || height != d.h) {
        gl.BindTexture(GL_TEXTURE_2D, d.tex);
        gl.TexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
        // Shown at its own size, pixel for pixel: nearest sampling (and a software rasteriser's
        // fast path for it).
        gl.TexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
        gl.TexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
        gl.TexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        gl.TexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
        gl.FramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, d.tex, 0);
        gl.BindTexture(GL_TEXTURE_2D, 0);
        d.w = width;
        d.h = height;
    }
    if (gl.CheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) {
        gl.BindFramebuffer(GL_FRAMEBUFFER, GLuint(d.previous_fbo));
        return false;
    }
    return true;
}

void GlOffscreenTarget::end() {
    if (d_->ready) d_->gl.BindFramebuffer(GL_FRAMEBUFFER, GLuint(d_->previous_fbo));
}

void GlOffscreenTarget::blit(int src_x, int src_y, int width, int height, int dst_x, int dst_y) const {
    const Impl& d = *d_;
    if (!d.ready || width <= 0 || height <= 0) return;
    GLint previous = 0;
    d.gl.GetIntegerv(GL_READ_FRAMEBUFFER_BINDING, &previous);
    d.gl.BindFramebuffer(GL_READ_FRAMEBUFFER, d.fbo);
    d.gl.BlitFramebuffer(src_x, src_y, src_x + width, src_y + height, dst_x, dst_y, dst_x + width, dst_y + height,
                         GL_COLOR_BUFFER_BIT, GL_NEAREST);
    d.gl.BindFramebuffer(GL_READ_FRAMEBUFFER, GLuint(previous));
}

unsigned GlOffscreenTarget::texture() const { return d_->tex; }
int GlOffscreenTarget::width() const { return d_->w; }
int GlOffscreenTarget::height() const { return d_->h; }

std::vector<uint8_t> GlOffscreenTarget::read_rgba() const {
    const Impl& d = *d_;
    std::vector<uint8_t> out;
    if (!d.ready || d.w <= 0 || d.h <= 0) return out;
    GLint previous = 0;
    d.gl.GetIntegerv(GL_READ_FRAMEBUFFER_BINDING, &previous);
    d.gl.BindFramebuffer(GL_READ_FRAMEBUFFER, d.fbo);
    d.gl.PixelStorei(GL_PACK_ALIGNMENT, 1);
    std::vector<uint8_t> bottom_up(size_t(d.w) * d.h * 4);
    d.gl.ReadPixels(0, 0, d.w, d.h, GL_RGBA, GL_UNSIGNED_BYTE, bottom_up.data());
    d.gl.BindFramebuffer(GL_READ_FRAMEBUFFER, GLuint(previous));
    out.resize(bottom_up.size());
    const size_t row = size_t(d.w) * 4;
    for (int y = 0; y < d.h; ++y) std::memcpy(&out[size_t(y) * row], &bottom_up[size_t(d.h - 1 - y) * row], row);
    return out;
}

}  // namespace vitscope
