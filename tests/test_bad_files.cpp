// Replays every committed bad input in tests/data/bad_files: minimal files for the defects of issue
// #16 and every crash input the fuzzers found. Each NAME.* has NAME.expected beside it: the one-line
// message (FILE stands for the input's path) the loader must give. Adding a fuzzer's crash input
// with its expected message is all a new regression test needs.
#include "test_support.h"
#include "image_loader.h"
#include "model_loader.h"

#include <QDir>
#include <QFile>

using namespace vitscope;

class TestBadFiles : public QObject {
    Q_OBJECT

    static void add_rows(const char* kind) {
        const QDir dir(QString::fromStdString(test::data_path(std::string("bad_files/") + kind)));
        for (const QFileInfo& fi : dir.entryInfoList(QDir::Files, QDir::Name)) {
            if (fi.suffix() == "expected") continue;
            QFile e(dir.filePath(fi.completeBaseName() + ".expected"));
            QVERIFY2(e.open(QIODevice::ReadOnly), qPrintable(fi.fileName() + " has no .expected beside it"));
            const QString expected = QString::fromUtf8(e.readAll()).trimmed().replace("FILE", fi.filePath());
            QTest::newRow(qPrintable(fi.fileName())) << fi.filePath() << expected;
        }
    }

private slots:
    void models_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("message");
        add_rows("model");
    }
    void models() {
        QFETCH(QString, path);
        QFETCH(QString, message);
        try {
            load_model(path.toStdString());
            QFAIL("loaded without an error");
        } catch (const FileError& e) {
            QCOMPARE(QString::fromStdString(e.what()), message);
        }
    }

    void images_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("message");
        add_rows("image");
    }
    void images() {
        QFETCH(QString, path);
        QFETCH(QString, message);
        try {
            load_rgb_image(path);
            QFAIL("decoded without an error");
        } catch (const std::runtime_error& e) {
            QCOMPARE(QString::fromStdString(e.what()), message);
        }
    }
};

QTEST_GUILESS_MAIN(TestBadFiles)
#include "test_bad_files.moc"
