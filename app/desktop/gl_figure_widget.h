// Base of the views that show a DrawList: the subclass builds its figure (view_figures.h) for the
// widget's size; this class draws the figure's cell grids and colourbars with the GL renderer and
// everything else (text, lines, rectangles) with the exporter's QPainter backend on top — the same
// description, the same code that writes PNG/SVG/PDF. Owns the renderer for its own context
// (created in initializeGL, released when the context goes away or the widget is destroyed).
#pragma once

#include "gl_figure_renderer.h"
#include "view_figures.h"

#include <QMetaObject>
#include <QOpenGLWidget>

namespace vitscope {

// OpenGL 3.3 core, the version shaders/ is written for.
QSurfaceFormat gl_core_format();

class GlFigureWidget : public QOpenGLWidget {
    Q_OBJECT
public:
    explicit GlFigureWidget(QWidget* parent = nullptr);
    ~GlFigureWidget() override;

    QString gl_error() const { return gl_error_; }
    int frames() const { return frames_; }
    // The figure on screen (built for the widget's current size). A hidden widget (a docked tab
    // behind another) builds it only when asked for or shown.
    const BuiltFigure& built() const;
    // Which view this widget shows (for Export / Copy).
    virtual FigureView figure_view() const = 0;

protected:
    void initializeGL() override;
    void paintGL() override;
    void resizeEvent(QResizeEvent* e) override;

    // Builds the figure for width x height logical px. Called by refresh() and on resize.
    virtual BuiltFigure build(float width, float height) = 0;
    // The data or selection changed: rebuilds the figure now when the widget is visible (else when it
    // is next asked for or painted) and schedules a repaint.
    void refresh();
    // Draws extra decorations after the figure (none by default).
    virtual void after_paint(QPainter&) {}

private:
    void release_gl();

    mutable BuiltFigure built_;  // a cache of build(): filled on demand by built()
    mutable bool stale_ = true;

    GlFigureRenderer renderer_;
    QMetaObject::Connection context_connection_;
    QString gl_error_;
    int frames_ = 0;
};

}  // namespace vitscope
