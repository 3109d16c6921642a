// The Explained dock on the tiny Swin fixture: the logits view makes the session keep logits (and
// its bars are the engine's terms), the cross-region read-out is 0 with the shift mask and positive
// without it, the shift view steps through the five states, a click on a stage of the hierarchy
// selects that stage's first block, and every view exports.
#include "explained_panel.h"
#include "figure_exporter.h"
#include "figure_source.h"
#include "main_window.h"
#include "session.h"
#include "swin_explained_figures.h"
#include "test_support.h"
#include "view_settings.h"

#include <QComboBox>
#include <QSlider>
#include <QTemporaryDir>
#include <QtTest>

using namespace vitscope;

class TestAppExplained : public QObject {
    Q_OBJECT
    std::unique_ptr<MainWindow> w_;
    Session* session() { return w_->session(); }
    ExplainedPanel* panel() { return w_->explained(); }
    void choose(FigureView v) {
        auto* combo = panel()->findChild<QComboBox*>();
        combo->setCurrentIndex(combo->findData(int(v)));
    }

private slots:
    void initTestCase() {
        QSurfaceFormat::setDefaultFormat(gl_core_format());
        w_ = std::make_unique<MainWindow>(false);
        w_->resize(1400, 900);
        w_->show();
        QVERIFY(QTest::qWaitForWindowExposed(w_.get()));
        w_->start({QString::fromStdString(test::data_path("swin/swin_tiny_hf")), QString()});
        QVERIFY(session()->wait_idle());
        QVERIFY(session()->swin_trace());
        w_->view_settings()->set_layer(1);  // a shifted block
        w_->view_settings()->set_head(0);
    }

    void logits_view_keeps_logits() {
        choose(FigureView::Logits);
        QVERIFY(session()->wait_idle());
        QVERIFY(session()->options().keep_logits);
        QVERIFY(!session()->swin_trace()->blocks[1].logits_qk.empty());
        const LogitTermsData d =
            logit_terms_data(figure_inputs(*session()), figure_selection(*w_->view_settings()));
        QVERIFY2(d.note.empty(), d.note.c_str());
        QCOMPARE(int(d.qk.size()), session()->swin_trace()->blocks[1].geometry.window_tokens());
        QVERIFY(panel()->canvas()->built().list.count<RectItem>() > int(d.qk.size()));  // a bar per key at least
        choose(FigureView::Shift);
        QVERIFY(session()->wait_idle());
        QVERIFY(!session()->options().keep_logits);  // only while the logits are shown
    }

    void cross_region_readout_follows_the_mask() {
        QVERIFY(panel()->leakage_text().contains("exactly 0"));
        SwinOptions so;
        so.shift_mask = false;
        session()->set_swin_options(so);
        QVERIFY(session()->wait_idle());
        QVERIFY(panel()->leakage_text().contains("OFF"));
        for (double s : swin_cross_region_share(*session()->swin_trace(), 1)) QVERIFY(s > 0);
        session()->set_swin_options({});
        QVERIFY(session()->wait_idle());
    }

    void shift_steps_and_hierarchy_click() {
        choose(FigureView::Shift);
        auto* slider = panel()->findChild<QSlider*>();
        for (int s = 1; s <= kSwinShiftSteps; ++s) {
            slider->setValue(s);
            QCOMPARE(panel()->canvas()->step(), s - 1);
        }
        choose(FigureView::Hierarchy);
        QTest::qWait(20);
        const auto& panels = panel()->canvas()->built().panels;
        const int stages = int(session()->swin_trace()->stage_first_block.size());
        QCOMPARE(int(panels.size()), stages);
        const RectF g = panels.back().layout.grid;
        QTest::mouseClick(panel()->canvas(), Qt::LeftButton, {}, QPoint(int(g.x + g.w / 2), int(g.y + g.h / 2)));
        QCOMPARE(w_->view_settings()->layer(), session()->swin_trace()->stage_first_block.back());
        w_->view_settings()->set_layer(1);
    }

    void every_explained_view_exports() {
        QTemporaryDir dir;
        for (FigureView v : {FigureView::Shift, FigureView::Bias, FigureView::Hierarchy}) {
            ExportRequest r;
            r.view = v;
            r.path = dir.filePath(QString("%1.svg").arg(figure_view_name(v)));
            QVERIFY2(w_->export_figure_to(r), qPrintable(w_->error_text()));
            QVERIFY(QFileInfo(r.path).size() > 1000);
        }
    }
};

QTEST_MAIN(TestAppExplained)
#include "test_app_explained.moc"
