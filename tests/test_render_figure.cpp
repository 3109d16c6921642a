// The GL renderer draws the exact colormap colours and marks of a DrawList, and the live GL views
// and the PNG exporter agree pixel for pixel on the same description (one description, two backends).
#include "cell_raster.h"
#include "figure_export.h"
#include "gl_figure_widget.h"
#include "gl_offscreen_target.h"
#include "image_view.h"
#include "main_window.h"
#include "matrix_view.h"
#include "session.h"
#include "test_support.h"
#include "view_settings.h"

#include <QOpenGLContext>
#include <QPainter>
#include <QtTest>

using namespace vitscope;

namespace {

class Canvas : public GlFigureWidget {
public:
    DrawList list;
    QString error() const { return gl_error(); }
    FigureView figure_view() const override { return FigureView::Image; }

protected:
    BuiltFigure build(float w, float h) override {
        BuiltFigure b;
        b.list = list;
        b.list.width = w;
        b.list.height = h;
        return b;
    }
};

QColor rgb(Rgb8 c) { return QColor(c.r, c.g, c.b); }
QColor rgb(Rgba c) { return QColor(c.r, c.g, c.b); }

// Pixels of `a` and `b` (same size) whose largest channel difference exceeds `tol`, inside `area`
// (device pixels; empty = everywhere).
struct Diff {
    int over = 0, total = 0, worst = 0;
};
Diff compare(const QImage& a0, const QImage& b0, int tol, QRect area = {}, const QImage* skip = nullptr) {
    const QImage a = a0.convertToFormat(QImage::Format_RGB32), b = b0.convertToFormat(QImage::Format_RGB32);
    Diff d;
    if (area.isNull()) area = a.rect();
    area &= a.rect();
    for (int y = area.top(); y <= area.bottom(); ++y)
        for (int x = area.left(); x <= area.right(); ++x) {
            if (skip && qRed(skip->pixel(x, y)) > 0) continue;
            const QRgb p = a.pixel(x, y), q = b.pixel(x, y);
            const int m = std::max({std::abs(qRed(p) - qRed(q)), std::abs(qGreen(p) - qGreen(q)),
                                    std::abs(qBlue(p) - qBlue(q))});
            d.worst = std::max(d.worst, m);
            d.over += m > tol ? 1 : 0;
            ++d.total;
        }
    return d;
}

// Device pixels covered by the list's overlays (text boxes, lines, rectangles), which the GL view
// paints with Qt's GL paint engine and the exporter with the raster engine.
QImage overlay_mask(const DrawList& list, QSize size, double dpr) {
    QImage m(size, QImage::Format_RGB32);
    m.fill(Qt::black);
    QPainter p(&m);
    p.scale(dpr, dpr);
    for (const DrawItem& item : list.items) {
        QRectF r;
        if (const auto* t = std::get_if<TextItem>(&item)) {
            // Text may run past its box (never clipped): widen it by the box height.
            r = QRectF(t->box.x, t->box.y, t->box.w, t->box.h).adjusted(-t->box.h, -2, t->box.h, 2);
            if (t->halign == HAlign::Left) r.setRight(r.right() + 400);
        } else if (const auto* l = std::get_if<LineItem>(&item)) {
            r = QRectF(QPointF(std::min(l->x0, l->x1), std::min(l->y0, l->y1)),
                       QPointF(std::max(l->x0, l->x1), std::max(l->y0, l->y1)));
            r.adjust(-l->width - 2, -l->width - 2, l->width + 2, l->width + 2);
        } else if (const auto* q = std::get_if<RectItem>(&item)) {
            r = QRectF(q->rect.x, q->rect.y, q->rect.w, q->rect.h).adjusted(-q->stroke_width - 2, -q->stroke_width - 2,
                                                                               q->stroke_width + 2, q->stroke_width + 2);
        } else {
            continue;
        }
        p.fillRect(r, Qt::white);
    }
    return m;
}

// Pixels whose centre lies within half a pixel of a cell boundary: there the GPU's interpolated
// cell coordinate may round to the neighbouring cell (a tie the CPU breaks the other way).
void mark_cell_boundaries(QImage& mask, const DrawList& list, double dpr) {
    QPainter p(&mask);
    for (const DrawItem& item : list.items) {
        const auto* g = std::get_if<CellGridItem>(&item);
        if (!g) continue;
        const double cw = g->rect.w * dpr / g->cols, ch = g->rect.h * dpr / g->rows;
        for (int c = 0; c <= g->cols; ++c) {
            const double x = g->rect.x * dpr + cw * c;
            p.fillRect(QRectF(std::floor(x - 1.0), g->rect.y * dpr, 2.0, g->rect.h * dpr), Qt::white);
        }
        for (int r = 0; r <= g->rows; ++r) {
            const double y = g->rect.y * dpr + ch * r;
            p.fillRect(QRectF(g->rect.x * dpr, std::floor(y - 1.0), g->rect.w * dpr, 2.0), Qt::white);
        }
    }
}

QRect device_rect(const RectF& r, double dpr) {
    return QRect(QPoint(int(std::ceil(r.x * dpr)), int(std::ceil(r.y * dpr))),
                 QPoint(int(std::floor(r.right() * dpr)) - 1, int(std::floor(r.bottom() * dpr)) - 1));
}

}  // namespace

class TestRenderFigure : public QObject {
    Q_OBJECT
private:
    static QColor pixel(QWidget& c, const QImage& img, float x, float y) {
        const double dpr = c.devicePixelRatioF();
        return img.pixelColor(int(x * dpr), int(y * dpr));
    }

    // The GL view and the PNG exporter on the same DrawList: cell grids and colourbars within 3
    // levels per channel at every pixel that no overlay covers and that is not on a cell boundary
    // (GL_LINEAR's fixed-point weights and interpolated coordinates vs the CPU's floats), and at least 95% of all pixels within 2 levels (text and line antialiasing
    // differ between Qt's GL and raster paint engines).
    static void check_same_pixels(GlFigureWidget& v) {
        const QImage gl = v.grabFramebuffer();
        const double dpr = v.devicePixelRatioF();
        const QImage png = render_figure_image(v.built().list, 96.0 * dpr);
        QCOMPARE(png.size(), gl.size());
        if (qEnvironmentVariableIsSet("VITSCOPE_DUMP")) {
            static int dumps = 0;
            ++dumps;
            gl.save(QString("/tmp/gl_%1_%2.png").arg(v.metaObject()->className()).arg(dumps));
            png.save(QString("/tmp/png_%1_%2.png").arg(v.metaObject()->className()).arg(dumps));
        }
        QImage mask = overlay_mask(v.built().list, gl.size(), dpr);
        mark_cell_boundaries(mask, v.built().list, dpr);
        int pictures = 0;
        for (const DrawItem& item : v.built().list.items) {
            RectF r;
            if (const auto* g = std::get_if<CellGridItem>(&item)) r = g->clip.empty() ? g->rect : g->clip;
            else if (const auto* c = std::get_if<ColorbarItem>(&item)) r = c->rect;
            else continue;
            ++pictures;
            const Diff d = compare(gl, png, 3, device_rect(r, dpr), &mask);
            QVERIFY2(d.over == 0, qPrintable(QString("%1: %2 of %3 pixels of a picture at (%4, %5) differ by more than 3 (worst %6)")
                                                 .arg(v.metaObject()->className()).arg(d.over).arg(d.total)
                                                 .arg(r.x).arg(r.y).arg(d.worst)));
        }
        QVERIFY(pictures >= 2);
        const Diff all = compare(gl, png, 2);
        QVERIFY2(all.over <= all.total * 5 / 100, qPrintable(QString("%1 of %2 pixels differ by more than 2 (worst %3)")
                                                             .arg(all.over).arg(all.total).arg(all.worst)));
    }

private slots:
    void initTestCase() { QSurfaceFormat::setDefaultFormat(gl_core_format()); }

    void exact_colormap_colours_data() {
        QTest::addColumn<int>("map");
        QTest::addColumn<bool>("log");
        QTest::newRow("viridis linear") << int(Colormap::Viridis) << false;
        QTest::newRow("inferno linear") << int(Colormap::Inferno) << false;
        QTest::newRow("magma log") << int(Colormap::Magma) << true;
        QTest::newRow("grey linear") << int(Colormap::Grey) << false;
    }
    void exact_colormap_colours() {
        QFETCH(int, map);
        QFETCH(bool, log);
        Canvas c;
        c.resize(400, 200);
        c.list.theme = theme_dark();
        CellGridItem g;
        g.rect = {0, 0, 380, 200};
        g.cols = 4;
        g.rows = 2;
        // Row 0: 0, 0.25, 0.5, 1; row 1: 1e-3, 0.1, 0.75, 0.0 (exact zero, e.g. a masked key).
        g.values = {0.0f, 0.25f, 0.5f, 1.0f, 1e-3f, 0.1f, 0.75f, 0.0f};
        g.colormap = Colormap(map);
        g.log_scale = log;
        g.range = effective_range({0.0f, 1.0f}, log);
        c.list.add(g);
        const ColorbarItem bar{{380, 0, 20, 200}, g.colormap};
        c.list.add(bar);
        c.show();
        QVERIFY(QTest::qWaitForWindowExposed(&c));
        const QImage img = c.grabFramebuffer();
        QVERIFY2(c.error().isEmpty(), qPrintable(c.error()));
        for (int i = 0; i < 8; ++i) {
            const float x = 95.0f * float(i % 4) + 47.5f, y = 100.0f * float(i / 4) + 50.0f;
            const QColor want = rgb(colormap_lookup(g.colormap, normalize_value(g.values[size_t(i)], g.range, log)));
            const QColor got = pixel(c, img, x, y);
            QVERIFY2(got == want, qPrintable(QString("cell %1: got %2, want %3").arg(i).arg(got.name(), want.name())));
        }
        // The colorbar runs from the lowest colour (bottom) to the highest (top); a pixel row at
        // height y shows t = 1 - (y + 0.5) / h.
        for (float y : {0.5f, 47.5f, 95.5f, 199.5f}) {
            const float t = 1.0f - y / 200.0f;
            QCOMPARE(pixel(c, img, 390, y), rgb(colormap_lookup(g.colormap, t)));
        }
        // The CPU twin gives the same pixels.
        QCOMPARE(compare(img, render_figure_image(c.built().list, 96.0 * c.devicePixelRatioF()), 0).over, 0);
    }

    void marks_from_the_theme() {
        Canvas c;
        c.resize(200, 200);
        c.list.theme = theme_dark();
        CellGridItem g;
        g.rect = {0, 0, 200, 200};
        g.cols = 2;
        g.rows = 2;
        g.values = {1.0f, 1.0f, 1.0f, 1.0f};
        g.flags = {kCellOutline, kCellMasked, kCellOutside, 0};
        g.range = {0.0f, 1.0f};
        g.opacity = 0.0f;  // background only
        c.list.add(g);
        c.show();
        QVERIFY(QTest::qWaitForWindowExposed(&c));
        const QImage img = c.grabFramebuffer();
        const Theme t = theme_dark();
        // Opacity 0: the theme's empty-cell colour shows, not the colormap.
        QCOMPARE(pixel(c, img, 150, 150), rgb(t.empty_cell));
        // The query frame at the cell's edge, not inside.
        QCOMPARE(pixel(c, img, 1, 50), rgb(t.query_frame));
        QVERIFY(pixel(c, img, 50, 50) != rgb(t.query_frame));
        // Masked: rising stripes where mod(x + y, 7) < 2.5 (pixel centres), the cell colour elsewhere.
        QCOMPARE(pixel(c, img, 103, 3), rgb(t.masked_hatch));   // 103.5 + 3.5 = 107 = 15 * 7 + 2
        QCOMPARE(pixel(c, img, 105, 3), rgb(t.empty_cell));     // 109 mod 7 = 4
        // Outside: falling stripes where mod(x - y, 8) < 1, the dimmed background elsewhere.
        QCOMPARE(pixel(c, img, 20, 116), rgb(t.outside_hatch));  // 20.5 - 116.5 = -96 = -12 * 8
        QVERIFY(pixel(c, img, 24, 116) != rgb(t.outside_hatch));
        QCOMPARE(compare(img, render_figure_image(c.built().list, 96.0 * c.devicePixelRatioF()), 0).over, 0);
    }

    // The renderer drawing into an offscreen framebuffer (the lab's panels, GPU export) gives the
    // CPU twin's pixels, read back top row first.
    void offscreen_target_equals_the_cpu_twin() {
        Canvas c;  // only for a current GL 3.3 core context
        c.resize(64, 64);
        c.show();
        QVERIFY(QTest::qWaitForWindowExposed(&c));
        c.makeCurrent();
        auto lookup = [](void*, const char* name) -> void* {
            return reinterpret_cast<void*>(QOpenGLContext::currentContext()->getProcAddress(name));
        };
        GlFigureRenderer renderer;
        GlOffscreenTarget target;
        std::string error;
        QVERIFY2(renderer.initialize({lookup, nullptr}, error), error.c_str());
        QVERIFY2(target.initialize({lookup, nullptr}, error), error.c_str());
        DrawList list;
        list.width = 300;
        list.height = 170;
        list.theme = theme_dark();
        CellGridItem g;
        g.rect = {10, 10, 240, 150};
        g.cols = 4;
        g.rows = 3;  // not square, and the rows differ: an upside-down read would show
        g.values = {0.0f, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f, 1.0f, 0.05f};
        g.flags = {kCellOutline, 0, kCellMasked, 0, 0, kCellOutside, 0, 0, 0, 0, 0, 0};
        g.range = {0.0f, 1.0f};
        g.colormap = Colormap::Inferno;
        list.add(g);
        list.add(ColorbarItem{{270, 10, 20, 150}, Colormap::Inferno});
        QVERIFY(target.begin(300, 170));
        renderer.begin_frame(300, 170, list.theme.background);
        renderer.draw_pictures(list, 1.0f);
        target.end();
        const std::vector<uint8_t> rgba = target.read_rgba();
        QCOMPARE(renderer.last_error(), 0u);
        QCOMPARE(int(rgba.size()), 300 * 170 * 4);
        const QImage gpu = QImage(rgba.data(), 300, 170, 300 * 4, QImage::Format_RGBA8888).copy();
        const QImage cpu = render_figure_image(list, 96.0);
        QCOMPARE(cpu.size(), gpu.size());
        const Diff d = compare(gpu, cpu, 0);
        QVERIFY2(d.over == 0, qPrintable(QString("%1 of %2 pixels differ (worst %3)").arg(d.over).arg(d.total).arg(d.worst)));
        target.release();
        renderer.release();
        c.doneCurrent();
    }

    void live_views_equal_their_png_export() {
        MainWindow w(false);
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.start({QString::fromStdString(test::data_path("vit/vit_tiny_hf")), QString()});
        QVERIFY(w.session()->wait_idle());
        // A query frame, masked keys (hatching) and the photo under the heatmap.
        w.view_settings()->set_query(2);
        w.session()->toggle_masked_key(3);
        w.session()->toggle_masked_key(5);
        QVERIFY(w.session()->wait_idle());
        QTest::qWait(50);
        check_same_pixels(*w.image_view());
        check_same_pixels(*w.matrix_view());
        // Swin: keys outside the window dimmed, the shift mask cross-hatched, windows drawn.
        w.open_model(QString::fromStdString(test::data_path("swin/swin_tiny_hf")));
        QVERIFY(w.session()->wait_idle());
        w.view_settings()->set_layer(1);  // a shifted block
        w.view_settings()->set_query(0);
        QTest::qWait(50);
        QVERIFY(!w.image_view()->partition().region_of.empty());
        check_same_pixels(*w.image_view());
        check_same_pixels(*w.matrix_view());
    }
};

QTEST_MAIN(TestRenderFigure)
#include "test_render_figure.moc"
