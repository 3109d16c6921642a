// File > Model library… against the local stand-in Hub (tests/hub_server.py): `--model ORG/NAME`
// downloads in the dialog and opens the snapshot; the cache list and delete; cancel; a
// PyTorch-only repo shows the conversion command.
#include "local_hub.h"
#include "raw_safetensors.h"

#include "gl_figure_widget.h"
#include "hub_cache.h"
#include "main_window.h"
#include "model_library_dialog.h"
#include "session.h"

#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>

using namespace vitscope;

class TestAppModelLibrary : public QObject {
    Q_OBJECT
    QTemporaryDir hub_, cache_;
    test::LocalHub server_;
    std::unique_ptr<MainWindow> w_;

    QPushButton* button(const QString& text) {
        for (QPushButton* b : w_->model_library()->findChildren<QPushButton*>())
            if (b->text() == text) return b;
        return nullptr;
    }

private slots:
    void initTestCase() {
        QVERIFY(test::add_tiny_repo(hub_.path(), "test/tiny"));
        QVERIFY(test::add_tiny_repo(hub_.path(), "slow/tiny"));
        QVERIFY(test::write_all(hub_.filePath("test/pytorch-only/config.json"), "{}"));
        QVERIFY(test::write_all(hub_.filePath("test/pytorch-only/pytorch_model.bin"), "x"));
        QString why;
        if (!server_.start(hub_.path(), &why)) QSKIP(qPrintable(why));
        qputenv("HF_ENDPOINT", server_.endpoint().toUtf8());
        qputenv("VITSCOPE_CACHE", cache_.path().toUtf8());
        qunsetenv("HF_TOKEN");
        QSurfaceFormat::setDefaultFormat(gl_core_format());
        w_ = std::make_unique<MainWindow>(/*persist=*/false);
        w_->show();
        QVERIFY(QTest::qWaitForWindowExposed(w_.get()));
    }

    void hub_id_on_the_command_line_downloads_and_opens() {
        w_->start({"test/tiny", QString()});
        ModelLibraryDialog* d = w_->model_library();
        QVERIFY(d->isVisible());
        const QString snapshot = cache_.path() + "/models--test--tiny/snapshots/main";
        QTRY_COMPARE_WITH_TIMEOUT(w_->session()->model_path(), snapshot, 20000);
        QVERIFY(w_->session()->wait_idle());
        QVERIFY(w_->session()->trace());
        QCOMPARE(d->status_text(), "Downloaded to " + snapshot);
        QCOMPARE(d->cache_table()->rowCount(), 1);
        QCOMPARE(d->cache_table()->item(0, 0)->text(), QString("test/tiny"));
        QCOMPARE(d->cache_table()->item(0, 1)->text(), format_bytes(list_cache(cache_.path())[0].bytes));
        // Opening it again comes from the cache.
        w_->open_model("test/tiny");
        QCOMPARE(w_->session()->model_path(), snapshot);
    }

    void library_lists_the_curated_models() {
        QTableWidget* t = w_->model_library()->library_table();
        QStringList ids;
        for (int r = 0; r < t->rowCount(); ++r) ids << t->item(r, 0)->text();
        QVERIFY(ids.contains("facebook/dino-vits16"));
        QVERIFY(ids.contains("microsoft/swin-tiny-patch4-window7-224"));
        QVERIFY(ids.contains("embedded:vitscope-swin-tiny"));
    }

    void cancel_leaves_nothing() {
        ModelLibraryDialog* d = w_->model_library();
        d->hub_id_edit()->setText("slow/tiny");
        QPushButton* fetch = button("Fetch");
        QPushButton* cancel = button("Cancel");
        QVERIFY(fetch && cancel);
        QVERIFY(!cancel->isEnabled());
        fetch->click();
        QVERIFY(d->downloading());
        QTRY_VERIFY_WITH_TIMEOUT(d->status_text().startsWith("model.safetensors (2/2): "), 20000);
        cancel->click();
        QTRY_COMPARE(d->status_text(), QString("Cancelled; nothing was kept."));
        QVERIFY(!QFileInfo::exists(cache_.path() + "/models--slow--tiny"));
        QCOMPARE(d->cache_table()->rowCount(), 1);  // test/tiny only
    }

    void pytorch_only_shows_the_command() {
        ModelLibraryDialog* d = w_->model_library();
        d->hub_id_edit()->setText("test/pytorch-only");
        button("Fetch")->click();
        QTRY_COMPARE_WITH_TIMEOUT(d->status_text(),
                                  QString("test/pytorch-only has only PyTorch weights (pytorch_model.bin), which "
                                          "vitscope does not read: convert them once with `python3 "
                                          "tools/convert_to_safetensors.py test/pytorch-only FOLDER` and open FOLDER"),
                                  20000);
    }

    void delete_from_cache() {
        ModelLibraryDialog* d = w_->model_library();
        d->cache_table()->selectRow(0);
        button("Delete from Cache")->click();
        QCOMPARE(d->status_text(), QString("Deleted test/tiny from the cache."));
        QCOMPARE(d->cache_table()->rowCount(), 0);
        QVERIFY(list_cache(cache_.path()).empty());
    }

    // Step one of the same issue, in the app: a bare 1000-class checkpoint gets the built-in
    // ImageNet-1k names (the session asks class_labels_for, as the CLI does).
    void imagenet_names_for_a_bare_1000_class_model() {
        std::vector<test::RawTensor> ts = test::fixture_tensors(test::data_path("vit/vit_tiny_timm.safetensors"));
        test::RawTensor* w = test::find_tensor(ts, "head.weight");
        test::RawTensor* b = test::find_tensor(ts, "head.bias");
        QVERIFY(w && b);
        w->shape = {1000, 32};
        w->bytes = test::f32_bytes(std::vector<float>(1000 * 32, 0.0f));
        b->shape = {1000};
        b->bytes = test::f32_bytes(std::vector<float>(1000, 0.0f));
        const QString path = cache_.filePath("in1k.safetensors");
        test::write_raw(path.toStdString(), ts);
        w_->open_model(path);
        QTRY_COMPARE_WITH_TIMEOUT(w_->session()->model_path(), path, 20000);
        QVERIFY(w_->session()->wait_idle());
        const QStringList labels = w_->session()->labels();
        QCOMPARE(labels.size(), 1000);
        QCOMPARE(labels[88], QString("macaw"));
        QCOMPARE(labels[999], QString("toilet tissue"));
    }

    void cleanupTestCase() { w_.reset(); }
};

QTEST_MAIN(TestAppModelLibrary)
#include "test_app_model_library.moc"
