#include "gl_figure_widget.h"

#include "figure_export.h"

#include <QOpenGLContext>
#include <QPainter>

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

GlFigureWidget::GlFigureWidget(QWidget* parent) : QOpenGLWidget(parent) { setFormat(gl_core_format()); }

GlFigureWidget::~GlFigureWidget() {
    // The context outlives this destructor (QOpenGLWidget's own destructor frees it): release our
    // GL objects now and drop the connection, so that aboutToBeDestroyed never calls into a
    // destroyed object.
    QObject::disconnect(context_connection_);
    if (context()) {
        makeCurrent();
        release_gl();
        doneCurrent();
    }
}

void GlFigureWidget::release_gl() { renderer_.release(); }

void GlFigureWidget::initializeGL() {
    QObject::disconnect(context_connection_);
    context_connection_ = connect(context(), &QOpenGLContext::aboutToBeDestroyed, this, [this] {
        makeCurrent();
        release_gl();
        doneCurrent();
    });
    std::string err;
    if (!renderer_.initialize({&lookup_gl, nullptr}, err)) {
        gl_error_ = QString::fromStdString(err);
        qWarning("vitscope: %s", qPrintable(gl_error_));
    }
}

void GlFigureWidget::resizeEvent(QResizeEvent* e) {
    QOpenGLWidget::resizeEvent(e);
    refresh();
}

void GlFigureWidget::refresh() {
    stale_ = true;
    if (isVisible()) built();
    update();
}

const BuiltFigure& GlFigureWidget::built() const {
    if (stale_ || built_.list.width != float(width()) || built_.list.height != float(height())) {
        // Logically const: the cached figure of the current data at the current size.
        built_ = const_cast<GlFigureWidget*>(this)->build(float(width()), float(height()));
        stale_ = false;
    }
    return built_;
}

void GlFigureWidget::paintGL() {
    const float dpr = float(devicePixelRatioF());
    const BuiltFigure& fig = built();
    renderer_.begin_frame(int(width() * dpr), int(height() * dpr), fig.list.theme.background);
    renderer_.draw_pictures(fig.list, dpr);
    QPainter p(this);
    // Without a working GL renderer the exporter's raster path draws the pictures too.
    paint_draw_list(p, fig.list, dpr, CellPath::Raster,
                    renderer_.ready() ? PaintLayers::OverlayOnly : PaintLayers::All);
    if (!gl_error_.isEmpty()) {
        p.setPen(QColor(255, 120, 120));
        p.drawText(rect().adjusted(8, 8, -8, -8), Qt::AlignCenter | Qt::TextWordWrap, "OpenGL: " + gl_error_);
    }
    after_paint(p);
    ++frames_;
}

}  // namespace vitscope
