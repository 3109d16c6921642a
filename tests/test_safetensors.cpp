// The safetensors boundary: every malformed file gives a one-line message naming the file and the
// tensor; F16/BF16 convert exactly; a write never leaves a half-written file.
#include "test_support.h"
#include "raw_safetensors.h"
#include "model_loader.h"
#include "safetensors.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <cstring>

using namespace vitscope;

namespace {

using test::le64;
std::string make_file(const std::string& header, const std::string& data) { return test::safetensors_bytes(header, data); }

void write_bytes(const QString& path, const std::string& bytes) { test::write_bytes(path.toStdString(), bytes); }

std::string floats(std::initializer_list<float> v) { return test::f32_bytes(std::vector<float>(v)); }

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
        // Integer buffers (e.g. Swin's int64 relative_position_index) read as integers, never as weights.
        std::string i64(16, '\0');
        const int64_t vals[2] = {168, -3};
        std::memcpy(i64.data(), vals, 16);
        const std::string int_path = path("int.safetensors").toStdString();
        write_bytes(path("int.safetensors"),
                    make_file(R"({"idx":{"dtype":"I64","shape":[2],"data_offsets":[0,16]},)"
                              R"("w":{"dtype":"I32","shape":[2],"data_offsets":[16,24]}})", i64 + i64.substr(0, 8)));
        SafetensorsFile fi(int_path);
        QCOMPARE(fi.read_i64("idx"), (std::vector<int64_t>{168, -3}));
        QCOMPARE(fi.info("idx").dtype, DType::I64);
        auto error = [](auto&& fn) -> QString {
            try {
                fn();
            } catch (const FileError& e) {
                return e.what();
            }
            return "no error";
        };
        QCOMPARE(error([&] { fi.read_f32("w"); }),
                 QString::fromStdString(int_path + ": tensor 'w' has dtype I32; weights must be floating point (F32, F16, BF16 or F64)"));
        QCOMPARE(error([&] { f.read_i64("a"); }),
                 path("ok.safetensors") + ": tensor 'a' has dtype F32; an index buffer must be an integer type");
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
        // Sizes: checked multiplication, no wrap to a small byte count (defect #16.3).
        row("element count overflows", make_file(R"({"t":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}})", ""),
            "F: tensor 't': F32 [4294967296,4294967296] needs more than 2^64 bytes");
        row("byte count wraps to 0", make_file(R"({"t":{"dtype":"F32","shape":[2147483648,2147483648],"data_offsets":[0,0]}})", ""),
            "F: tensor 't': F32 [2147483648,2147483648] needs more than 2^64 bytes");
        row("infinite offset", make_file(R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[0,1e999]}})", floats({1, 2})),
            "F: header JSON error: number out of range at byte 50");
        row("offset past 2^53", make_file(R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[0,2e19]}})", floats({1, 2})),
            "F: tensor 't': invalid data_offsets (not integers in [0, 2^53])");
        row("huge offset", make_file(R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[1.4e123,8]}})", floats({1, 2})),
            "F: tensor 't': invalid data_offsets (not integers in [0, 2^53])");
        row("fractional offset", make_file(R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[0,7.5]}})", floats({1, 2})),
            "F: tensor 't': invalid data_offsets (not integers in [0, 2^53])");
        row("fractional shape", make_file(R"({"t":{"dtype":"F32","shape":[0.5],"data_offsets":[0,8]}})", floats({1, 2})),
            "F: tensor 't': invalid shape entry");
        row("rank 9", make_file(R"({"t":{"dtype":"F32","shape":[1,1,1,1,1,1,1,1,2],"data_offsets":[0,8]}})", floats({1, 2})),
            "F: tensor 't': rank 9 exceeds 8");
        row("listed twice", make_file("{" + good_t + "," + good_t + "}", floats({1, 2})), "F: tensor 't' is listed twice");
        // Overlap: a zero-length tensor between two overlapping ones used to hide them (defect #16.4).
        row("overlap behind an empty tensor",
            make_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"z":{"dtype":"F32","shape":[0],"data_offsets":[4,4]},)"
                      R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", floats({1, 2, 3})),
            "F: tensors 'a' and 'b' overlap");
        row("alias inside a longer tensor",
            make_file(R"({"qkv.weight":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"k":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},)"
                      R"("proj.weight":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})", floats({1, 2, 3, 4})),
            "F: tensors 'qkv.weight' and 'k' overlap");
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

    void empty_tensors_read_empty() {
        // Zero elements: nothing is copied (memcpy from/to a null pointer was undefined behaviour).
        write_bytes(path("empty.safetensors"),
                    make_file(R"({"e":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]},"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]}})",
                              floats({2.5f})));
        SafetensorsFile f(path("empty.safetensors").toStdString());
        QCOMPARE(f.read_f32("e").size(), size_t(0));
        QCOMPARE(f.read_f32("s"), (std::vector<float>{2.5f}));
    }

    void header_is_bounded() {
        // Bytes: a header over 16 MiB is refused before it is parsed.
        const std::string big = "{" + std::string(kSafetensorsMaxHeaderBytes, ' ') + "}";
        write_bytes(path("big.safetensors"), make_file(big, ""));
        QCOMPARE(open_error(path("big.safetensors")),
                 path("big.safetensors") + ": header of 16777218 bytes exceeds the limit of 16777216 bytes");
        // Values: 2 bytes per value would cost ~64x its size as a tree; refused at the millionth, quickly.
        std::string many = R"({"__metadata__":{"x":[)";
        for (int i = 0; i < 2'000'000; ++i) many += "0,";
        many += "0]}}";
        write_bytes(path("many.safetensors"), make_file(many, ""));
        QElapsedTimer timer;
        timer.start();
        QCOMPARE(open_error(path("many.safetensors")),
                 path("many.safetensors") + ": header JSON error: more than 1000000 values at byte 2000016");
        QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
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
