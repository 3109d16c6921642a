// The desktop app under a tiny memory budget (VITSCOPE_MEMORY_BUDGET_MB): the question comes before
// the pass, "visible layer only" keeps that layer's attention and showing another layer computes it,
// the status bar says what is kept; "keep everything" and cancel do what they say.
#include "gl_figure_widget.h"
#include "main_window.h"
#include "memory_budget_dialog.h"
#include "session.h"
#include "test_support.h"
#include "view_settings.h"
#include "workspace_state.h"

#include <QLabel>
#include <QStatusBar>
#include <QtTest>

using namespace vitscope;

class TestAppMemoryBudget : public QObject {
    Q_OBJECT
    std::unique_ptr<MainWindow> w_;
    QStringList questions_;
    MemoryChoice answer_ = MemoryChoice::VisibleLayerOnly;

    Session* session() { return w_->session(); }
    std::optional<AttentionSource> source() { return attention_source(session()->state()); }
    QString status_text() {
        QString all;
        for (QLabel* l : w_->statusBar()->findChildren<QLabel*>()) all += l->toolTip() + " | ";
        return all;
    }
    void open_model() {
        w_->open_model(QString::fromStdString(test::data_path("vit/vit_tiny_hf")));
        QVERIFY(session()->wait_idle());
        QTRY_VERIFY(!session()->memory_decision() && session()->wait_idle());
    }

private slots:
    void initTestCase() {
        qputenv("VITSCOPE_MEMORY_BUDGET_MB", "0.01");  // 10 kB: every pass is over it
        set_memory_choice_answerer([this](const QString& q) {
            questions_ << q;
            return answer_;
        });
        QSurfaceFormat::setDefaultFormat(gl_core_format());
        w_ = std::make_unique<MainWindow>(/*persist=*/false);
        QCOMPARE(session()->memory_budget(), int64_t(0.01 * 1024 * 1024));
        w_->show();
        QVERIFY(QTest::qWaitForWindowExposed(w_.get()));
        w_->set_image(generated_gradient_image(64, 64), "generated 64x64");
    }

    void visible_layer_only() {
        questions_.clear();
        answer_ = MemoryChoice::VisibleLayerOnly;
        open_model();
        QCOMPARE(questions_.size(), 1);
        QVERIFY2(questions_[0].contains("visible layer only") && questions_[0].contains("budget"), qPrintable(questions_[0]));
        QVERIFY2(questions_[0].contains("(set by VITSCOPE_MEMORY_BUDGET_MB)"), qPrintable(questions_[0]));
        QTRY_VERIFY(session()->has_trace());
        QVERIFY(session()->visible_layer_only());
        const int layers = source()->layers();
        QVERIFY(layers >= 2);
        const int shown = std::clamp(w_->view_settings()->layer(), 0, layers - 1);
        QVERIFY(source()->kept(shown));
        QVERIFY(!source()->all_kept());
        QVERIFY2(status_text().contains("kept for this layer only"), qPrintable(status_text()));

        const int other = shown == layers - 1 ? 0 : layers - 1;
        w_->view_settings()->set_layer(other);
        QTRY_VERIFY(!session()->busy() && source()->kept(other));
        QVERIFY(!source()->kept(shown));
        QCOMPARE(questions_.size(), 1);  // asked once per model
        QVERIFY2(status_text().contains("kept for this layer only"), qPrintable(status_text()));
    }

    void keep_everything() {
        questions_.clear();
        answer_ = MemoryChoice::KeepEverything;
        open_model();  // another model (the same file): asked again
        QCOMPARE(questions_.size(), 1);
        QTRY_VERIFY(session()->has_trace());
        QVERIFY(source()->all_kept());
        QVERIFY(!session()->visible_layer_only());
        QVERIFY(!status_text().contains("kept for this layer only"));
    }

    void cancel() {
        questions_.clear();
        answer_ = MemoryChoice::Cancel;
        open_model();
        QCOMPARE(questions_.size(), 1);
        QVERIFY(session()->wait_idle());
        QVERIFY(!session()->has_trace());  // nothing computed, and no error banner
        QVERIFY(w_->error_text().isEmpty());
        QVERIFY(w_->statusBar()->currentMessage().contains("cancelled"));
    }

    void cleanupTestCase() {
        set_memory_choice_answerer({});
        w_.reset();
    }
};

QTEST_MAIN(TestAppMemoryBudget)
#include "test_app_memory_budget.moc"
