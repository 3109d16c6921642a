// The desktop app on a Swin model (the tiny Swin fixture, 56x56 generated image): the stage-0 token
// grid and its windows, click-to-query against the engine's window mapping, attention that is exactly
// zero outside the query's window, the shift mask with its partial recompute, re-rendering without
// forward passes, and switching between a ViT and a Swin model.
#include "attention_stats.h"
#include "controls_dock.h"
#include "heads_grid.h"
#include "image_view.h"
#include "main_window.h"
#include "matrix_view.h"
#include "query_row_chart.h"
#include "session.h"
#include "swin_figure.h"
#include "test_support.h"
#include "view_settings.h"

#include <QCheckBox>
#include <QComboBox>
#include <QRadioButton>
#include <QDir>
#include <QLabel>
#include <QProcess>
#include <QSlider>
#include <QtTest>

#include <set>

using namespace vitscope;

class TestAppSwin : public QObject {
    Q_OBJECT
    std::unique_ptr<MainWindow> w_;

    Session* session() { return w_->session(); }
    ImageView* view() { return w_->image_view(); }
    ViewSettings* settings() { return w_->view_settings(); }
    std::shared_ptr<const SwinTrace> trace() { return session()->swin_trace(); }

    void open_swin() {
        w_->open_model(QString::fromStdString(test::data_path("swin/swin_tiny_hf")));
        QVERIFY(session()->wait_idle());
        QVERIFY2(w_->error_text().isEmpty(), qPrintable(w_->error_text()));
        QVERIFY(trace());
    }

    // Keys of the query's window in `block` lying in another shift region than the query.
    static std::vector<int> other_region_keys(const SwinTrace& t, int block, int patch) {
        const SwinPartition part = swin_partition(t, block);
        const SwinQuery q = swin_query(t, block, patch);
        const int W = part.grid_w;
        const int qr = part.region_of[size_t(q.row) * W + q.col];
        std::vector<int> keys;
        for (int i = 0; i < int(part.window_of.size()); ++i)
            if (part.window_of[size_t(i)] == q.window && part.region_of[size_t(i)] != qr) keys.push_back(i);
        return keys;
    }

private slots:
    void initTestCase() {
        QSurfaceFormat::setDefaultFormat(gl_core_format());
        w_ = std::make_unique<MainWindow>(/*persist=*/false);
        w_->show();
        QVERIFY(QTest::qWaitForWindowExposed(w_.get()));
        w_->set_image(generated_gradient_image(56, 56), "generated 56x56");
        open_swin();
        QVERIFY2(view()->gl_error().isEmpty(), qPrintable(view()->gl_error()));
    }

    void shows_stage0_grid_and_windows() {
        QVERIFY(!session()->trace());  // no ViT trace for a Swin model
        QCOMPARE(trace()->image_width, 56);  // the model's configured input size
        QCOMPARE(settings()->layer(), 0);
        QCOMPARE(view()->patch_count(), 14 * 14);
        QCOMPARE(view()->figure().grid_w, 14);
        QCOMPARE(view()->figure().grid_h, 14);
        QVERIFY(view()->figure().side_values.empty());  // Swin has no CLS
        const SwinPartition& part = view()->partition();
        QCOMPARE(part.num_windows, 4);
        QCOMPARE(part.window, 7);
        QCOMPARE(part.shift, 0);
        QCOMPARE(int(part.pieces.size()), 4);
        QVERIFY(w_->controls()->layer_label()->text().contains("stage 0 · block 0 (W-MSA)"));
        QCOMPARE(session()->forward_passes(), 1);
        // Stage 1: 7x7 tokens of 8 px, one window (the map is no larger than M).
        settings()->set_layer(2);
        QCOMPARE(view()->figure().grid_w, 7);
        QCOMPARE(view()->partition().num_windows, 1);
        settings()->set_layer(0);
    }

    void shifted_partition_lies_where_it_is() {
        settings()->set_layer(1);
        const SwinPartition& part = view()->partition();
        QCOMPARE(part.shift, 3);
        // Rolling by -3 puts window boundaries at 3 and 10, wrapping around the border: 9 pieces, each a
        // distinct region of the shifted configuration.
        QCOMPARE(int(part.pieces.size()), 9);
        std::set<float> xs;
        for (const GridSegment& s : part.window_edges)
            if (s.x0 == s.x1 && s.x0 > 0 && s.x0 < 14) xs.insert(s.x0);
        QCOMPARE(xs, (std::set<float>{3.0f, 10.0f}));
        std::set<int> regions;
        for (const SwinPiece& p : part.pieces) regions.insert(p.region);
        QCOMPARE(int(regions.size()), 9);
        // The window made of the four corners holds four regions, separated by region edges.
        const int corner = part.window_of[0];
        QCOMPARE(part.window_of[13], corner);
        QCOMPARE(part.window_of[13 * 14], corner);
        QCOMPARE(part.window_of[13 * 14 + 13], corner);
        std::set<int> corner_regions;
        for (int i : {0, 13, 13 * 14, 13 * 14 + 13}) corner_regions.insert(part.region_of[size_t(i)]);
        QCOMPARE(int(corner_regions.size()), 4);
        settings()->set_layer(0);
    }

    void click_selects_window_and_position_data() {
        QTest::addColumn<int>("block");
        QTest::addColumn<int>("row");
        QTest::addColumn<int>("col");
        QTest::newRow("W-MSA (0,0)") << 0 << 0 << 0;
        QTest::newRow("W-MSA (8,5)") << 0 << 8 << 5;
        QTest::newRow("SW-MSA (1,12)") << 1 << 1 << 12;
        QTest::newRow("SW-MSA (6,6)") << 1 << 6 << 6;
        QTest::newRow("SW-MSA (13,2)") << 1 << 13 << 2;
        QTest::newRow("stage 1 (3,4)") << 3 << 3 << 4;
    }
    void click_selects_window_and_position() {
        QFETCH(int, block);
        QFETCH(int, row);
        QFETCH(int, col);
        settings()->set_layer(block);
        const int W = view()->figure().grid_w;
        QTest::mouseClick(view(), Qt::LeftButton, {}, view()->patch_center(row * W + col));
        const SwinTrace& t = *trace();
        const SwinQuery q = swin_query(t, block, settings()->query());
        QCOMPARE(q.row, row);
        QCOMPARE(q.col, col);
        int window = -1, position = -1;
        map_to_window_slot(t.blocks[size_t(block)].geometry, row, col, window, position);
        QCOMPARE(q.window, window);
        QCOMPARE(q.position, position);
        const int stride = t.stage_stride(t.blocks[size_t(block)].stage);
        QVERIFY(swin_pixel_to_window(t, block, col * stride + 1, row * stride + 1, window, position));
        QCOMPARE(q.window, window);
        QCOMPARE(q.position, position);
        QVERIFY(view()->figure().cell_flags[size_t(row * W + col)] & kCellOutline);
        QCOMPARE(w_->matrix_view()->swin_query_shown().window, q.window);
        settings()->set_layer(0);
    }

    void heatmap_is_zero_outside_the_window() {
        const SwinTrace& t = *trace();
        for (int block = 0; block < int(t.blocks.size()); ++block)
            for (int patch : {0, 20, 97, 150, 195}) {
                settings()->set_layer(block);
                settings()->set_head(0);
                settings()->set_query(patch);
                const HeatmapFigure& f = view()->figure();
                const SwinQuery q = swin_query(t, block, patch);
                const SwinPartition& part = view()->partition();
                double inside = 0;
                for (int i = 0; i < f.num_cells(); ++i) {
                    if (part.window_of[size_t(i)] != q.window) {
                        QCOMPARE(f.values[size_t(i)], 0.0f);
                        QVERIFY(f.cell_flags[size_t(i)] & kCellOutside);
                    } else {
                        QVERIFY(!(f.cell_flags[size_t(i)] & kCellOutside));
                        inside += f.values[size_t(i)];
                    }
                }
                QVERIFY2(std::fabs(inside - 1.0) < 1e-4, qPrintable(QString::number(inside)));
            }
        settings()->set_layer(0);
        settings()->set_query(0);
    }

    void shift_mask_zeroes_other_regions_and_recomputes_once() {
        const int block = 1, patch = 12 * 14 + 12;  // a corner-window token: its window spans 4 regions
        settings()->set_layer(block);
        settings()->set_head(0);
        settings()->set_query(patch);
        const std::vector<int> others = other_region_keys(*trace(), block, patch);
        QVERIFY(!others.empty());
        for (int k : others) QCOMPARE(view()->figure().values[size_t(k)], 0.0f);
        bool any_shift_masked = false;
        for (uint8_t fl : w_->matrix_view()->figure().cell_flags) any_shift_masked |= (fl & kCellShiftMasked) != 0;
        QVERIFY(any_shift_masked);

        const int forwards = session()->forward_passes(), partials = session()->partial_recomputes();
        w_->controls()->swin_shift_mask()->setChecked(false);
        QVERIFY(session()->wait_idle());
        QCOMPARE(session()->partial_recomputes(), partials + 1);
        QCOMPARE(session()->forward_passes(), forwards);
        QCOMPARE(session()->last_recompute_from(), block);
        QVERIFY(!trace()->swin_options.shift_mask);
        for (int k : others) QVERIFY(view()->figure().values[size_t(k)] > 0.0f);
        for (uint8_t fl : w_->matrix_view()->figure().cell_flags) QVERIFY(!(fl & kCellShiftMasked));
        // The paper baseline is kept for the predictions (no extra forward for it).
        QVERIFY(session()->swin_baseline() && session()->swin_baseline()->swin_options.shift_mask);

        w_->controls()->swin_shift_mask()->setChecked(true);
        QVERIFY(session()->wait_idle());
        for (int k : others) QCOMPARE(view()->figure().values[size_t(k)], 0.0f);
        settings()->set_layer(0);
        settings()->set_query(0);
    }

    void shift_off_makes_block_unshifted() {
        settings()->set_layer(1);
        w_->controls()->swin_shift()->setChecked(false);
        QVERIFY(session()->wait_idle());
        QCOMPARE(session()->last_recompute_from(), 1);
        QCOMPARE(view()->partition().shift, 0);
        QCOMPARE(int(view()->partition().pieces.size()), 4);
        QVERIFY(w_->controls()->layer_label()->text().contains("(W-MSA)"));
        w_->controls()->swin_shift()->setChecked(true);
        QVERIFY(session()->wait_idle());
        QVERIFY(w_->controls()->layer_label()->text().contains("(SW-MSA)"));
        settings()->set_layer(0);
    }

    void block_and_head_rerender_without_forward() {
        settings()->set_layer(0);
        settings()->set_head(0);
        settings()->set_query(5 * 14 + 5);
        const int forwards = session()->forward_passes(), partials = session()->partial_recomputes();
        const int builds = view()->figure_builds();
        const std::vector<float> before = view()->figure().values;
        w_->controls()->layer_slider()->setValue(1);
        QCOMPARE(settings()->layer(), 1);
        QVERIFY(!session()->busy());
        QVERIFY(view()->figure_builds() > builds);
        QVERIFY(view()->figure().values != before);
        // Stage 1 has 4 heads: the slider's range follows (the last position is the mean).
        w_->controls()->layer_slider()->setValue(3);
        QSlider* heads = w_->controls()->head_slider();
        QCOMPARE(heads->maximum(), 4);
        heads->setValue(3);
        QCOMPARE(settings()->head(), 3);
        QCOMPARE(w_->heads_grid()->canvas()->tile_count(), 5);
        QCOMPARE(w_->matrix_view()->figure().num_cells(), 49 * 49);
        // Back to stage 0 (2 heads): the head is clamped.
        w_->controls()->layer_slider()->setValue(0);
        QCOMPARE(settings()->head(), 1);
        QCOMPARE(heads->maximum(), 2);
        QCOMPARE(w_->heads_grid()->canvas()->tile_count(), 3);
        heads->setValue(heads->maximum());
        QCOMPARE(settings()->head(), kMeanOfHeads);
        QCOMPARE(session()->forward_passes(), forwards);
        QCOMPARE(session()->partial_recomputes(), partials);
        // The row chart reads the window's M*M keys.
        QCOMPARE(int(w_->row_chart()->row().size()), 49);
        settings()->set_head(0);
    }

    void option_change_and_mask_tool() {
        const int forwards = session()->forward_passes();
        w_->controls()->scale_combo()->setCurrentIndex(int(ScaleMode::None));
        QVERIFY(session()->wait_idle());
        QCOMPARE(session()->forward_passes(), forwards);
        QCOMPARE(int(trace()->options.scale_mode), int(ScaleMode::None));
        w_->controls()->scale_combo()->setCurrentIndex(int(ScaleMode::InvSqrtHeadDim));
        QVERIFY(session()->wait_idle());
        // Masking a stage-1 token masks its four stage-0 patches, and it gets no attention.
        settings()->set_layer(2);
        settings()->set_query(0);
        w_->controls()->mask_tool()->setChecked(true);
        QTest::mouseClick(view(), Qt::LeftButton, {}, view()->patch_center(1));
        QVERIFY(session()->wait_idle());
        QCOMPARE(session()->options().masked_keys, (std::vector<int>{2, 3, 16, 17}));
        QCOMPARE(view()->figure().values[1], 0.0f);
        QVERIFY(view()->figure().cell_flags[1] & kCellMasked);
        QTest::mouseClick(view(), Qt::LeftButton, {}, view()->patch_center(1));
        QVERIFY(session()->wait_idle());
        QVERIFY(session()->options().masked_keys.empty());
        w_->controls()->query_tool()->setChecked(true);  // radio buttons cannot be unchecked
        settings()->set_layer(0);
    }

    void vit_then_swin_and_back() {
        w_->open_model(QString::fromStdString(test::data_path("vit/vit_tiny_hf")));
        QVERIFY(session()->wait_idle());
        QVERIFY(session()->trace());
        QVERIFY(!trace());
        QCOMPARE(view()->patch_count(), 16);
        QCOMPARE(int(view()->figure().side_values.size()), 1);
        QVERIFY(view()->partition().pieces.empty());
        QTest::mouseClick(view(), Qt::LeftButton, {}, view()->patch_center(5));
        QCOMPARE(settings()->query(), session()->trace()->num_prefix + 5);
        w_->controls()->layer_slider()->setValue(1);
        QCOMPARE(settings()->layer(), 1);
        open_swin();
        QVERIFY(!session()->trace());
        QCOMPARE(view()->patch_count(), 14 * 14);
        QCOMPARE(w_->heads_grid()->canvas()->tile_count(), 3);
        QVERIFY(w_->controls()->swin_shift()->isVisibleTo(w_.get()));
        w_->open_model(QString::fromStdString(test::data_path("vit/vit_tiny_hf")));
        QVERIFY(session()->wait_idle());
        QCOMPARE(view()->patch_count(), 16);
        QVERIFY(!w_->controls()->swin_shift()->isVisibleTo(w_.get()));
        open_swin();
        QCOMPARE(view()->patch_count(), 14 * 14);
    }

    // With VITSCOPE_SHOTS set to a folder: screenshots of the whole screen (`import -window root`) of a
    // shifted block with its regions and of an unshifted one, for a person to look at.
    void screenshots() {
        const QString dir = qEnvironmentVariable("VITSCOPE_SHOTS");
        if (dir.isEmpty()) QSKIP("set VITSCOPE_SHOTS to a folder to take screenshots");
        QDir().mkpath(dir);
        w_->move(0, 0);
        w_->resize(1600, 1000);
        auto shot = [&](const QString& name) {
            QTest::qWait(400);
            QCOMPARE(QProcess::execute("import", {"-window", "root", dir + "/" + name}), 0);
        };
        settings()->set_head(0);
        settings()->set_layer(1);
        settings()->set_query(12 * 14 + 1);
        w_->controls()->swin_regions()->setChecked(true);
        shot("swin-shifted-regions.png");
        w_->controls()->swin_regions()->setChecked(false);
        shot("swin-shifted.png");
        w_->controls()->swin_shift_mask()->setChecked(false);
        QVERIFY(session()->wait_idle());
        shot("swin-shifted-nomask.png");
        w_->controls()->swin_shift_mask()->setChecked(true);
        QVERIFY(session()->wait_idle());
        settings()->set_layer(0);
        settings()->set_query(5 * 14 + 9);
        shot("swin-unshifted.png");
        settings()->set_layer(3);
        shot("swin-stage1.png");
    }

    void cleanupTestCase() { w_.reset(); }
};

QTEST_MAIN(TestAppSwin)
#include "test_app_swin.moc"
