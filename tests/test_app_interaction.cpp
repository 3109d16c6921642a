// The desktop app end to end, on the tiny test ViT (no trained assets needed) and a generated image:
// the image view's patches, click-to-query, re-rendering without forward passes, partial recompute
// on an option change, the key mask, the heads grid, and a corrupt model leaving the old one usable.
#include "attention_stats.h"
#include "controls_dock.h"
#include "heads_grid.h"
#include "image_view.h"
#include "main_window.h"
#include "matrix_view.h"
#include "query_row_chart.h"
#include "session.h"
#include "test_support.h"
#include "view_settings.h"

#include <QComboBox>
#include <QRadioButton>
#include <QSlider>
#include <QTemporaryDir>
#include <QtTest>

using namespace vitscope;

class TestAppInteraction : public QObject {
    Q_OBJECT
    std::unique_ptr<MainWindow> w_;

    Session* session() { return w_->session(); }
    ImageView* view() { return w_->image_view(); }

private slots:
    void initTestCase() {
        QSurfaceFormat::setDefaultFormat(gl_core_format());
        w_ = std::make_unique<MainWindow>(/*persist=*/false);
        w_->show();
        QVERIFY(QTest::qWaitForWindowExposed(w_.get()));
        w_->start({QString::fromStdString(test::data_path("vit/vit_tiny_hf")), QString()});
        QVERIFY(session()->wait_idle());
        QVERIFY(session()->trace());
        QVERIFY2(view()->gl_error().isEmpty(), qPrintable(view()->gl_error()));
    }

    void shows_every_patch() {
        const auto t = session()->trace();
        QCOMPARE(t->grid_height * t->grid_width, 16);  // 32x32 input, 8-pixel patches
        QCOMPARE(view()->patch_count(), 16);
        QCOMPARE(view()->figure().grid_w, 4);
        QCOMPARE(int(view()->figure().side_values.size()), 1);  // CLS beside the grid
        QCOMPARE(w_->view_settings()->query(), 0);             // CLS is the default query
        QCOMPARE(session()->forward_passes(), 1);
    }

    void click_selects_query_data() {
        QTest::addColumn<int>("row");
        QTest::addColumn<int>("col");
        QTest::newRow("top-left") << 0 << 0;
        QTest::newRow("(1,2)") << 1 << 2;
        QTest::newRow("bottom-right") << 3 << 3;
    }
    void click_selects_query() {
        QFETCH(int, row);
        QFETCH(int, col);
        const int W = session()->trace()->grid_width;
        const int patch = row * W + col;
        QTest::mouseClick(view(), Qt::LeftButton, {}, view()->patch_center(patch));
        QCOMPARE(w_->view_settings()->query() - session()->trace()->num_prefix, patch);
        QVERIFY(view()->figure().cell_flags[size_t(patch)] & kCellOutline);
        w_->view_settings()->set_query(0);
    }

    void layer_slider_rerenders_without_forward() {
        w_->view_settings()->set_layer(0);
        w_->view_settings()->set_head(0);
        const std::vector<float> before = view()->figure().values;
        const int forwards = session()->forward_passes(), partials = session()->partial_recomputes();
        const int builds = view()->figure_builds();
        w_->controls()->layer_slider()->setValue(1);
        QCOMPARE(w_->view_settings()->layer(), 1);
        QVERIFY(!session()->busy());
        QVERIFY(view()->figure_builds() > builds);
        QVERIFY(view()->figure().values != before);
        QCOMPARE(session()->forward_passes(), forwards);
        QCOMPARE(session()->partial_recomputes(), partials);
        // The head slider too, and its last position is the mean of heads.
        QSlider* heads = w_->controls()->head_slider();
        heads->setValue(heads->maximum());
        QCOMPARE(w_->view_settings()->head(), kMeanOfHeads);
        QCOMPARE(session()->forward_passes(), forwards);
        heads->setValue(0);
        w_->controls()->layer_slider()->setValue(0);
    }

    void scale_none_is_partial_recompute_and_sharpens() {
        QCOMPARE(w_->view_settings()->layer(), 0);
        const double entropy_paper = w_->row_chart()->entropy();
        QVERIFY(entropy_paper > 0);
        const int forwards = session()->forward_passes(), partials = session()->partial_recomputes();
        w_->controls()->scale_combo()->setCurrentIndex(int(ScaleMode::None));
        QVERIFY(session()->wait_idle());
        QCOMPARE(session()->partial_recomputes(), partials + 1);
        QCOMPARE(session()->forward_passes(), forwards);
        QCOMPARE(int(session()->trace()->options.scale_mode), int(ScaleMode::None));
        // Without 1/sqrt(d_head) the logits are larger, so the softmax is sharper.
        QVERIFY2(w_->row_chart()->entropy() < entropy_paper,
                 qPrintable(QString("%1 !< %2").arg(w_->row_chart()->entropy()).arg(entropy_paper)));
        // The paper baseline is kept for the predictions panel.
        QVERIFY(session()->baseline() && session()->baseline()->options.is_paper_default());
        w_->controls()->scale_combo()->setCurrentIndex(int(ScaleMode::InvSqrtHeadDim));
        QVERIFY(session()->wait_idle());
        QVERIFY(std::fabs(w_->row_chart()->entropy() - entropy_paper) < 1e-5);
    }

    void masking_a_patch_zeroes_its_attention() {
        const int patch = 5;
        QVERIFY(view()->figure().values[size_t(patch)] > 0.0f);
        w_->controls()->mask_tool()->setChecked(true);
        QTest::mouseClick(view(), Qt::LeftButton, {}, view()->patch_center(patch));
        QVERIFY(session()->wait_idle());
        const int token = session()->trace()->num_prefix + patch;
        QCOMPARE(session()->options().masked_keys, std::vector<int>{token});
        QCOMPARE(view()->figure().values[size_t(patch)], 0.0f);
        QVERIFY(view()->figure().cell_flags[size_t(patch)] & kCellMasked);
        // Every head, every layer, every query.
        for (int l = 0; l < int(session()->trace()->layers.size()); ++l)
            for (int h = 0; h < session()->trace()->num_heads; ++h)
                for (int q = 0; q < session()->trace()->num_tokens; ++q)
                    QCOMPARE(query_row(*session()->trace(), l, h, q)[size_t(token)], 0.0f);
        // Clicking again unmasks.
        QTest::mouseClick(view(), Qt::LeftButton, {}, view()->patch_center(patch));
        QVERIFY(session()->wait_idle());
        QVERIFY(session()->options().masked_keys.empty());
        QVERIFY(view()->figure().values[size_t(patch)] > 0.0f);
        w_->controls()->mask_tool()->setChecked(false);
    }

    void heads_grid_and_matrix() {
        HeadsCanvas* c = w_->heads_grid()->canvas();
        QCOMPARE(c->tile_count(), session()->trace()->num_heads + 1);
        QTest::mouseClick(c, Qt::LeftButton, {}, c->tile_center(1));
        QCOMPARE(w_->view_settings()->head(), 1);
        QTest::mouseClick(c, Qt::LeftButton, {}, c->tile_center(c->tile_count() - 1));
        QCOMPARE(w_->view_settings()->head(), kMeanOfHeads);
        w_->view_settings()->set_head(0);
        const int N = session()->trace()->num_tokens;
        QCOMPARE(w_->matrix_view()->figure().num_cells(), N * N);
    }

    void corrupt_model_keeps_the_old_one() {
        QTemporaryDir dir;
        const QString bad = dir.filePath("broken.safetensors");
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("this is not a safetensors file at all");
        f.close();
        const auto old_model = session()->model();
        const auto old_trace = session()->trace();
        w_->open_model(bad);
        QVERIFY(session()->wait_idle());
        QVERIFY2(w_->error_text().contains("broken.safetensors"), qPrintable(w_->error_text()));
        QCOMPARE(session()->model().get(), old_model.get());
        QCOMPARE(session()->trace().get(), old_trace.get());
        QCOMPARE(view()->patch_count(), 16);
        // Still usable: an option change recomputes on the old model.
        w_->controls()->scale_combo()->setCurrentIndex(int(ScaleMode::InvSqrtModelDim));
        QVERIFY(session()->wait_idle());
        QCOMPARE(int(session()->trace()->options.scale_mode), int(ScaleMode::InvSqrtModelDim));
    }

    void cleanupTestCase() { w_.reset(); }
};

QTEST_MAIN(TestAppInteraction)
#include "test_app_interaction.moc"
