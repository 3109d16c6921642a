// vitscope-cli analyze end to end: every --what with --json gives exactly its keys, with layers and
// heads in order and numbers as numbers; ViT-only analyses on Swin and unknown analyses fail cleanly.
#include "test_support.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

namespace {

struct Result {
    int code = -1;
    QByteArray out;
    QString err;
};

Result cli(const QStringList& args) {
    QProcess p;
    p.start(VITSCOPE_CLI_PATH, args);
    p.waitForFinished(300000);
    return {p.exitCode(), p.readAllStandardOutput(), QString::fromUtf8(p.readAllStandardError())};
}

QString asset(const char* rel) { return QString(VITSCOPE_ASSETS_DIR) + "/" + rel; }

QStringList keys(const QJsonObject& o) {
    QStringList k = o.keys();
    k.sort();
    return k;
}

// `analyze --what what --json` on the default ViT and the given extra arguments; the inner object.
QJsonObject analyze(const QString& what, QStringList extra = {}) {
    QStringList args{"analyze", asset("images/wide_scene_160x112.png"), "--what", what, "--json"};
    args += extra;
    const Result r = cli(args);
    if (r.code != 0) qWarning("%s", qPrintable(r.err));
    QJsonParseError e;
    const QJsonDocument doc = QJsonDocument::fromJson(r.out, &e);
    if (r.code != 0 || e.error != QJsonParseError::NoError || !doc.isObject()) return {};
    const QJsonObject top = doc.object();
    if (keys(top) != QStringList{what}) return {};
    return top.value(what).toObject();
}

// A [layer][head] table of numbers: its layer count, every layer with `heads` numbers.
bool is_table(const QJsonValue& v, int layers, int heads) {
    if (!v.isArray() || v.toArray().size() != layers) return false;
    for (const QJsonValue& row : v.toArray()) {
        if (!row.isArray() || row.toArray().size() != heads) return false;
        for (const QJsonValue& x : row.toArray())
            if (!x.isDouble()) return false;
    }
    return true;
}

}  // namespace

class TestAnalyzeCli : public QObject {
    Q_OBJECT
    int layers_ = 0, heads_ = 0;

private slots:
    void initTestCase() {  // the default model's layers and heads, from the distance table
        const QJsonArray px = analyze("distance").value("px").toArray();
        layers_ = px.size();
        heads_ = px.at(0).toArray().size();
        QVERIFY(layers_ > 0 && heads_ > 0);
    }

    void distance_keys_and_shape() {
        const QJsonObject d = analyze("distance");
        QCOMPARE(keys(d), (QStringList{"px", "uniform_px"}));
        QVERIFY(is_table(d.value("px"), layers_, heads_));
        QVERIFY(d.value("uniform_px").toDouble() > 0);
    }

    void rollout_keys_and_shape() {
        const QJsonObject r = analyze("rollout", {"--fusion", "max", "--discard", "0.5", "--start-layer", "1"});
        QCOMPARE(keys(r), (QStringList{"grid", "values"}));
        const QJsonArray grid = r.value("grid").toArray();
        QCOMPARE(grid.size(), 2);
        const QJsonArray values = r.value("values").toArray();
        QCOMPARE(values.size(), grid.at(0).toInt() * grid.at(1).toInt());
        double top = 0;
        for (const QJsonValue& v : values) top = std::max(top, v.toDouble());
        QCOMPARE(top, 1.0);
    }

    void saturation_keys_and_shape() {
        const QJsonObject paper = analyze("saturation");
        QCOMPARE(keys(paper), (QStringList{"entropy", "jacobian_fro", "max_prob"}));
        for (const QString& k : keys(paper)) QVERIFY2(is_table(paper.value(k), layers_, heads_), qPrintable(k));
        // --scale none sharpens the first layer's softmax.
        const QJsonObject none = analyze("saturation", {"--scale", "none"});
        QVERIFY(none.value("entropy").toArray().at(0).toArray().at(0).toDouble() <
                paper.value("entropy").toArray().at(0).toArray().at(0).toDouble());
    }

    void leakage_keys_and_values() {
        const QJsonObject on = analyze("leakage", {"--preprocess", "pad"});
        QCOMPARE(keys(on), QStringList{"share"});
        QVERIFY(is_table(on.value("share"), layers_, heads_));
        const QJsonObject off = analyze("leakage", {"--preprocess", "pad", "--no-padding-mask"});
        for (int l = 0; l < layers_; ++l)
            for (int h = 0; h < heads_; ++h) {
                QCOMPARE(on.value("share").toArray().at(l).toArray().at(h).toDouble(), 0.0);
                QVERIFY(off.value("share").toArray().at(l).toArray().at(h).toDouble() > 0.0);
            }
    }

    void heads_keys_and_shape() {
        const QJsonObject h = analyze("heads");
        QCOMPARE(keys(h), QStringList{"js"});
        const QJsonArray js = h.value("js").toArray();
        QCOMPARE(js.size(), layers_);
        for (const QJsonValue& layer : js) {
            QVERIFY(is_table(layer, heads_, heads_));
            for (int i = 0; i < heads_; ++i) QCOMPARE(layer.toArray().at(i).toArray().at(i).toDouble(), 0.0);
        }
    }

    void posembed_and_filters_keys() {
        const QJsonObject p = analyze("posembed");
        QCOMPARE(keys(p), (QStringList{"cosine", "grid"}));
        const int n = p.value("grid").toArray().at(0).toInt() * p.value("grid").toArray().at(1).toInt();
        QVERIFY(n > 0);
        QVERIFY(is_table(p.value("cosine"), n, n));
        QVERIFY(std::fabs(p.value("cosine").toArray().at(0).toArray().at(0).toDouble() - 1.0) < 1e-5);
        const QJsonObject f = analyze("filters");
        QCOMPARE(keys(f), QStringList{"components"});
        const QJsonArray c = f.value("components").toArray();
        QCOMPARE(c.size(), 28);
        for (const QJsonValue& tile : c)
            for (const QJsonValue& v : tile.toArray()) QVERIFY(v.toDouble() >= 0.0 && v.toDouble() <= 1.0);
    }

    void swin_distance_runs_and_vit_only_analyses_refuse() {
        const Result d = cli({"analyze", asset("models/vitscope-swin-tiny"), asset("images/default.png"), "--what",
                              "distance", "--json"});
        QCOMPARE(d.code, 0);
        QVERIFY(QJsonDocument::fromJson(d.out).object().value("distance").toObject().contains("px"));
        for (const char* what : {"rollout", "posembed", "filters"}) {
            const Result r = cli({"analyze", asset("models/vitscope-swin-tiny"), asset("images/default.png"), "--what",
                                  what, "--json"});
            QCOMPARE(r.code, 1);
            QVERIFY(r.out.isEmpty());
            QCOMPARE(r.err.count('\n'), 1);
            QVERIFY2(r.err.contains("ViT-family"), qPrintable(r.err));
        }
        // Swin leakage: [per head] per block, exactly 0 with the shift mask, > 0 without it in shifted blocks.
        const int heads[6] = {2, 2, 4, 4, 8, 8};  // the default Swin: depths 2-2-2, heads 2-4-8
        for (bool mask : {true, false}) {
            QStringList args{"analyze", asset("models/vitscope-swin-tiny"), asset("images/default.png"), "--what",
                             "swin-leakage", "--json"};
            if (!mask) args << "--no-shift-mask";
            const Result r = cli(args);
            QCOMPARE(r.code, 0);
            const QJsonObject top = QJsonDocument::fromJson(r.out).object();
            QCOMPARE(keys(top), QStringList{"swin_leakage"});
            const QJsonArray share = top.value("swin_leakage").toObject().value("share").toArray();
            QCOMPARE(share.size(), 6);
            for (int b = 0; b < 6; ++b) {
                QCOMPARE(share[b].toArray().size(), heads[b]);
                for (const QJsonValue& v : share[b].toArray()) {
                    const bool shifted = b == 1 || b == 3;  // stage 2's map is one window: no shift
                    if (mask || !shifted) QCOMPARE(v.toDouble(), 0.0);
                    else QVERIFY(v.toDouble() > 0.0);
                }
            }
        }
        const Result vit = cli({"analyze", asset("images/default.png"), "--what", "swin-leakage", "--json"});
        QCOMPARE(vit.code, 1);
        QVERIFY2(vit.err.contains("needs a Swin model"), qPrintable(vit.err));
        const Result bad = cli({"analyze", asset("images/default.png"), "--what", "everything"});
        QCOMPARE(bad.code, 2);
        const Result help = cli({"analyze", "--help"});
        QCOMPARE(help.code, 0);
        QVERIFY(QString::fromUtf8(help.out).contains("--what WHAT"));
    }
};

QTEST_APPLESS_MAIN(TestAnalyzeCli)
#include "test_analyze_cli.moc"
