// A local stand-in for the Hugging Face Hub for the tests: tests/hub_server.py (python3) serving a
// folder of repos on 127.0.0.1 (see that file for the behaviour each ORG selects).
#pragma once

#include "test_support.h"

#include <QProcess>
#include <QStandardPaths>

namespace vitscope::test {

class LocalHub {
public:
    ~LocalHub() {
        if (process_.state() != QProcess::NotRunning) {
            process_.kill();
            process_.waitForFinished();
        }
    }
    // Serves `root`; false with the reason when python3 is missing or the server does not start.
    bool start(const QString& root, QString* why) {
        const QString python = QStandardPaths::findExecutable("python3");
        if (python.isEmpty()) {
            *why = "python3 is not installed: the local Hub server (tests/hub_server.py) needs it";
            return false;
        }
        process_.setProgram(python);
        process_.setArguments({QStringLiteral(VITSCOPE_TESTS_DIR "/hub_server.py"), root});
        process_.start();
        if (!process_.waitForStarted() || !process_.waitForReadyRead(20000)) {
            *why = "tests/hub_server.py did not start: " + process_.errorString();
            return false;
        }
        endpoint_ = QString("http://127.0.0.1:%1").arg(process_.readLine().trimmed().toInt());
        return true;
    }
    const QString& endpoint() const { return endpoint_; }

private:
    QProcess process_;
    QString endpoint_;
};

inline QByteArray read_all(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

inline bool write_all(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    return QDir().mkpath(QFileInfo(path).absolutePath()) && f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

// ROOT/REPO holding the tiny Hugging Face ViT fixture (config.json + model.safetensors).
inline bool add_tiny_repo(const QString& root, const QString& repo) {
    const QString from = QString::fromStdString(data_path("vit/vit_tiny_hf"));
    return write_all(root + "/" + repo + "/config.json", read_all(from + "/config.json")) &&
           write_all(root + "/" + repo + "/model.safetensors", read_all(from + "/model.safetensors"));
}

}  // namespace vitscope::test
