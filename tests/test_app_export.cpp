// The app's Export / Copy / Sheet / Sweep actions (no dialogs: MainWindow's *_to functions, which
// the dialogs call): files in every format with the exact colours and the provenance, the CSV of
// the numbers drawn, the side-by-side teaching figure, and an unwritable target that leaves no file
// and changes nothing in the app.
#include "figure_export.h"
#include "figure_exporter.h"
#include "image_view.h"
#include "main_window.h"
#include "session.h"
#include "test_support.h"
#include "view_settings.h"

#include <QClipboard>
#include <QDir>
#include <QGuiApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMimeData>
#include <QProcess>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>

#include <cstring>

using namespace vitscope;

class TestAppExport : public QObject {
    Q_OBJECT
    std::unique_ptr<MainWindow> w_;
    QTemporaryDir dir_;

    Session* session() { return w_->session(); }
    QString out(const QString& name) { return dir_.filePath(name); }

private slots:
    void initTestCase() {
        QSurfaceFormat::setDefaultFormat(gl_core_format());
        QVERIFY(dir_.isValid());
        w_ = std::make_unique<MainWindow>(false);
        w_->resize(1200, 800);
        w_->show();
        QVERIFY(QTest::qWaitForWindowExposed(w_.get()));
        w_->start({QString::fromStdString(test::data_path("vit/vit_tiny_hf")), QString()});
        QVERIFY(session()->wait_idle());
        QVERIFY(session()->trace());
        w_->view_settings()->set_layer(1);
        w_->view_settings()->set_query(3);
    }

    void png_has_exact_colours_size_and_metadata() {
        ExportRequest r;
        r.view = FigureView::Image;
        r.path = out("image.png");
        r.width_px = 600;
        r.height_px = 500;
        r.show_photo = false;  // nothing blended: cells carry the colormap colour itself
        QVERIFY2(w_->export_figure_to(r), qPrintable(w_->error_text()));
        QImage img(r.path);
        QCOMPARE(img.size(), QSize(600, 500));
        QVERIFY(img.text("vitscope.model").size() > 0);
        QCOMPARE(img.text("vitscope.head"), QString("0"));
        QCOMPARE(img.text("vitscope.layer"), QString("layer 1"));
        const BuiltFigure b = export_figure_for(*session(), *w_->view_settings(), r);
        const HeatmapFigure& f = b.figure;
        const HeatmapLayout& l = b.panels.front().layout;
        for (int i : {0, 5, f.num_cells() - 1}) {
            float x, y;
            cell_center(f, l, HitResult::Patch, i, x, y);
            const Rgb8 want = colormap_lookup(f.colormap, normalize_value(f.values[size_t(i)], f.value_range, f.log_scale));
            const QColor got = img.pixelColor(int(x), int(y));
            QCOMPARE(got, QColor(want.r, want.g, want.b));
        }
        // The same figure at 192 DPI has twice the pixels.
        r.path = out("image@2x.png");
        r.width_px = 1200;
        r.height_px = 1000;
        r.dpi = 192;
        QVERIFY(w_->export_figure_to(r));
        QCOMPARE(QImage(r.path).size(), QSize(1200, 1000));
    }

    void svg_has_a_cell_per_patch_and_the_caption_as_text() {
        ExportRequest r;
        r.view = FigureView::Image;
        r.path = out("image.svg");
        r.caption = "Head 0 finds the object";
        r.write_csv = true;
        QVERIFY(w_->export_figure_to(r));
        QFile f(r.path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&f);
        int rects = 0;
        QStringList texts;
        bool metadata = false;
        while (!xml.atEnd()) {
            xml.readNext();
            if (!xml.isStartElement()) continue;
            if (xml.name() == QLatin1String("rect")) ++rects;
            if (xml.name() == QLatin1String("metadata")) metadata = true;
            if (xml.name() == QLatin1String("text")) texts << xml.readElementText(QXmlStreamReader::IncludeChildElements);
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QVERIFY(metadata);
        const int patches = session()->trace()->grid_width * session()->trace()->grid_height;
        // One <rect> per patch and per special token, plus the background, the colourbar and the
        // query's frame.
        const int expected = patches + session()->trace()->num_prefix + 3;
        QVERIFY2(rects == expected, qPrintable(QString("%1 rects, expected %2").arg(rects).arg(expected)));
        QVERIFY(texts.contains("Head 0 finds the object"));
        bool provenance = false;
        for (const QString& t : texts) provenance |= t.startsWith("model ") && t.contains("layer 1") && t.contains("vitscope");
        QVERIFY(provenance);
        // The CSV beside it.
        QVERIFY(QFileInfo::exists(out("image.csv")));
    }

    void pdf_and_sheet_have_the_right_pages() {
        if (QStandardPaths::findExecutable("pdfinfo").isEmpty()) QSKIP("pdfinfo (poppler-utils) is not installed");
        auto pages = [](const QString& path) {
            QProcess p;
            p.start("pdfinfo", {path});
            p.waitForFinished();
            for (const QString& line : QString::fromUtf8(p.readAllStandardOutput()).split('\n'))
                if (line.startsWith("Pages:")) return line.mid(6).trimmed().toInt();
            return -1;
        };
        ExportRequest r;
        r.view = FigureView::Heads;
        r.path = out("heads.pdf");
        QVERIFY(w_->export_figure_to(r));
        QCOMPARE(pages(r.path), 1);
        QVERIFY(w_->export_sheet_to(out("sheet.pdf")));
        QCOMPARE(pages(out("sheet.pdf")), 1 + int(session()->trace()->layers.size()));
    }

    void sweep_writes_a_gif_and_numbered_frames() {
        QVERIFY2(w_->export_sweep_to(out("sweep.gif"), out("frames")), qPrintable(w_->error_text()));
        QFile gif(out("sweep.gif"));
        QVERIFY(gif.open(QIODevice::ReadOnly));
        QCOMPARE(gif.read(6), QByteArray("GIF89a"));
        QCOMPARE(QDir(out("frames")).entryList({"*.png"}).size(), int(session()->trace()->layers.size()));
    }

    void copy_puts_png_and_svg_on_the_clipboard() {
        w_->copy_figure(FigureView::Matrix);
        const QMimeData* m = QGuiApplication::clipboard()->mimeData();
        QVERIFY(m);
        QVERIFY(m->hasImage());
        QVERIFY(m->data("image/svg+xml").startsWith("<?xml"));
    }

    void side_by_side_shows_paper_defaults_and_current() {
        AttentionOptions o;
        o.scale_mode = ScaleMode::None;
        session()->set_options(o);
        QVERIFY(session()->wait_idle());
        ExportRequest r;
        r.view = FigureView::Compare;
        const BuiltFigure b = export_figure_for(*session(), *w_->view_settings(), r);
        QCOMPARE(int(b.panels.size()), 2);
        QStringList titles;
        for (const DrawItem& i : b.list.items)
            if (const auto* t = std::get_if<TextItem>(&i)) titles << QString::fromStdString(t->text);
        QVERIFY(titles.filter("paper defaults · layer 1 · head 0").size() == 1);
        QVERIFY(titles.filter("no 1/sqrt(d_k) scaling · layer 1 · head 0").size() == 1);
        QCOMPARE(titles.filter(QRegularExpression("^entropy .* nats")).size(), 2);
        r.path = out("compare.png");
        QVERIFY(w_->export_figure_to(r));
        session()->set_options(AttentionOptions{});
        QVERIFY(session()->wait_idle());
    }

    // A model whose attention overflows (finite but huge q and k biases in layer 1): the app says so
    // in its banner and draws nothing non-finite.
    void non_finite_output_is_refused_with_a_banner() {
        const QString model = out("overflow_model");
        QVERIFY(test::write_overflowing_vit(QString::fromStdString(test::data_path("vit/vit_tiny_hf")), model));
        w_->open_model(model);
        QVERIFY(session()->wait_idle());
        QVERIFY2(w_->error_text().contains("NaN or infinite values"), qPrintable(w_->error_text()));
        QVERIFY(!session()->trace());  // nothing computed is kept, so nothing non-finite is drawn
        QCOMPARE(w_->image_view()->figure().num_cells(), 0);
        // Back to the fixture for the next cases.
        w_->open_model(QString::fromStdString(test::data_path("vit/vit_tiny_hf")));
        QVERIFY(session()->wait_idle());
        QVERIFY(session()->trace());
        w_->view_settings()->set_layer(1);
    }

    void unwritable_target_leaves_nothing_and_changes_nothing() {
        const auto trace = session()->trace();
        const int passes = session()->forward_passes(), partial = session()->partial_recomputes();
        const int layer = w_->view_settings()->layer();
        // A folder that does not exist, a "folder" that is a file, and /proc, where nobody can create
        // files (tests may run as root, for whom a chmod 0555 folder is writable).
        QFile file(out("plain.txt"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        for (const QString& path : {out("missing/figure.png"), out("plain.txt/figure.png"), QString("/proc/figure.png"),
                                    out("figure.bmp")}) {
            ExportRequest r;
            r.path = path;
            QVERIFY(!w_->export_figure_to(r));
            QVERIFY2(w_->error_text().contains("Export failed: " + path + ": "), qPrintable(w_->error_text()));
            QVERIFY(!QFileInfo::exists(path));
        }
        QVERIFY(w_->error_text().contains("(use .png, .svg, .pdf)"));
        // Nothing half-written anywhere in the temp folder, and the app as it was.
        for (const QString& name : QDir(dir_.path()).entryList(QDir::Files))
            QVERIFY2(!name.contains(".tmp") && !name.startsWith("figure"), qPrintable(name));
        QCOMPARE(session()->trace(), trace);
        QCOMPARE(session()->forward_passes(), passes);
        QCOMPARE(session()->partial_recomputes(), partial);
        QCOMPARE(w_->view_settings()->layer(), layer);
    }
};

QTEST_MAIN(TestAppExport)
#include "test_app_export.moc"
