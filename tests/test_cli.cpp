// vitscope-cli end to end: info, predict (text and --json), dump, bench, and its error messages.
#include "test_support.h"
#include "json.h"
#include "safetensors.h"
#include "raw_safetensors.h"
#include "class_labels.h"
#include "model_loader.h"

#include <QDir>
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>

using namespace vitscope;
using vitscope::test::data_path;

namespace {

struct Result {
    int code = -1;
    QString out, err;
};

Result cli(const QStringList& args) {
    QProcess p;
    p.start(VITSCOPE_CLI_PATH, args);
    p.waitForFinished(120000);
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

QString fixture(const char* rel) { return QString::fromStdString(data_path(rel)); }

// The tiny timm ViT with a `classes`-way head (no config, so no names of its own) whose bias makes
// class `winner` the top-1 on any input.
void write_vit_with_head(const QString& path, int classes, int winner) {
    std::vector<test::RawTensor> ts = test::fixture_tensors(data_path("vit/vit_tiny_timm.safetensors"));
    test::RawTensor* w = test::find_tensor(ts, "head.weight");
    test::RawTensor* b = test::find_tensor(ts, "head.bias");
    QVERIFY(w && b);
    w->shape = {classes, 32};
    w->bytes = test::f32_bytes(std::vector<float>(size_t(classes) * 32, 0.0f));
    std::vector<float> bias(size_t(classes), 0.0f);
    bias[size_t(winner)] = 20.0f;
    b->shape = {classes};
    b->bytes = test::f32_bytes(bias);
    test::write_raw(path.toStdString(), ts);
}

}  // namespace

class TestCli : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString image_;

private slots:
    void initTestCase() {
        QImage img(40, 32, QImage::Format_RGB32);
        for (int y = 0; y < 32; ++y)
            for (int x = 0; x < 40; ++x) img.setPixelColor(x, y, QColor(x * 6, y * 7, (x * y) % 255));
        image_ = dir_.filePath("img.png");
        QVERIFY(img.save(image_));
    }

    void help_documents_commands() {
        Result r = cli({"--help"});
        QCOMPARE(r.code, 0);
        for (const char* word : {"info MODEL", "predict [MODEL] IMAGE", "dump MODEL IMAGE", "bench MODEL"})
            QVERIFY2(r.out.contains(word), word);
        Result p = cli({"predict", "--help"});
        QVERIFY(p.out.contains("--preprocess crop|pad|none"));
        QVERIFY(p.out.contains("--mask-keys"));
    }

    void info_describes_the_model() {
        Result r = cli({"info", fixture("vit/deit_distilled_tiny_hf")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("architecture:   DeiT (distilled)"), qPrintable(r.out));
        QVERIFY(r.out.contains("naming:         Hugging Face transformers"));
        QVERIFY(r.out.contains("tokens:         18 (2 prefix: CLS, DIST)"));
        QVERIFY(r.out.contains("heads:          2 (head dim 16)"));
        Result t = cli({"info", fixture("vit/vit_tiny_timm.safetensors")});
        QVERIFY(t.out.contains("inferred:       num_heads = 1"));
    }

    void predict_json() {
        Result r = cli({"predict", fixture("vit/vit_tiny_hf"), image_, "--topk", "3", "--json"});
        QCOMPARE(r.code, 0);
        JsonValue v = parse_json(r.out.toStdString());
        QCOMPARE(v.string_or("model", ""), std::string("vit_tiny_hf"));
        const auto& top = v.find("top")->items();
        QCOMPARE(top.size(), size_t(3));
        QCOMPARE(v.find("logits")->items().size(), size_t(10));
        double sum_top = 0;
        for (const JsonValue& t : top) {
            QVERIFY(t.string_or("label", "").rfind("class-", 0) == 0);  // labels from config.json
            sum_top += t.number_or("prob", -1);
        }
        QVERIFY(sum_top > 0 && sum_top <= 1.0 + 1e-6);
        QVERIFY(top[0].number_or("prob", 0) >= top[1].number_or("prob", 0));
    }

    void predict_without_model_uses_the_default() {
        // $VITSCOPE_ASSETS points the CLI at another assets folder: here one holding a fixture.
        QTemporaryDir assets;
        QVERIFY(QDir().mkpath(assets.filePath("models")));
        QVERIFY(QFile::link(fixture("vit/vit_tiny_hf"), assets.filePath("models/vitscope-vit-tiny")));
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("VITSCOPE_ASSETS", assets.path());
        p.setProcessEnvironment(env);
        p.start(VITSCOPE_CLI_PATH, {"predict", image_, "--json", "--topk", "1"});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        JsonValue v = parse_json(p.readAllStandardOutput().toStdString());
        QCOMPARE(v.string_or("model", ""), std::string("vitscope-vit-tiny"));
    }

    void predict_labels_fallback() {
        Result r = cli({"predict", fixture("vit/vit_tiny_timm.safetensors"), image_, "--topk", "1"});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(" 1. class "), qPrintable(r.out));
    }

    void predict_names_imagenet_classes() {
        // A bare 1000-class checkpoint gets the built-in ImageNet-1k names (class 88 is "macaw").
        const QString model = dir_.filePath("in1k.safetensors");
        write_vit_with_head(model, 1000, 88);
        Result r = cli({"predict", model, image_, "--topk", "1"});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(" 1. macaw "), qPrintable(r.out));
        QVERIFY2(r.out.contains("(class 88)"), qPrintable(r.out));
        Result j = cli({"predict", model, image_, "--topk", "1", "--json"});
        QCOMPARE(parse_json(j.out.toStdString()).find("top")->items()[0].string_or("label", ""), std::string("macaw"));
        // --labels overrides the built-in names (and the model's own).
        QFile f(dir_.filePath("names.txt"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        for (int i = 0; i < 1000; ++i) f.write(QByteArray("mine-") + QByteArray::number(i) + "\r\n");
        f.close();
        Result o = cli({"predict", model, image_, "--topk", "1", "--labels", f.fileName()});
        QCOMPARE(o.code, 0);
        QVERIFY2(o.out.contains(" 1. mine-88 "), qPrintable(o.out));
        Result h = cli({"predict", fixture("vit/vit_tiny_hf"), image_, "--topk", "1", "--labels", f.fileName()});
        QCOMPARE(h.code, 1);
        QCOMPARE(h.err.trimmed(), "vitscope-cli: " + f.fileName() +
                                      ": has 1000 lines but the model has 10 classes (one name per line expected)");
    }

    void predict_21k_gets_numbers_and_a_note() {
        const QString model = dir_.filePath("in21k.safetensors");
        write_vit_with_head(model, kImageNet21kClasses, 12345);
        Result r = cli({"predict", model, image_, "--topk", "1"});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(" 1. class 12345 "), qPrintable(r.out));
        QCOMPARE(r.err.trimmed(), QString("vitscope-cli: note: 21843 classes (ImageNet-21k): no class names are built "
                                          "in, so classes show as numbers (give a list with --labels FILE or File > "
                                          "Open Labels)"));
    }

    void class_labels_lookup() {
        // One function decides for the app and the CLI.
        const std::string assets = VITSCOPE_ASSETS_DIR;
        const QString in1k = dir_.filePath("lookup1k.safetensors");
        write_vit_with_head(in1k, 1000, 0);
        const LoadedModel m = load_model(in1k.toStdString());
        const ClassLabels l = class_labels_for(m, assets);
        QCOMPARE(l.names.size(), size_t(1000));
        QCOMPARE(l.names[0], std::string("tench"));
        QCOMPARE(l.names[285], std::string("Egyptian cat"));
        QCOMPARE(l.names[999], std::string("toilet tissue"));
        QCOMPARE(l.source, std::string("built-in ImageNet-1k"));
        Result info = cli({"info", in1k});
        QVERIFY2(info.out.contains("classes:        1000 (names: built-in ImageNet-1k)"), qPrintable(info.out));
        info = cli({"info", fixture("vit/vit_tiny_hf")});
        QVERIFY2(info.out.contains("classes:        10 (names: config.json id2label)"), qPrintable(info.out));
        // A model's own id2label wins.
        const ClassLabels own = class_labels_for(load_model(data_path("vit/vit_tiny_hf")), assets);
        QCOMPARE(own.source, std::string("config.json id2label"));
        QCOMPARE(own.names.size(), size_t(10));
        // Other class counts: no names, no note.
        const ClassLabels ten = class_labels_for(load_model(data_path("vit/vit_tiny_timm.safetensors")), assets);
        QVERIFY(ten.names.empty() && ten.note.empty());
        QCOMPARE(labels_or_numbers({}, 2), (std::vector<std::string>{"class 0", "class 1"}));
        // Without the assets: one actionable line naming the file.
        const std::string gone = dir_.filePath("no-assets").toStdString();
        try {
            class_labels_for(m, gone);
            QFAIL("expected FileError");
        } catch (const FileError& e) {
            QCOMPARE(std::string(e.what()),
                     gone + "/labels/imagenet1k.txt: cannot open the class names file; the built-in ImageNet-1k "
                            "names are missing (reinstall vitscope, point VITSCOPE_ASSETS at its assets folder, or "
                            "give the names with --labels FILE)");
        }
    }

    void pytorch_only_folder_names_the_converter() {
        const QString folder = dir_.filePath("torch-only");
        QVERIFY(QDir().mkpath(folder));
        QFile bin(folder + "/pytorch_model.bin");
        QVERIFY(bin.open(QIODevice::WriteOnly));
        bin.close();
        Result r = cli({"info", folder});
        QCOMPARE(r.code, 1);
        QCOMPARE(r.err, "vitscope-cli: " + folder + ": only pytorch_model.bin found (vitscope reads safetensors); convert "
                        "it with `python3 tools/convert_to_safetensors.py " + folder + " FOLDER` and open FOLDER\n");
    }

    void dump_writes_every_layer() {
        const QString out = dir_.filePath("dump.safetensors");
        Result r = cli({"dump", fixture("vit/dinov2_reg_tiny_hf"), image_, "--out", out, "--mask-keys", "5,6", "--logits", "--input-size", "56x56"});
        QCOMPARE(r.code, 0);
        SafetensorsFile f(out.toStdString());
        QVERIFY(!f.has("logits"));  // DINOv2 backbone: no classifier
        QCOMPARE(f.info("attn.0").shape, (std::vector<int64_t>{2, 21, 21}));
        QCOMPARE(f.info("attn.1").shape, (std::vector<int64_t>{2, 21, 21}));
        QCOMPARE(f.info("logits.1").shape, (std::vector<int64_t>{2, 21, 21}));
        const std::vector<float> a = f.read_f32("attn.1");
        for (int h = 0; h < 2; ++h)
            for (int q = 0; q < 21; ++q) {
                QCOMPARE(a[size_t((h * 21 + q) * 21 + 5)], 0.0f);
                QCOMPARE(a[size_t((h * 21 + q) * 21 + 6)], 0.0f);
            }
    }

    // --keep-attention: only the kept layers' maps are written, bit-identical to a full dump.
    void dump_keeps_chosen_layers() {
        const QString all = dir_.filePath("keep_all.safetensors"), one = dir_.filePath("keep_one.safetensors");
        const QString model = fixture("vit/dinov2_reg_tiny_hf");
        QCOMPARE(cli({"dump", model, image_, "--out", all, "--logits", "--input-size", "56x56"}).code, 0);
        Result r = cli({"dump", model, image_, "--out", one, "--logits", "--input-size", "56x56", "--keep-attention", "1"});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("1 of 2 layers"), qPrintable(r.out));
        SafetensorsFile f(all.toStdString()), g(one.toStdString());
        QVERIFY(!g.has("attn.0") && !g.has("logits.0"));
        QCOMPARE(g.read_f32("attn.1"), f.read_f32("attn.1"));
        QCOMPARE(g.read_f32("logits.1"), f.read_f32("logits.1"));
        QCOMPARE(g.read_f32("features"), f.read_f32("features"));
        QCOMPARE(g.metadata().at("kept_layers"), std::string("1"));
        Result bad = cli({"dump", model, image_, "--out", one, "--keep-attention", "0,x"});
        QCOMPARE(bad.code, 2);
        QVERIFY2(bad.err.contains("--keep-attention expects all, none or a list"), qPrintable(bad.err));
    }

    void swin_info_and_dump() {
        Result info = cli({"info", fixture("swin/swin_tiny_hf")});
        QCOMPARE(info.code, 0);
        QVERIFY2(info.out.contains("Swin"), qPrintable(info.out));
        QImage img(56, 56, QImage::Format_RGB32);
        img.fill(QColor(90, 140, 200));
        for (int y = 0; y < 56; ++y) img.setPixelColor(y, y, QColor(255, 0, 0));
        const QString png = dir_.filePath("swin.png");
        QVERIFY(img.save(png));
        const QString out = dir_.filePath("swin.safetensors");
        Result r = cli({"dump", fixture("swin/swin_tiny_timm.safetensors"), png, "--out", out, "--preprocess", "none", "--input-size", "56x56"});
        QCOMPARE(r.code, 0);
        SafetensorsFile f(out.toStdString());
        // Stage 0: 14x14 map, window 7 -> 4 windows of 49 tokens, 2 heads; block 1 shifted.
        QCOMPARE(f.info("attn.0.0").shape, (std::vector<int64_t>{4, 2, 49, 49}));
        QCOMPARE(f.info("attn.0.1").shape, (std::vector<int64_t>{4, 2, 49, 49}));
        QCOMPARE(f.info("mask.0.1").shape, (std::vector<int64_t>{4, 49, 49}));
        QVERIFY(!f.has("mask.0.0"));
        QCOMPARE(f.info("bias.1.0").shape, (std::vector<int64_t>{4, 49, 49}));
        QCOMPARE(f.info("logits").shape, (std::vector<int64_t>{10}));
        // Without the shift mask, tokens of different regions attend to each other: the maps change.
        const QString leak = dir_.filePath("swin_leak.safetensors");
        QCOMPARE(cli({"dump", fixture("swin/swin_tiny_timm.safetensors"), png, "--out", leak, "--preprocess", "none", "--input-size", "56x56",
                      "--no-shift-mask"}).code, 0);
        SafetensorsFile g(leak.toStdString());
        QCOMPARE(g.read_f32("attn.0.0"), f.read_f32("attn.0.0"));
        QVERIFY(g.read_f32("attn.0.1") != f.read_f32("attn.0.1"));
    }

    void bench_prints_figures() {
        Result r = cli({"bench", fixture("vit/vit_tiny_timm.safetensors"), "--runs", "3", "--threads", "1"});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains("median:"));
        QVERIFY(r.out.contains("GFLOP/s"));
        Result p = cli({"bench", fixture("vit/vit_tiny_timm.safetensors"), "--runs", "3", "--from-layer", "1"});
        QCOMPARE(p.code, 0);
        QVERIFY(p.out.contains("recompute: layers 1..1 (1 of 2)"));
        // Memory and the wall-time split; one layer kept holds less.
        QVERIFY2(r.out.contains("attention: kept for all 2 layers"), qPrintable(r.out));
        QVERIFY(r.out.contains("peak RSS:"));
        QVERIFY(r.out.contains("wall:") && r.out.contains("warm-up pass"));
        Result k = cli({"bench", fixture("vit/vit_tiny_timm.safetensors"), "--runs", "1", "--keep-attention", "none"});
        QCOMPARE(k.code, 0);
        QVERIFY2(k.out.contains("attention: kept for none of 2 layers"), qPrintable(k.out));
        const auto trace_mb = [](const QString& out) {
            const QRegularExpressionMatch m = QRegularExpression("trace: +([\\d.]+) MiB estimated.*, ([\\d.]+) MiB measured").match(out);
            return std::make_pair(m.captured(1).toDouble(), m.captured(2).toDouble());
        };
        QVERIFY(trace_mb(k.out).second > 0);
        QVERIFY2(trace_mb(k.out).second < trace_mb(r.out).second, qPrintable(k.out + r.out));
    }

    void errors_are_one_line_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        const QString model = fixture("vit/vit_tiny_hf");
        QTest::newRow("missing model") << QStringList{"info", "/nonexistent/m.safetensors"} << 1
                                       << "vitscope-cli: /nonexistent/m.safetensors: no such file or folder";
        QTest::newRow("unknown option") << QStringList{"info", model, "--frobnicate"} << 1
                                        << "vitscope-cli: unknown option --frobnicate (see vitscope-cli --help)";
        QTest::newRow("bad scale") << QStringList{"predict", model, "IMG", "--scale", "half"} << 2
                                   << "vitscope-cli: --scale must be head, model or none, got 'half'";
        QTest::newRow("bad key") << QStringList{"predict", model, "IMG", "--mask-keys", "99"} << 2
                                 << "vitscope-cli: --mask-keys: token 99 does not exist (the model has 17 tokens)";
        QTest::newRow("none wrong size") << QStringList{"predict", model, "IMG", "--preprocess", "none"} << 1
                                         << "vitscope-cli: IMG: preprocess 'none' needs an image of exactly 32x32 pixels; this one is 40x32 (use 'crop' or 'pad')";
        QTest::newRow("unwritable out") << QStringList{"dump", model, "IMG", "--out", "/nonexistent/dir/x.safetensors"} << 1
                                        << "vitscope-cli: /nonexistent/dir/x.safetensors: cannot write: No such file or directory";
        QTest::newRow("unknown command") << QStringList{"explode"} << 2
                                         << "vitscope-cli: unknown command 'explode' (commands: info, predict, dump, bench, figure, sheet, sweep, analyze, models, pull; see --help)";
    }

    void errors_are_one_line() {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, message);
        args.replaceInStrings("IMG", image_);
        Result r = cli(args);
        QCOMPARE(r.code, code);
        QCOMPARE(r.err, message.replace("IMG", image_) + "\n");
        QVERIFY(r.out.isEmpty());
    }

    void topk_is_clamped_to_the_classes() {
        // A 3-class model: the default top-5 once ran past the end of the class array.
        std::vector<test::RawTensor> ts = test::fixture_tensors(data_path("vit/vit_tiny_timm.safetensors"));
        test::RawTensor* w = test::find_tensor(ts, "head.weight");
        w->shape = {3, 32};
        w->bytes.resize(3 * 32 * 4);
        test::RawTensor* b = test::find_tensor(ts, "head.bias");
        b->shape = {3};
        b->bytes.resize(3 * 4);
        const QString model = dir_.filePath("three.safetensors");
        test::write_raw(model.toStdString(), ts);
        Result r = cli({"predict", model, image_});
        QCOMPARE(r.code, 0);
        const QStringList lines = r.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 4);  // the header and classes 1..3
        QVERIFY2(lines[3].startsWith(" 3. class "), qPrintable(r.out));
        Result j = cli({"predict", model, image_, "--json"});
        QCOMPARE(j.code, 0);
        QCOMPARE(parse_json(j.out.toStdString()).find("top")->items().size(), size_t(3));
        Result k = cli({"predict", model, image_, "--topk", "4"});
        QCOMPARE(k.code, 1);
        QCOMPARE(k.err, QString("vitscope-cli: --topk must be between 1 and 3, got 4\n"));
    }

    void non_finite_output_exits_3() {
        // Finite weights whose logits overflow: final norm -> all ones, head weights 1e38.
        std::vector<test::RawTensor> ts = test::fixture_tensors(data_path("vit/vit_tiny_timm.safetensors"));
        test::find_tensor(ts, "norm.weight")->bytes = test::f32_bytes(std::vector<float>(32, 0.0f));
        test::find_tensor(ts, "norm.bias")->bytes = test::f32_bytes(std::vector<float>(32, 1.0f));
        test::find_tensor(ts, "head.weight")->bytes = test::f32_bytes(std::vector<float>(10 * 32, 1e38f));
        const QString model = dir_.filePath("overflow.safetensors");
        test::write_raw(model.toStdString(), ts);
        const QString warning = "vitscope-cli: warning: " + model +
                                ": the forward pass produced 10 NaN or infinite values (logits, features or attention); "
                                "its outputs are meaningless\n";
        Result r = cli({"predict", model, image_});
        QCOMPARE(r.code, 3);
        QCOMPARE(r.err, warning);
        QVERIFY(r.out.isEmpty());
        const QString out = dir_.filePath("overflow_dump.safetensors");
        Result d = cli({"dump", model, image_, "--out", out});
        QCOMPARE(d.code, 3);
        QCOMPARE(d.err, warning);
        QVERIFY(std::isinf(SafetensorsFile(out.toStdString()).read_f32("logits")[0]));
        QVERIFY(cli({"--help"}).out.contains("3 when the\nmodel's output holds NaN or infinity"));
    }

    void corrupt_model_is_reported() {
        const QString bad = dir_.filePath("bad.safetensors");
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not a model at all");
        f.close();
        Result r = cli({"predict", bad, image_});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.startsWith("vitscope-cli: " + bad + ": "), qPrintable(r.err));
        QCOMPARE(r.err.count('\n'), 1);
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
