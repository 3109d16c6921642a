// Base for the views that draw HeatmapFigures with the GL renderer: owns the renderer for its own
// context (created in initializeGL, released on aboutToBeDestroyed) and the image texture, and
// paints text (titles, colorbar numbers, token labels) over the GL picture with QPainter.
#pragma once

#include "heatmap_renderer.h"

#include <QImage>
#include <QOpenGLWidget>

class QPainter;

namespace vitscope {

// OpenGL 3.3 core, the version shaders/ is written for.
QSurfaceFormat gl_core_format();

class GlHeatmapWidget : public QOpenGLWidget {
    Q_OBJECT
public:
    explicit GlHeatmapWidget(QWidget* parent = nullptr);
    ~GlHeatmapWidget() override;

    QString gl_error() const { return gl_error_; }
    int frames() const { return frames_; }

protected:
    void initializeGL() override;
    void paintGL() override;

    // Called with the frame begun (viewport set, cleared).
    virtual void draw_gl(HeatmapRenderer& r, float dpr) = 0;
    // Text and frames over the GL picture (logical coordinates).
    virtual void draw_overlay(QPainter&) {}

    void set_image(const QImage& rgba);  // uploaded on the next paint

    // Title, colorbar tick labels and special-token labels of one drawn figure.
    static void draw_figure_text(QPainter& p, const HeatmapFigure& f, const HeatmapLayout& l, bool small = false);

private:
    void release_gl();

    HeatmapRenderer renderer_;
    QMetaObject::Connection context_teardown_;
    QImage image_;
    bool image_dirty_ = false;
    QString gl_error_;
    int frames_ = 0;
};

}  // namespace vitscope
