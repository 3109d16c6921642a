// The GL renderer draws the exact colormap colours: a known attention texture, read back through
// grabFramebuffer on a QOpenGLWidget that hosts the renderer.
#include "attention_stats.h"
#include "gl_heatmap_widget.h"

#include <QtTest>

using namespace vitscope;

namespace {

class Canvas : public GlHeatmapWidget {
public:
    HeatmapFigure figure;
    HeatmapLayout layout;
    QString error() const { return gl_error(); }

protected:
    void draw_gl(HeatmapRenderer& r, float dpr) override { r.draw(figure, layout, dpr); }
};

QColor rgb(Rgb8 c) { return QColor(c.r, c.g, c.b); }

}  // namespace

class TestRenderHeatmap : public QObject {
    Q_OBJECT
private:
    // Reads the pixel at logical (x, y) of the canvas framebuffer.
    static QColor pixel(Canvas& c, const QImage& img, float x, float y) {
        const double dpr = c.devicePixelRatioF();
        return img.pixelColor(int(x * dpr), int(y * dpr));
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
        HeatmapFigure& f = c.figure;
        f.grid_w = 4;
        f.grid_h = 2;
        // Row 0: 0, 0.25, 0.5, 1; row 1: 1e-3, 0.1, 0.75, 0.0 (exact zero, e.g. a masked key).
        f.values = {0.0f, 0.25f, 0.5f, 1.0f, 1e-3f, 0.1f, 0.75f, 0.0f};
        f.colormap = Colormap(map);
        f.log_scale = log;
        f.value_range = effective_range({0.0f, 1.0f}, log);
        f.opacity = 1.0f;
        f.show_image = false;
        f.show_grid = false;
        f.show_colorbar = true;
        LayoutStyle s;
        s.margin = 0;
        s.gap = 0;
        s.colorbar_width = 20;
        s.colorbar_labels = 0;
        c.layout = layout_heatmap(f, {0, 0, 400, 200}, s);
        QCOMPARE(c.layout.grid.w, 380.0f);  // 4 cells of 95 px, then the 20 px bar
        c.show();
        QVERIFY(QTest::qWaitForWindowExposed(&c));
        const QImage img = c.grabFramebuffer();
        QVERIFY2(c.error().isEmpty(), qPrintable(c.error()));
        for (int i = 0; i < f.num_cells(); ++i) {
            float x, y;
            cell_center(f, c.layout, HitResult::Patch, i, x, y);
            const QColor want = rgb(colormap_lookup(f.colormap, normalize_value(f.values[size_t(i)], f.value_range, log)));
            const QColor got = pixel(c, img, x, y);
            QVERIFY2(got == want, qPrintable(QString("cell %1: got %2, want %3").arg(i).arg(got.name(), want.name())));
        }
        // The colorbar runs from the lowest colour (bottom) to the highest (top); a pixel row at
        // height y shows t = 1 - (y + 0.5) / h.
        const RectF& bar = c.layout.colorbar;
        for (float y : {0.5f, 47.5f, 95.5f, bar.h - 0.5f}) {
            const float t = 1.0f - y / bar.h;
            QCOMPARE(pixel(c, img, bar.x + bar.w / 2, bar.y + y), rgb(colormap_lookup(f.colormap, t)));
        }
    }

    void flags_and_opacity() {
        Canvas c;
        c.resize(200, 200);
        HeatmapFigure& f = c.figure;
        f.grid_w = 2;
        f.grid_h = 2;
        f.values = {1.0f, 1.0f, 1.0f, 1.0f};
        f.cell_flags = {kCellOutline, 0, 0, 0};
        f.value_range = {0.0f, 1.0f};
        f.opacity = 0.0f;  // background only
        f.show_image = false;
        f.show_grid = false;
        f.show_colorbar = false;
        LayoutStyle s;
        s.margin = 0;
        c.layout = layout_heatmap(f, {0, 0, 200, 200}, s);
        c.show();
        QVERIFY(QTest::qWaitForWindowExposed(&c));
        const QImage img = c.grabFramebuffer();
        // Opacity 0: the dark background shows, not the colormap.
        const QColor centre = pixel(c, img, 150, 150);
        QVERIFY(centre.red() < 40 && centre.green() < 40);
        // The query frame is white at the cell's edge, the inside is not.
        QCOMPARE(pixel(c, img, 1, 50), QColor(255, 255, 255));
        QVERIFY(pixel(c, img, 50, 50) != QColor(255, 255, 255));
    }
};

QTEST_MAIN(TestRenderHeatmap)
#include "test_render_heatmap.moc"
