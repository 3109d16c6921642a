// The safetensors boundary: every malformed file gives a one-line message naming the file and the
// tensor; F16/BF16 convert exactly; a write never leaves a half-written file.
#include "test_support.h"
#include "model_loader.h"
#include "safetensors.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <cstring>

using namespace vitscope;

namespace {

std::string le64(uint64_t v) {
    std::string s;
    for (int i = 0; i < 8; ++i) s += char((v >> (8 * i)) & 0xFF);
    return s;
}

// A safetensors file from a raw header string and raw data bytes.
std::string make_file(const std::string& header, const std::string& data) { return le64(header.size()) + header + data; }

void write_bytes(const QString& path, const std::string& bytes) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes.data(), qint64(bytes.size()));
}

std::string floats(std::initializer_list<float> v) {
    std::string s(v.size() * 4, '\0');
    std::memcpy(s.data(), std::data(v), s.size());
    return s;
}

}  // namespace

class TestSafetensors : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    QString path(const char* name) { return dir_.filePath(name); }

    QString open_error(const QString& p) {
        try {
            SafetensorsFile f(p.toStdString());
        } catch (const FileError& e) {
            return QString(e.what());
        }
        return "no error";
    }

private slots:
    void reads_f32_f16_bf16() {
        // 1.5, -2, 0.333251953125 (exact in f16), subnormal 2^-24 ; bf16 of 1.5 and -3.25
        std::string f16 = std::string("\x00\x3e", 2) + std::string("\x00\xc0", 2) + std::string("\x55\x35", 2) +
                          std::string("\x01\x00", 2);
        std::string bf16 = std::string("\xc0\x3f", 2) + std::string("\x50\xc0", 2);
        std::string data = floats({1.0f, 2.0f}) + f16 + bf16;
        std::string header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                             R"("b":{"dtype":"F16","shape":[2,2],"data_offsets":[8,16]},)"
                             R"("c":{"dtype":"BF16","shape":[2],"data_offsets":[16,20]},)"
                             R"("__metadata__":{"format":"pt"}})";
        write_bytes(path("ok.safetensors"), make_file(header, data));
        SafetensorsFile f(path("ok.safetensors").toStdString());
        QCOMPARE(f.read_f32("a"), (std::vector<float>{1.0f, 2.0f}));
        QCOMPARE(f.read_f32("b"), (std::vector<float>{1.5f, -2.0f, 0.333251953125f, std::ldexp(1.0f, -24)}));
        QCOMPARE(f.read_f32("c"), (std::vector<float>{1.5f, -3.25f}));
        // Integer buffers (e.g. Swin's int64 relative_position_index) read as floats.
        std::string i64(16, '\0');
        const int64_t vals[2] = {168, -3};
        std::memcpy(i64.data(), vals, 16);
        write_bytes(path("int.safetensors"),
                    make_file(R"({"idx":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}})", i64));
        SafetensorsFile fi(path("int.safetensors").toStdString());
        QCOMPARE(fi.read_f32("idx"), (std::vector<float>{168.0f, -3.0f}));
        QCOMPARE(fi.info("idx").dtype, DType::I64);
        QCOMPARE(f.metadata().at("format"), std::string("pt"));
        QCOMPARE(f.info("b").shape, (std::vector<int64_t>{2, 2}));
    }

    void corrupt_files_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("message");
        const std::string good_t = R"("t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})";
        auto row = [](const char* name, const std::string& b, const QString& m) {
            QTest::newRow(name) << QByteArray(b.data(), qsizetype(b.size())) << m;
        };
        row("too short", "abc", "F: file is too short to be safetensors (3 bytes; truncated?)");
        row("wrong magic", le64(0) + "xxxxxxxx", "F: bad header length 0 (not a safetensors file?)");
        row("header length past end", le64(1000) + "{}", "F: header length 1000 exceeds the file size 10 (truncated file?)");
        row("not json object", make_file("[1,2]", ""), "F: header does not start with '{' (not a safetensors file?)");
        row("json error", make_file(R"({"t":{"dtype":"F32",})", ""), "F: header JSON error: expected a string key at byte 20");
        row("offsets outside", make_file("{" + std::string(R"("t":{"dtype":"F32","shape":[4],"data_offsets":[0,16]})") + "}", floats({1, 2})),
            "F: tensor 't': data_offsets [0,16] lie outside the data section of 8 bytes (truncated file?)");
        row("truncated data", make_file("{" + good_t + "}", floats({1}) ),
            "F: tensor 't': data_offsets [0,8] lie outside the data section of 4 bytes (truncated file?)");
        row("overlap", make_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", floats({1, 2, 3})),
            "F: tensors 'a' and 'b' overlap");
        row("dtype size mismatch", make_file(R"({"t":{"dtype":"F16","shape":[2],"data_offsets":[0,8]}})", floats({1, 2})),
            "F: tensor 't': holds 8 bytes but F16 [2] needs 4");
        row("unknown dtype", make_file(R"({"t":{"dtype":"Q4","shape":[1],"data_offsets":[0,8]}})", floats({1, 2})),
            "F: tensor 't': unknown dtype Q4");
        row("negative shape", make_file(R"({"t":{"dtype":"F32","shape":[-1],"data_offsets":[0,8]}})", floats({1, 2})),
            "F: tensor 't': invalid shape entry");
    }

    void corrupt_files() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, message);
        const QString p = path("bad.safetensors");
        write_bytes(p, bytes.toStdString());
        QCOMPARE(open_error(p), QString(message).replace(0, 1, p));
    }

    void missing_file() {
        QCOMPARE(open_error(path("nope.safetensors")), path("nope.safetensors") + ": cannot open: No such file or directory");
    }

    void truncated_real_checkpoint() {
        // Cut the fixture model in half: the loader names the first tensor that no longer fits.
        QFile src(QString::fromStdString(test::data_path("vit/vit_tiny_timm.safetensors")));
        QVERIFY(src.open(QIODevice::ReadOnly));
        QByteArray all = src.readAll();
        const QString p = path("half.safetensors");
        write_bytes(p, all.left(all.size() / 2).toStdString());
        const QString err = open_error(p);
        QVERIFY2(err.startsWith(p + ": tensor '") && err.endsWith("(truncated file?)"), qPrintable(err));
    }

    void wrong_shape_names_tensor() {
        // Rewrite the fixture with one tensor of the wrong shape.
        SafetensorsFile good(test::data_path("vit/vit_tiny_timm.safetensors"));
        SafetensorsWriter w;
        for (const auto& [name, info] : good.tensors()) {
            std::vector<float> v = good.read_f32(name);
            std::vector<int64_t> shape = info.shape;
            if (name == "blocks.1.attn.proj.weight") { shape = {32, 31}; v.resize(32 * 31); }
            w.add(name, shape, v);
        }
        const QString p = path("wrong_shape.safetensors");
        w.write(p.toStdString());
        try {
            load_model(p.toStdString());
            QFAIL("no exception");
        } catch (const FileError& e) {
            QCOMPARE(QString(e.what()), p + ": tensor 'blocks.1.attn.proj.weight' has shape [32,31], expected [32,32]");
        }
    }

    void unknown_architecture() {
        write_bytes(path("other.safetensors"), make_file(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", floats({1})));
        try {
            load_model(path("other.safetensors").toStdString());
            QFAIL("no exception");
        } catch (const FileError& e) {
            QCOMPARE(QString(e.what()), path("other.safetensors") +
                     ": unknown architecture: no ViT (cls_token) or Swin (relative_position_bias_table) tensors found");
        }
    }

    void writer_round_trip_and_atomic() {
        SafetensorsWriter w;
        w.add("x", {2, 3}, std::vector<float>{1, 2, 3, 4, 5, 6});
        w.set_metadata("k", "v \"quoted\"");
        const QString p = path("rt.safetensors");
        w.write(p.toStdString());
        SafetensorsFile f(p.toStdString());
        QCOMPARE(f.read_f32("x", {2, 3}), (std::vector<float>{1, 2, 3, 4, 5, 6}));
        QCOMPARE(f.metadata().at("k"), std::string("v \"quoted\""));
        // An unwritable destination: a clear error, and nothing left behind.
        const QString bad = path("no_such_dir/out.safetensors");
        try {
            w.write(bad.toStdString());
            QFAIL("no exception");
        } catch (const FileError& e) {
            QCOMPARE(QString(e.what()), bad + ": cannot write: No such file or directory");
        }
        QCOMPARE(QDir(dir_.path()).entryList({"*.tmp-*"}, QDir::Files).size(), 0);
    }
};

QTEST_APPLESS_MAIN(TestSafetensors)
#include "test_safetensors.moc"
