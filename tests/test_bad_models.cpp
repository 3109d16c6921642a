// Checkpoints built to crash, hang or fool the loaders (issue #16): each is refused with one message
// naming the file and the tensor, or loads correctly when only its names are odd.
#include "test_support.h"
#include "raw_safetensors.h"
#include "model_loader.h"

#include <QDir>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <cmath>
#include <fstream>

using namespace vitscope;
using namespace vitscope::test;

namespace {

QString load_error(const std::string& path) {
    try {
        load_model(path);
    } catch (const FileError& e) {
        return QString::fromStdString(e.what());
    }
    return "no error";
}

std::vector<float> ones(size_t n, float v = 1.0f) { return std::vector<float>(n, v); }

}  // namespace

class TestBadModels : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    std::string path(const char* name) { return dir_.filePath(name).toStdString(); }

    // The ViT fixture with `edit` applied, written to `name`; returns the path.
    template <typename Edit>
    std::string vit_variant(const char* name, Edit edit) {
        std::vector<RawTensor> ts = fixture_tensors(data_path("vit/vit_tiny_timm.safetensors"));
        edit(ts);
        write_raw(path(name), ts);
        return path(name);
    }
    template <typename Edit>
    std::string swin_variant(const char* name, Edit edit) {
        std::vector<RawTensor> ts = fixture_tensors(data_path("swin/swin_tiny_timm.safetensors"));
        edit(ts);
        write_raw(path(name), ts);
        return path(name);
    }

private slots:
    // --- 1. Names are parsed with string code: no stack overflow, no hang, no regex error.
    void huge_block_index_is_reported() {
        const std::string digits(100'000, '7');
        const std::string p = vit_variant("digits.safetensors", [&](std::vector<RawTensor>& ts) {
            ts.push_back({"blocks." + digits + ".x", "F32", {1}, f32_bytes({1})});
        });
        QCOMPARE(load_error(p), QString::fromStdString(p + ": tensor 'blocks." + digits.substr(0, 93) +
                                                       "...' (100009 characters) has block index beyond 10^18, "
                                                       "more than the limit of 1024 blocks"));
        for (const char* index : {"2147483647", "99999999999"}) {
            const std::string q = vit_variant("index.safetensors", [&](std::vector<RawTensor>& ts) {
                ts.push_back({std::string("blocks.") + index + ".norm1.weight", "F32", {1}, f32_bytes({1})});
            });
            QCOMPARE(load_error(q), QString::fromStdString(q + ": tensor 'blocks." + index + ".norm1.weight' has block index " +
                                                           index + ", more than the limit of 1024 blocks"));
        }
    }

    void regex_characters_in_prefix_load_normally() {
        // HF names under a prefix that was once turned into a regex: "(a|aa)+" hung, "[x" threw.
        const ModelInfo reference = load_model(data_path("vit/vit_tiny_hf/model.safetensors")).info();
        for (const std::string prefix : {"(a|aa)+aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab.", "[x.", "a.b*c?."}) {
            std::vector<RawTensor> ts = fixture_tensors(data_path("vit/vit_tiny_hf/model.safetensors"));
            for (RawTensor& t : ts)
                if (t.name.rfind("vit.", 0) == 0) t.name = prefix + t.name.substr(4);
            write_raw(path("prefix.safetensors"), ts);
            QElapsedTimer timer;
            timer.start();
            const LoadedModel m = load_model(path("prefix.safetensors"));
            QVERIFY(timer.elapsed() < 2000);
            QCOMPARE(m.vit->hp.depth, 2);
            QCOMPARE(m.vit->hp.embed_dim, 32);
            QCOMPARE(m.info().num_parameters, reference.num_parameters);
            QCOMPARE(QString::fromStdString(m.info().naming), QString("Hugging Face transformers"));
        }
    }

    void huge_swin_stage_index_is_reported() {
        const std::string p = swin_variant("stages.safetensors", [](std::vector<RawTensor>& ts) {
            for (int s = 2; s < 33; ++s)
                ts.push_back({"layers." + std::to_string(s) + ".blocks.0.norm1.weight", "F32", {1}, f32_bytes({1})});
        });
        // Names sort as strings: layers.10 is the first beyond the limit of 8 stages.
        QCOMPARE(load_error(p), QString::fromStdString(
                                    p + ": tensor 'layers.10.blocks.0.norm1.weight' has stage index 10, more than the limit of 8"));
    }

    // --- 2. Shapes: every inferred hyper-parameter is bounded before use.
    void shapes_out_of_bounds_data() {
        QTest::addColumn<QString>("variant");
        QTest::addColumn<QString>("message");
        QTest::newRow("rank-0 fc1") << "rank0_fc1" << "tensor 'blocks.0.mlp.fc1.weight' has shape [], expected [hidden,32]";
        QTest::newRow("patch size 0") << "patch0" << "tensor 'patch_embed.proj.weight' gives patch size 0, outside [1, 4096]";
        QTest::newRow("one channel") << "gray" << "tensor 'patch_embed.proj.weight' has shape [32,1,8,8], expected [32,3,P,P]";
        QTest::newRow("rank-1 cls") << "cls1" << "tensor 'cls_token' has shape [32], expected [1,1,D]";
        QTest::newRow("zero classes") << "head0" << "tensor 'head.weight' gives classes 0, outside [1, 1048576]";
        QTest::newRow("grid x patch past the limit")
            << "big_grid" << "tensor 'pos_embed' gives a 65x65 grid of 64-pixel patches: 4160 pixels, more than the limit of 4096";
        QTest::newRow("swin heads 0") << "swin_heads0"
                                      << "tensor 'layers.0.blocks.0.attn.relative_position_bias_table' has shape [169,0], "
                                         "expected [(2M-1)^2,heads]";
        QTest::newRow("swin patch 0") << "swin_patch0" << "tensor 'patch_embed.proj.weight' gives patch size 0, outside [1, 4096]";
        QTest::newRow("swin channels overflow")
            << "swin_wide" << "2 stages from embed_dim 65536 reach 131072 channels, more than the limit of 65536";
    }
    void shapes_out_of_bounds() {
        QFETCH(QString, variant);
        QFETCH(QString, message);
        const std::string v = variant.toStdString();
        auto reshape = [](std::vector<RawTensor>& ts, const std::string& name, std::vector<int64_t> shape) {
            RawTensor* t = find_tensor(ts, name);
            QVERIFY(t);
            int64_t n = 1;
            for (int64_t s : shape) n *= s;
            t->shape = shape;
            t->bytes = f32_bytes(ones(size_t(n)));
        };
        std::string p;
        if (v == "big_grid") {
            // A minimal synthetic ViT: D = 1, 64-pixel patches, a 65x65 grid.
            p = path("big_grid.safetensors");
            write_raw(p, {{"cls_token", "F32", {1, 1, 1}, f32_bytes({0})},
                          {"patch_embed.proj.weight", "F32", {1, 3, 64, 64}, f32_bytes(ones(3 * 64 * 64))},
                          {"blocks.0.mlp.fc1.weight", "F32", {4, 1}, f32_bytes(ones(4))},
                          {"pos_embed", "F32", {1, 65 * 65 + 1, 1}, f32_bytes(ones(65 * 65 + 1))}});
        } else if (v == "swin_wide") {
            p = path("swin_wide.safetensors");
            write_raw(p, {{"patch_embed.proj.weight", "F32", {65536, 3, 1, 1}, f32_bytes(ones(3 * 65536))},
                          {"layers.0.blocks.0.attn.relative_position_bias_table", "F32", {1, 1}, f32_bytes({0})},
                          {"layers.1.blocks.0.attn.relative_position_bias_table", "F32", {1, 1}, f32_bytes({0})}});
        } else if (v.rfind("swin", 0) == 0) {
            p = swin_variant("swin.safetensors", [&](std::vector<RawTensor>& ts) {
                if (v == "swin_heads0") reshape(ts, "layers.0.blocks.0.attn.relative_position_bias_table", {169, 0});
                if (v == "swin_patch0") reshape(ts, "patch_embed.proj.weight", {8, 3, 0, 0});
            });
        } else {
            p = vit_variant("vit.safetensors", [&](std::vector<RawTensor>& ts) {
                if (v == "rank0_fc1") reshape(ts, "blocks.0.mlp.fc1.weight", {});
                if (v == "patch0") reshape(ts, "patch_embed.proj.weight", {32, 3, 0, 0});
                if (v == "gray") reshape(ts, "patch_embed.proj.weight", {32, 1, 8, 8});
                if (v == "cls1") reshape(ts, "cls_token", {32});
                if (v == "head0") reshape(ts, "head.weight", {0, 32});
            });
        }
        QCOMPARE(load_error(p), QString::fromStdString(p) + ": " + message);
    }

    void config_values_are_checked() {
        // config.json numbers that would overflow an int conversion, or be no integer at all.
        QDir(dir_.path()).mkdir("hf");
        const std::string folder = path("hf");
        QFile::copy(QString::fromStdString(data_path("vit/vit_tiny_hf/model.safetensors")),
                    QString::fromStdString(folder + "/model.safetensors"));
        for (const auto& [setting, message] : std::vector<std::pair<std::string, std::string>>{
                 {R"("num_hidden_layers": 1e300)", "'num_hidden_layers' is not an integer in [1, 1024]"},
                 {R"("num_attention_heads": 2.5)", "'num_attention_heads' is not an integer in [1, 1024]"},
                 {R"("patch_size": -8)", "'patch_size' is not an integer in [1, 4096]"},
                 {R"("image_mean": [0.5, 0.5, 1e30])", "'image_mean' must hold 3 numbers in [-10.000000, 10.000000]"},
                 {R"("image_std": [0.5, 0, 0.5])", "'image_std' must hold 3 numbers in [0.001000, 100.000000]"},
                 {R"("crop_pct": 0.001)", "crop_pct 0.001000 (or size.shortest_edge) is outside [0.100000, 10.000000]"}}) {
            std::ofstream(folder + "/config.json") << "{\"model_type\": \"vit\", " << setting << "}";
            QCOMPARE(load_error(folder), QString::fromStdString(folder + "/config.json: " + message));
        }
    }

    // --- 5. Integer or non-finite weights are refused, naming the tensor.
    void integer_and_non_finite_weights_are_refused() {
        std::string p = vit_variant("i32.safetensors", [](std::vector<RawTensor>& ts) {
            find_tensor(ts, "blocks.0.attn.qkv.weight")->dtype = "I32";  // same byte count: only the dtype lies
        });
        QCOMPARE(load_error(p), QString::fromStdString(p + ": tensor 'blocks.0.attn.qkv.weight' has dtype I32; "
                                                           "weights must be floating point (F32, F16, BF16 or F64)"));
        p = vit_variant("nan.safetensors", [](std::vector<RawTensor>& ts) {
            RawTensor* t = find_tensor(ts, "blocks.1.mlp.fc2.weight");
            const float nan = std::nanf("");
            std::memcpy(t->bytes.data() + 4 * 5, &nan, 4);
        });
        QCOMPARE(load_error(p), QString::fromStdString(p + ": tensor 'blocks.1.mlp.fc2.weight' holds NaN at element 5"));
        p = vit_variant("f64.safetensors", [](std::vector<RawTensor>& ts) {
            RawTensor* t = find_tensor(ts, "norm.bias");
            std::vector<double> d(32, 1e300);  // finite as F64, infinite as the float32 the engine computes in
            t->dtype = "F64";
            t->bytes.assign(reinterpret_cast<const char*>(d.data()), d.size() * 8);
        });
        QCOMPARE(load_error(p), QString::fromStdString(p + ": tensor 'norm.bias' holds infinity at element 0"));
    }
};

QTEST_APPLESS_MAIN(TestBadModels)
#include "test_bad_models.moc"
