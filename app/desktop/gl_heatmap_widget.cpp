#include "gl_heatmap_widget.h"

#include <QOpenGLContext>
#include <QPainter>

#include <algorithm>

namespace vitscope {

QSurfaceFormat gl_core_format() {
    QSurfaceFormat f;
    f.setVersion(3, 3);
    f.setProfile(QSurfaceFormat::CoreProfile);
    return f;
}

namespace {
void* lookup_gl(void*, const char* name) {
    QOpenGLContext* ctx = QOpenGLContext::currentContext();
    return ctx ? reinterpret_cast<void*>(ctx->getProcAddress(name)) : nullptr;
}
}  // namespace

GlHeatmapWidget::GlHeatmapWidget(QWidget* parent) : QOpenGLWidget(parent) { setFormat(gl_core_format()); }

GlHeatmapWidget::~GlHeatmapWidget() {
    // ~QOpenGLWidget destroys the context after renderer_ is gone: the slot must not run then.
    disconnect(context_teardown_);
    makeCurrent();
    release_gl();
    doneCurrent();
}

void GlHeatmapWidget::release_gl() { renderer_.release(); }

void GlHeatmapWidget::initializeGL() {
    disconnect(context_teardown_);
    context_teardown_ = connect(context(), &QOpenGLContext::aboutToBeDestroyed, this, [this] {
        makeCurrent();
        release_gl();
        doneCurrent();
    });
    std::string err;
    if (!renderer_.initialize({&lookup_gl, nullptr}, VITSCOPE_SHADER_DIR, err)) {
        gl_error_ = QString::fromStdString(err);
        qWarning("vitscope: %s", qPrintable(gl_error_));
    }
    image_dirty_ = !image_.isNull();
}

void GlHeatmapWidget::set_image(const QImage& rgba) {
    image_ = rgba.convertToFormat(QImage::Format_RGBA8888);
    image_dirty_ = true;
    update();
}

void GlHeatmapWidget::paintGL() {
    const float dpr = float(devicePixelRatioF());
    renderer_.begin_frame(int(width() * dpr), int(height() * dpr), 0.16f, 0.16f, 0.18f);
    if (renderer_.ready()) {
        if (image_dirty_ && !image_.isNull()) {
            // Rows must be tightly packed for the upload.
            QImage packed = image_.bytesPerLine() == image_.width() * 4 ? image_ : image_.copy();
            renderer_.set_image(packed.width(), packed.height(), packed.constBits());
            image_dirty_ = false;
        }
        draw_gl(renderer_, dpr);
    }
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    if (!gl_error_.isEmpty()) {
        p.setPen(QColor(255, 120, 120));
        p.drawText(rect().adjusted(8, 8, -8, -8), Qt::AlignCenter | Qt::TextWordWrap, "OpenGL: " + gl_error_);
    }
    draw_overlay(p);
    ++frames_;
}

void GlHeatmapWidget::draw_figure_text(QPainter& p, const HeatmapFigure& f, const HeatmapLayout& l, bool small) {
    QFont font = p.font();
    font.setPointSizeF(small ? 7.0 : 8.5);
    p.setFont(font);
    p.setPen(QColor(230, 230, 235));
    if (!l.title.empty())
        p.drawText(QRectF(l.title.x, l.title.y, l.title.w, l.title.h), Qt::AlignLeft | Qt::AlignVCenter,
                   QString::fromStdString(f.title));
    if (!l.colorbar.empty()) {
        const QFontMetricsF fm(font);
        for (const ColorbarTick& t : f.ticks) {
            const double y = l.colorbar.y + (1.0 - t.t) * l.colorbar.h;
            const double x = l.colorbar.x + l.colorbar.w;
            p.drawLine(QPointF(x, y), QPointF(x + 3, y));
            const double ty = std::clamp(y + fm.ascent() / 2 - 1, double(l.colorbar.y) + fm.ascent() - 2,
                                         double(l.colorbar.y + l.colorbar.h) + 2);
            p.drawText(QPointF(x + 5, ty), QString::fromStdString(t.label));
        }
    }
    if (!l.side.empty() && l.cell >= 14) {
        font.setPointSizeF(std::clamp(l.cell / 4.0, 6.0, 9.0));
        p.setFont(font);
        for (size_t i = 0; i < f.side_labels.size(); ++i) {
            const QRectF cell(l.side.x, l.side.y + l.cell * float(i), l.cell, l.cell);
            p.setPen(Qt::black);
            p.drawText(cell.translated(1, 1), Qt::AlignCenter, QString::fromStdString(f.side_labels[i]));
            p.setPen(Qt::white);
            p.drawText(cell, Qt::AlignCenter, QString::fromStdString(f.side_labels[i]));
        }
    }
}

}  // namespace vitscope
