// Hub downloads against a local stand-in for the Hub (tests/hub_server.py on 127.0.0.1; no test
// reaches the internet): a normal download loaded and run, a cut download resumed with Range, a
// corrupted body rejected by its SHA-256, 404 and 401 messages, a redirect, cancel, shards joined.
#include "test_support.h"
#include "local_hub.h"
#include "raw_safetensors.h"

#include "hub_cache.h"
#include "hub_download.h"
#include "model_library.h"
#include "model_reference.h"
#include "model_loader.h"
#include "json.h"
#include "vit_forward.h"

#include <QCryptographicHash>
#include <QImage>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>

using namespace vitscope;
using vitscope::test::data_path;

namespace {

using test::read_all;

void write_all(const QString& path, const QByteArray& bytes) { QVERIFY(test::write_all(path, bytes)); }

QString sha256(const QByteArray& b) { return QString::fromLatin1(QCryptographicHash::hash(b, QCryptographicHash::Sha256).toHex()); }

}  // namespace

class TestHub : public QObject {
    Q_OBJECT
    QTemporaryDir hub_;  // what the server serves
    test::LocalHub server_;
    QString endpoint_;
    QByteArray weights_;  // the tiny checkpoint every repo serves

    // A fresh cache for one test.
    HubSettings settings(QTemporaryDir& cache) const {
        HubSettings s;
        s.endpoint = endpoint_;
        s.cache_root = cache.path();
        return s;
    }

    void add_repo(const QString& repo) {
        write_all(hub_.filePath(repo + "/config.json"), read_all(QString::fromStdString(data_path("vit/vit_tiny_hf/config.json"))));
        write_all(hub_.filePath(repo + "/model.safetensors"), weights_);
    }

    QStringList requests() const { return QString::fromUtf8(read_all(hub_.filePath("requests.log"))).split('\n', Qt::SkipEmptyParts); }

    // Every file and folder under `root`, relative to it.
    static QStringList tree(const QString& root) {
        QStringList out;
        QDirIterator it(root, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext()) out << QDir(root).relativeFilePath(it.next());
        out.sort();
        return out;
    }

private slots:
    void initTestCase() {
        qunsetenv("HF_TOKEN");
        weights_ = read_all(QString::fromStdString(data_path("vit/vit_tiny_hf/model.safetensors")));
        QVERIFY(weights_.size() > 1000);
        for (const char* repo : {"test/tiny", "test/other", "norange/tiny", "cut/tiny", "corrupt/tiny", "gated/tiny", "redirect/tiny", "slow/tiny"})
            add_repo(repo);
        // A sharded copy: the tensors split over two files, as transformers writes them.
        const std::vector<test::RawTensor> all = test::fixture_tensors(data_path("vit/vit_tiny_hf/model.safetensors"));
        std::vector<test::RawTensor> a(all.begin(), all.begin() + long(all.size() / 2)), b(all.begin() + long(all.size() / 2), all.end());
        QVERIFY(QDir().mkpath(hub_.filePath("test/sharded")));
        test::write_raw(hub_.filePath("test/sharded/model-00001-of-00002.safetensors").toStdString(), a);
        test::write_raw(hub_.filePath("test/sharded/model-00002-of-00002.safetensors").toStdString(), b);
        QJsonObject map;
        for (const auto& t : a) map.insert(QString::fromStdString(t.name), "model-00001-of-00002.safetensors");
        for (const auto& t : b) map.insert(QString::fromStdString(t.name), "model-00002-of-00002.safetensors");
        write_all(hub_.filePath("test/sharded/model.safetensors.index.json"),
                  QJsonDocument(QJsonObject{{"metadata", QJsonObject{}}, {"weight_map", map}}).toJson());
        write_all(hub_.filePath("test/sharded/config.json"), read_all(QString::fromStdString(data_path("vit/vit_tiny_hf/config.json"))));
        // Only PyTorch weights.
        write_all(hub_.filePath("test/pytorch-only/config.json"), "{}");
        write_all(hub_.filePath("test/pytorch-only/pytorch_model.bin"), "not read");

        QString why;
        if (!server_.start(hub_.path(), &why)) QSKIP(qPrintable(why));
        endpoint_ = server_.endpoint();
    }

    void hub_ids() {
        QCOMPARE(parse_hub_id("facebook/dino-vits16")->repo, std::string("facebook/dino-vits16"));
        QCOMPARE(parse_hub_id("facebook/dino-vits16")->revision, std::string("main"));
        QCOMPARE(parse_hub_id("org/name@v1.0")->revision, std::string("v1.0"));
        QCOMPARE(parse_hub_id("org/name@refs/pr/1")->text(), std::string("org/name@refs/pr/1"));
        for (const char* bad : {"name", "a/b/c", "/b", "a/", "../b", "a/b@", "a/b@..", "a b/c", "a/b@x/../y"})
            QVERIFY2(!parse_hub_id(bad), bad);
        // A local path that exists is a path, whatever it looks like.
        QTemporaryDir d;
        QVERIFY(QDir(d.path()).mkpath("org/name"));
        QDir::setCurrent(d.path());
        QVERIFY(!hub_id_of("org/name"));
        QVERIFY(hub_id_of("org/other"));
        QCOMPARE(format_bytes(999), QString("999 B"));
        QCOMPARE(format_bytes(22883608), QString("22.9 MB"));
        DownloadProgress p;
        p.file = "model.safetensors";
        p.file_received = 12300000;
        p.file_total = 22900000;
        p.file_index = 2;
        p.file_count = 3;
        p.bytes_per_second = 4100000;
        p.seconds_left = 2.6;
        QCOMPARE(describe_progress(p), QString("model.safetensors (2/3): 12.3 MB of 22.9 MB, 4.10 MB/s, 3 s left"));
        p.file_total = -1;
        p.bytes_per_second = 0;
        p.seconds_left = -1;
        QCOMPARE(describe_progress(p), QString("model.safetensors (2/3): 12.3 MB"));
        for (const char* id : {"facebook/dino-vits16", "facebook/dino-vits8", "facebook/dino-vitb16",
                               "facebook/deit-tiny-patch16-224", "facebook/deit-small-patch16-224",
                               "google/vit-base-patch16-224", "facebook/dinov2-small",
                               "facebook/dinov2-with-registers-small", "microsoft/swin-tiny-patch4-window7-224",
                               "embedded:vitscope-vit-tiny", "embedded:vitscope-swin-tiny"})
            QVERIFY2(find_library_model(id), id);
    }

    void download_loads_and_runs() {
        QTemporaryDir cache;
        std::vector<DownloadProgress> seen;
        const QString snap = resolve_model_reference("test/tiny", settings(cache), [&](const DownloadProgress& p) { seen.push_back(p); });
        QCOMPARE(snap, cache.path() + "/models--test--tiny/snapshots/main");
        QCOMPARE(tree(cache.path()), QStringList({"models--test--tiny", "models--test--tiny/snapshots",
                                                  "models--test--tiny/snapshots/main",
                                                  "models--test--tiny/snapshots/main/.vitscope-complete",
                                                  "models--test--tiny/snapshots/main/config.json",
                                                  "models--test--tiny/snapshots/main/model.safetensors"}));
        QCOMPARE(read_all(snap + "/model.safetensors"), weights_);
        QCOMPARE(load_model(snap.toStdString()).info().name, std::string("test/tiny"));  // named by its id
        QVERIFY(!seen.empty());
        QCOMPARE(seen.back().file, QString("model.safetensors"));
        // Loaded and run: the same logits as the fixture it came from.
        const LoadedModel got = load_model(snap.toStdString()), want = load_model(data_path("vit/vit_tiny_hf"));
        ModelInput in = model_input_from_tensor(std::vector<float>(size_t(3 * got.input_height() * got.input_width()), 0.25f),
                                                got.input_height(), got.input_width(), got.patch_size());
        ViTTrace a, b;
        vit_forward(*got.vit, in, {}, a);
        vit_forward(*want.vit, in, {}, b);
        QVERIFY(a.logits.isApprox(b.logits, 0.0f));
        // Cached: no second request.
        const qsizetype before = requests().size();
        QCOMPARE(resolve_model_reference("test/tiny", settings(cache)), snap);
        QCOMPARE(requests().size(), before);
        const std::vector<CachedModel> list = list_cache(cache.path());
        QCOMPARE(list.size(), size_t(1));
        QCOMPARE(list[0].id.repo, std::string("test/tiny"));
        QVERIFY(list[0].complete);
        QVERIFY(list[0].bytes > weights_.size());
        delete_cached(cache.path(), list[0].id);
        QCOMPARE(tree(cache.path()), QStringList());
    }

    void cut_download_resumes_with_range() {
        QTemporaryDir cache;
        const QString part = cache.path() + "/models--cut--tiny/snapshots/main/model.safetensors.part";
        try {
            ensure_downloaded(*parse_hub_id("cut/tiny"), settings(cache), {});
            QFAIL("expected HubError");
        } catch (const HubError& e) {
            // Qt's words for a server that closed the connection before Content-Length bytes.
            QCOMPARE(QString::fromUtf8(e.what()), "model.safetensors: the download was interrupted after " +
                                                      format_bytes(weights_.size() / 2) + " of " +
                                                      format_bytes(weights_.size()) +
                                                      " (Connection closed); run it again to resume");
        }
        QCOMPARE(QFileInfo(part).size(), weights_.size() / 2);
        QVERIFY(!snapshot_complete(cache.path() + "/models--cut--tiny/snapshots/main"));
        const QString snap = ensure_downloaded(*parse_hub_id("cut/tiny"), settings(cache), {});
        QCOMPARE(read_all(snap + "/model.safetensors"), weights_);
        QVERIFY(!QFileInfo::exists(part));
        QVERIFY2(requests().contains(QString("GET /cut/tiny/resolve/main/model.safetensors bytes=%1-").arg(weights_.size() / 2)),
                 qPrintable(requests().join('\n')));
    }

    void server_without_ranges_restarts_the_file() {
        // A .part left by an earlier try, but the server answers the Range request with the whole file.
        QTemporaryDir cache;
        const QString part = cache.path() + "/models--norange--tiny/snapshots/main/model.safetensors.part";
        write_all(part, QByteArray(1000, 'x'));
        const QString snap = ensure_downloaded(*parse_hub_id("norange/tiny"), settings(cache), {});
        QCOMPARE(read_all(snap + "/model.safetensors"), weights_);
        QVERIFY(requests().contains("GET /norange/tiny/resolve/main/model.safetensors bytes=1000-"));
    }

    void corrupt_body_is_rejected() {
        QTemporaryDir cache;
        QByteArray bad = weights_;
        bad[100] = char(bad[100] ^ 0xFF);
        try {
            ensure_downloaded(*parse_hub_id("corrupt/tiny"), settings(cache), {});
            QFAIL("expected HubError");
        } catch (const HubError& e) {
            QCOMPARE(QString::fromUtf8(e.what()),
                     "model.safetensors: SHA-256 mismatch (expected " + sha256(weights_) + ", got " + sha256(bad) +
                         "): the download was corrupted and nothing was kept; try again");
        }
        QCOMPARE(tree(cache.path()), QStringList());
    }

    void unknown_repo_is_404() {
        QTemporaryDir cache;
        try {
            resolve_model_reference("nobody/nothing", settings(cache));
            QFAIL("expected HubError");
        } catch (const HubError& e) {
            QCOMPARE(QString::fromUtf8(e.what()), "nobody/nothing: not found on " + endpoint_ +
                                                      " (HTTP 404 for config.json): check the model id and revision");
        }
        QCOMPARE(tree(cache.path()), QStringList());
    }

    void gated_repo_needs_a_token() {
        QTemporaryDir cache;
        try {
            resolve_model_reference("gated/tiny", settings(cache));
            QFAIL("expected HubError");
        } catch (const HubError& e) {
            QCOMPARE(QString::fromUtf8(e.what()),
                     QString("gated/tiny: access denied (HTTP 401 for config.json): the repo is gated or private; accept "
                             "its terms on the Hub and set HF_TOKEN (or type a token in the Model library)"));
        }
        QCOMPARE(tree(cache.path()), QStringList());
        HubSettings s = settings(cache);
        s.token = "let-me-in";
        QCOMPARE(read_all(resolve_model_reference("gated/tiny", s) + "/model.safetensors"), weights_);
    }

    void redirect_is_followed() {
        QTemporaryDir cache;
        const QString snap = resolve_model_reference("redirect/tiny", settings(cache));
        QCOMPARE(read_all(snap + "/model.safetensors"), weights_);
        QVERIFY(requests().contains("GET /cdn/redirect/tiny/model.safetensors -"));
    }

    void cancel_leaves_nothing() {
        QTemporaryDir cache;
        HubDownload d(*parse_hub_id("slow/tiny"), settings(cache));
        QSignalSpy cancelled(&d, &HubDownload::cancelled), finished(&d, &HubDownload::finished);
        connect(&d, &HubDownload::progress, &d, [&](const DownloadProgress& p) {
            if (p.file == "model.safetensors" && p.file_received > 1000) d.cancel();
        });
        d.start();
        QVERIFY(cancelled.wait(20000));
        QCOMPARE(finished.size(), 0);
        QCOMPARE(tree(cache.path()), QStringList());
    }

    void shards_are_joined() {
        QTemporaryDir cache;
        const QString snap = resolve_model_reference("test/sharded", settings(cache));
        QCOMPARE(tree(snap), QStringList({".vitscope-complete", "config.json", "model.safetensors",
                                          "model.safetensors.index.json"}));
        const LoadedModel got = load_model(snap.toStdString()), want = load_model(data_path("vit/vit_tiny_hf"));
        QCOMPARE(got.info().num_parameters, want.info().num_parameters);
        SafetensorsFile joined((snap + "/model.safetensors").toStdString()), original(data_path("vit/vit_tiny_hf/model.safetensors"));
        QCOMPARE(joined.tensors().size(), original.tensors().size());
        for (const auto& [name, info] : original.tensors()) QVERIFY(joined.read_f32(name) == original.read_f32(name));
    }

    // vitscope-cli: pull, a Hub id wherever a model goes (predict, figure), models, errors.
    void cli_pulls_and_runs_hub_ids() {
        QTemporaryDir cache, work;
        QImage img(40, 32, QImage::Format_RGB32);
        img.fill(QColor(120, 80, 200));
        const QString image = work.filePath("img.png");
        QVERIFY(img.save(image));
        auto cli = [&](const QStringList& args, QString* err = nullptr) {
            QProcess p;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert("HF_ENDPOINT", endpoint_);
            env.insert("VITSCOPE_CACHE", cache.path());
            p.setProcessEnvironment(env);
            p.start(VITSCOPE_CLI_PATH, args);
            p.waitForFinished(120000);
            if (err) *err = QString::fromUtf8(p.readAllStandardError());
            return std::make_pair(p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()));
        };
        QString err;
        auto [code, out] = cli({"predict", "test/tiny", image, "--topk", "1", "--json"}, &err);
        QCOMPARE(code, 0);
        QVERIFY2(err.contains("vitscope-cli: downloading model.safetensors"), qPrintable(err));
        QCOMPARE(parse_json(out.toStdString()).string_or("model", ""), std::string("test/tiny"));  // its Hub id
        const QString snap = cache.path() + "/models--test--tiny/snapshots/main";
        QVERIFY(snapshot_complete(snap));
        // pull of a cached model says so; of another downloads it.
        std::tie(code, out) = cli({"pull", "test/tiny"});
        QCOMPARE(code, 0);
        QCOMPARE(out, "test/tiny already in the cache: " + snap + "\n");
        std::tie(code, out) = cli({"pull", "redirect/tiny"});
        QCOMPARE(code, 0);
        QCOMPARE(out, "redirect/tiny downloaded to " + cache.path() + "/models--redirect--tiny/snapshots/main\n");
        // A figure after a download (the network's application object gives way to the painter's).
        const QString png = work.filePath("fig.png");
        std::tie(code, out) = cli({"figure", "test/other", image, "--view", "image", "--out", png}, &err);
        QVERIFY2(code == 0, qPrintable(err));
        QVERIFY(QImage(png).width() > 0);
        std::tie(code, out) = cli({"models"});
        QCOMPARE(code, 0);
        QVERIFY(out.contains("facebook/dinov2-with-registers-small"));
        QVERIFY(out.contains("embedded:vitscope-swin-tiny"));
        QVERIFY2(out.contains("  test/tiny" + QString(40, ' ') + format_bytes(list_cache(cache.path())[2].bytes)  /* sorted: redirect, test/other, test/tiny */),
                 qPrintable(out));
        std::tie(code, out) = cli({"info", "nobody/nothing"}, &err);
        QCOMPARE(code, 1);
        QCOMPARE(err, "vitscope-cli: nobody/nothing: not found on " + endpoint_ +
                          " (HTTP 404 for config.json): check the model id and revision\n");
        // HF_TOKEN opens a gated repo.
        std::tie(code, out) = cli({"pull", "gated/tiny"}, &err);
        QCOMPARE(code, 1);
        QVERIFY2(err.startsWith("vitscope-cli: gated/tiny: access denied (HTTP 401 for config.json)"), qPrintable(err));
        qputenv("HF_TOKEN", "let-me-in");
        std::tie(code, out) = cli({"pull", "gated/tiny@main"}, &err);
        qunsetenv("HF_TOKEN");
        QVERIFY2(code == 0, qPrintable(err));
        std::tie(code, out) = cli({"pull", "not-an-id"}, &err);
        QCOMPARE(code, 2);
        QCOMPARE(err, QString("vitscope-cli: pull expects a Hub id ORG/NAME[@REVISION], got 'not-an-id'\n"));
    }

    void pytorch_only_repo_says_how_to_convert() {
        QTemporaryDir cache;
        try {
            resolve_model_reference("test/pytorch-only", settings(cache));
            QFAIL("expected HubError");
        } catch (const HubError& e) {
            QCOMPARE(QString::fromUtf8(e.what()),
                     QString("test/pytorch-only has only PyTorch weights (pytorch_model.bin), which vitscope does not "
                             "read: convert them once with `python3 tools/convert_to_safetensors.py test/pytorch-only "
                             "FOLDER` and open FOLDER"));
        }
        QCOMPARE(tree(cache.path()), QStringList());  // a snapshot that can never complete is not kept
    }
};

QTEST_GUILESS_MAIN(TestHub)
#include "test_hub.moc"
