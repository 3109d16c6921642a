// vitscope-lab driven through its scripted mode (--script, --screenshot, --print-state) under Xvfb:
// the layer changes the overlay's pixels, the colormap colour of a known cell is exact, a click on
// patch (r, c) makes token r*W+c (after the special tokens) the query, a bad image keeps the previous
// one, script errors name the line, and only frames that change the screen are drawn. Runs the real binary; reads its JSON state and PNG frames.
#include "test_support.h"

#include "colormap.h"
#include "normalization.h"
#include "panel_render_budget.h"

#include <QImage>
#include <QProcess>
#include <QTemporaryDir>

namespace {

struct LabRun {
    int exit_code = -1;
    QJsonObject state;
    QString err;
};

LabRun run_lab(const QTemporaryDir& dir, const QString& script, const QStringList& extra = {}) {
    const QString script_path = dir.filePath("script.txt");
    QFile f(script_path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) return {};
    f.write(script.toUtf8());
    f.close();
    QProcess p;
    p.start(VITSCOPE_LAB_PATH, QStringList{"--script", script_path, "--print-state", "--size", "1280x800"} + extra);
    LabRun r;
    if (!p.waitForFinished(300000)) {
        p.kill();
        r.err = "vitscope-lab did not finish";
        return r;
    }
    r.exit_code = p.exitCode();
    r.err = QString::fromUtf8(p.readAllStandardError());
    r.state = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
    return r;
}

// Pixels of `a` and `b` inside the rectangle [x, y, w, h] that differ.
int differing_pixels(const QImage& a, const QImage& b, const QJsonArray& rect) {
    const int x0 = int(rect[0].toDouble()), y0 = int(rect[1].toDouble()), w = int(rect[2].toDouble()),
              h = int(rect[3].toDouble());
    int n = 0;
    for (int y = y0; y < y0 + h; ++y)
        for (int x = x0; x < x0 + w; ++x) n += a.pixel(x, y) != b.pixel(x, y);
    return n;
}

}  // namespace

class TestLab : public QObject {
    Q_OBJECT
private slots:
    // The engine's OpenMP threads sleep rather than spin at barriers (they share the cores with the
    // UI): without OMP_WAIT_POLICY the lab sets "passive" and starts again; a user's value is kept.
    void openmp_waits_passively_unless_the_user_says_otherwise() {
        QTemporaryDir dir;
        const QByteArray saved = qgetenv("OMP_WAIT_POLICY");
        qunsetenv("OMP_WAIT_POLICY");
        const LabRun unset = run_lab(dir, "quit\n");
        qputenv("OMP_WAIT_POLICY", "active");
        const LabRun user = run_lab(dir, "quit\n");
        if (saved.isNull()) qunsetenv("OMP_WAIT_POLICY");
        else qputenv("OMP_WAIT_POLICY", saved);
        QVERIFY2(unset.exit_code == 0, qPrintable(unset.err));
        QCOMPARE(unset.state.value("omp_wait_policy").toString(), QString("passive"));
        QVERIFY2(user.exit_code == 0, qPrintable(user.err));
        QCOMPARE(user.state.value("omp_wait_policy").toString(), QString("active"));
    }

    // Hovering a patch shows the app's readout of it (one function in the core for both).
    void hover_shows_the_readout_of_the_cell() {
        QTemporaryDir dir;
        const LabRun r = run_lab(dir, "wait-idle\nhover-patch 2 3\nwait-frames 3\nquit\n");
        QVERIFY2(r.exit_code == 0, qPrintable(r.err));
        const int W = r.state["grid_w"].toInt(), prefix = r.state["num_prefix"].toInt();
        QVERIFY(W > 3);
        const QString expected = QString("token %1 · patch %2 (row 2, col 3) · attention ").arg(prefix + 2 * W + 3).arg(2 * W + 3);
        QVERIFY2(r.state["hover_readout"].toString().startsWith(expected),
                 qPrintable(r.state["hover_readout"].toString() + " vs " + expected));
    }

    void help_names_the_keys_and_the_script_commands() {
        QProcess p;
        p.start(VITSCOPE_LAB_PATH, {"--help"});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 0);
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(out.contains("usage: vitscope-lab [MODEL] [IMAGE]"), qPrintable(out));
        QVERIFY(out.contains("click-patch ROW COL"));
        QVERIFY(out.contains("Space play a layer sweep"));
    }

    void layer_change_changes_the_overlay() {
        QTemporaryDir dir;
        const QString a = dir.filePath("layer0.png"), b = dir.filePath("layer3.png");
        const LabRun r = run_lab(dir, "wait-idle\nlayer 0\nhead 0\nwait-frames 2\nscreenshot " + a +
                                          "\nlayer 3\nwait-frames 2\nscreenshot " + b + "\nquit\n");
        QVERIFY2(r.exit_code == 0, qPrintable(r.err));
        QCOMPARE(r.state["layer"].toInt(), 3);
        const QImage ia(a), ib(b);
        QVERIFY(!ia.isNull() && !ib.isNull());
        const QJsonArray grid = r.state["grid_rect"].toArray();
        QVERIFY(grid[2].toDouble() > 100);
        const int area = int(grid[2].toDouble()) * int(grid[3].toDouble());
        const int diff = differing_pixels(ia, ib, grid);
        QVERIFY2(diff > area / 10, qPrintable(QString("only %1 of %2 pixels changed").arg(diff).arg(area)));
    }

    // Frames that would not change the screen are not drawn; every step of a layer sweep is.
    // Two panels changed at once: one draws this frame, the other the next, and they take turns while
    // both keep changing (a layer sweep); a saved frame draws every panel.
    void panels_take_turns_within_the_frame_budget() {
        vitscope::PanelRenderBudget budget;
        int image = 0, heads = 0;
        budget.new_frame(false);
        QVERIFY(budget.may_render(&image));
        QVERIFY(!budget.may_render(&heads));  // waits a frame
        budget.new_frame(false);
        QVERIFY(!budget.may_render(&image));  // shown first again, but heads waited: its turn
        QVERIFY(budget.may_render(&heads));
        budget.new_frame(false);
        QVERIFY(budget.may_render(&image));
        QVERIFY(!budget.may_render(&heads));
        budget.new_frame(false);
        QVERIFY(budget.may_render(&heads));  // the one that waited, asked first
        QVERIFY(!budget.may_render(&image));
        budget.new_frame(false);  // image waited: only it may draw
        QVERIFY(budget.may_render(&image));
        budget.new_frame(false);  // nobody waited: the first to ask draws
        QVERIFY(budget.may_render(&heads));
        QVERIFY(!budget.may_render(&image));
        budget.new_frame(true);  // a screenshot frame
        QVERIFY(budget.may_render(&heads));
        QVERIFY(budget.may_render(&image));
    }

    void only_frames_that_change_the_screen_are_drawn() {
        QTemporaryDir dir;
        const LabRun idle = run_lab(dir, "wait-idle\nwait-frames 40\nquit\n");
        QVERIFY2(idle.exit_code == 0, qPrintable(idle.err));
        const int frames = idle.state["frames"].toInt(), drawn = idle.state["frames_drawn"].toInt();
        QVERIFY2(drawn > 0 && drawn < frames - 30, qPrintable(QString("%1 of %2 frames drawn").arg(drawn).arg(frames)));
        const LabRun sweep = run_lab(dir, "wait-idle\nsweep-layers 20\nquit\n");
        QVERIFY2(sweep.exit_code == 0, qPrintable(sweep.err));
        QVERIFY2(sweep.state["frames_drawn"].toInt() >= 20,
                 qPrintable(QString("%1 frames drawn").arg(sweep.state["frames_drawn"].toInt())));
    }

    void colormap_colour_at_a_known_cell_is_exact_data() {
        QTest::addColumn<QString>("colormap");
        QTest::newRow("viridis") << "viridis";
        QTest::newRow("magma") << "magma";
    }
    void colormap_colour_at_a_known_cell_is_exact() {
        QFETCH(QString, colormap);
        QTemporaryDir dir;
        const QString shot = dir.filePath("frame.png");
        const LabRun r = run_lab(dir, "wait-idle\nlayer 2\nopacity 1\ngrid off\ncolormap " + colormap +
                                          "\nwait-frames 2\nquit\n",
                                 {"--screenshot", shot});
        QVERIFY2(r.exit_code == 0, qPrintable(r.err));
        const QJsonObject probe = r.state["probe"].toObject();
        QCOMPARE(probe["colormap"].toString(), colormap);
        QCOMPARE(probe["opacity"].toDouble(), 1.0);
        vitscope::Colormap cm;
        QVERIFY(vitscope::parse_colormap(colormap.toStdString(), cm));
        const vitscope::ValueRange range{float(probe["range_lo"].toDouble()), float(probe["range_hi"].toDouble())};
        const float t = vitscope::normalize_value(float(probe["value"].toDouble()), range, probe["log_scale"].toBool());
        const vitscope::Rgb8 want = vitscope::colormap_lookup(cm, t);
        const QImage img(shot);
        QVERIFY(!img.isNull());
        const QRgb got = img.pixel(int(probe["x"].toDouble()), int(probe["y"].toDouble()));
        QVERIFY2(qRed(got) == want.r && qGreen(got) == want.g && qBlue(got) == want.b,
                 qPrintable(QString("cell (%1, %2): got %3,%4,%5, want %6,%7,%8 (t = %9)")
                                .arg(probe["row"].toInt()).arg(probe["col"].toInt())
                                .arg(qRed(got)).arg(qGreen(got)).arg(qBlue(got))
                                .arg(want.r).arg(want.g).arg(want.b).arg(double(t))));
    }

    void click_on_a_patch_makes_it_the_query() {
        QTemporaryDir dir;
        const LabRun r = run_lab(dir, "wait-idle\nclick-patch 3 5\nwait-frames 1\nquit\n");
        QVERIFY2(r.exit_code == 0, qPrintable(r.err));
        const int W = r.state["grid_w"].toInt();
        QCOMPARE(W, 14);  // the default model: 224 px, patch 16
        QCOMPARE(r.state["query"].toInt() - r.state["num_prefix"].toInt(), 3 * W + 5);
        // With the mask tool the same click masks the key and leaves the query.
        const LabRun m = run_lab(dir, "wait-idle\nkey M\nclick-patch 2 2\nwait-idle\nquit\n");
        QVERIFY2(m.exit_code == 0, qPrintable(m.err));
        QCOMPARE(m.state["masked_keys"].toInt(), 1);
        QCOMPARE(m.state["query"].toInt(), 0);
        QCOMPARE(m.state["partial_recomputes"].toInt(), 1);  // the mask recomputes, no second forward
        QCOMPARE(m.state["forward_passes"].toInt(), 1);
        // A mask-tool drag along a row masks each patch it passes over once: (4, 2) .. (4, 6).
        const LabRun d = run_lab(dir, "wait-idle\nkey M\ndrag-patches 4 2 4 6\nwait-idle\nquit\n");
        QVERIFY2(d.exit_code == 0, qPrintable(d.err));
        QCOMPARE(d.state["masked_keys"].toInt(), 5);
    }

    // Swin: the query is a stage-0 patch (row * W + col), no special tokens.
    void click_on_a_swin_patch_makes_it_the_query() {
        QTemporaryDir dir;
        const LabRun r = run_lab(dir, "wait-idle\nclick-patch 3 5\nwait-frames 1\nquit\n",
                                 {QString(VITSCOPE_ASSETS_DIR) + "/models/vitscope-swin-tiny"});
        QVERIFY2(r.exit_code == 0, qPrintable(r.err));
        QVERIFY(r.state["swin"].toBool());
        QCOMPARE(r.state["num_prefix"].toInt(), 0);
        const int W = r.state["grid_w"].toInt();
        QVERIFY(W > 5);
        QCOMPARE(r.state["query"].toInt(), 3 * W + 5);
    }

    // A dropped folder is a model, a dropped file an image.
    void dropped_files_open_as_model_or_image() {
        QTemporaryDir dir;
        const QString assets = QString(VITSCOPE_ASSETS_DIR);
        const LabRun r = run_lab(dir, "wait-idle\nopen " + assets + "/models/vitscope-swin-tiny\nopen " + assets +
                                          "/images/scene_1.png\nwait-idle\nquit\n");
        QVERIFY2(r.exit_code == 0, qPrintable(r.err));
        QVERIFY(r.state["swin"].toBool());
        QVERIFY(r.state["image"].toString().endsWith("scene_1.png"));
    }

    // --frames and --screenshot work without a script.
    void frames_and_screenshot_alone() {
        QTemporaryDir dir;
        const QString shot = dir.filePath("last.png");
        QProcess p;
        p.start(VITSCOPE_LAB_PATH, {"--frames", "30", "--screenshot", shot, "--size", "800x600"});
        QVERIFY(p.waitForFinished(300000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        const QImage img(shot);
        QCOMPARE(img.size(), QSize(800, 600));
    }

    void keys_change_scale_and_head() {
        QTemporaryDir dir;
        const LabRun r = run_lab(dir, "wait-idle\nkey S\nkey 2\nkey RIGHT\nkey RIGHT\nwait-idle\nquit\n");
        QVERIFY2(r.exit_code == 0, qPrintable(r.err));
        QCOMPARE(r.state["scale_mode"].toString(), QString("model"));
        QCOMPARE(r.state["head"].toInt(), 1);
        QCOMPARE(r.state["layer"].toInt(), 2);
        QCOMPARE(r.state["baseline_passes"].toInt(), 0);  // the paper-default trace was kept
    }

    void bad_image_keeps_the_previous_one() {
        QTemporaryDir dir;
        const LabRun r = run_lab(dir, "wait-idle\nimage " + dir.filePath("missing.png") + "\nwait-idle\nquit\n");
        QVERIFY2(r.exit_code == 0, qPrintable(r.err));
        QVERIFY2(r.state["error"].toString().contains("missing.png: no such file"), qPrintable(r.state["error"].toString()));
        QVERIFY(r.state["image"].toString().endsWith("default.png"));
        QCOMPARE(r.state["forward_passes"].toInt(), 1);
    }

    // The same limits as the app's loader (app/core/image_limits.h), with the same messages (a
    // broken file's reason in brackets is the decoder's own).
    void bad_images_are_refused_like_the_app_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("expected");
        const QString dir = QString::fromStdString(vitscope::test::data_path("bad_files/image/"));
        for (const char* name : {"declared_900_megapixels.png", "fuzz_thin_bmp_slow_downscale.bmp"}) {
            QFile e(dir + QString(name).section('.', 0, 0) + ".expected");
            QVERIFY(e.open(QIODevice::ReadOnly));
            QTest::newRow(name) << dir + name << QString::fromUtf8(e.readAll()).trimmed().replace("FILE", dir + name);
        }
        QTest::newRow("truncated.png") << dir + "truncated.png" << dir + "truncated.png: cannot decode image (";
    }
    void bad_images_are_refused_like_the_app() {
        QFETCH(QString, file);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const LabRun r = run_lab(dir, "wait-idle\nimage " + file + "\nwait-idle\nquit\n");
        QVERIFY2(r.exit_code == 0, qPrintable(r.err));
        QVERIFY2(r.state["error"].toString().startsWith(expected), qPrintable(r.state["error"].toString()));
        QVERIFY(r.state["image"].toString().endsWith("default.png"));  // the previous image stays
    }

    void script_errors_name_the_line() {
        QTemporaryDir dir;
        const LabRun r = run_lab(dir, "wait-idle\nzoom 3\n");
        QCOMPARE(r.exit_code, 2);
        QVERIFY2(r.err.contains("script.txt:2: unknown command 'zoom'"), qPrintable(r.err));
    }
};

QTEST_MAIN(TestLab)
#include "test_lab.moc"
