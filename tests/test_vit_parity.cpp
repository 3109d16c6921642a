// ViT-family parity with PyTorch references (torchvision's VisionTransformer for plain ViT, plain
// PyTorch re-implementations for distilled DeiT and DINOv2): logits, features and every attention
// map within 1e-4, for timm and Hugging Face naming, plus the scale-mode and key-mask variants.
#include "test_support.h"
#include "model_loader.h"
#include "vit_forward.h"

#include <QTemporaryDir>
#include <sstream>

using namespace vitscope;
using vitscope::test::data_path;

namespace {

constexpr double kTol = 1e-4;

std::vector<float> row_vector(const RowVector& v) { return std::vector<float>(v.data(), v.data() + v.size()); }

std::vector<int> parse_keys(const std::string& s) {
    std::vector<int> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ','))
        if (!item.empty()) out.push_back(std::stoi(item));
    return out;
}

struct Fixture {
    ViTModel model;
    SafetensorsFile* expected;
    ModelInput input;
};

}  // namespace

class TestViTParity : public QObject {
    Q_OBJECT

    // Runs the model on the expected file's input and compares everything present.
    void check_run(const ViTModel& m, const SafetensorsFile& ref, const SafetensorsFile& input_file,
                   const AttentionOptions& opts, const std::string& logits_key, const std::string& features_key,
                   const std::string& attn_prefix) {
        const auto& shape = input_file.info("input").shape;
        ModelInput in = model_input_from_tensor(input_file.read_f32("input"), int(shape[1]), int(shape[2]),
                                                m.hp.patch_size);
        ViTTrace t;
        vit_forward(m, in, opts, t);
        const int N = t.num_tokens, H = t.num_heads;
        if (ref.has(logits_key)) VITSCOPE_COMPARE_NEAR(row_vector(t.logits), ref.read_f32(logits_key), kTol);
        else QCOMPARE(t.logits.size(), Eigen::Index(0));
        VITSCOPE_COMPARE_NEAR(row_vector(t.features), ref.read_f32(features_key), kTol);
        int compared = 0;
        for (int l = 0; l < m.hp.depth; ++l) {
            const std::string key = attn_prefix + std::to_string(l);
            if (!ref.has(key)) continue;
            QCOMPARE(ref.info(key).shape, (std::vector<int64_t>{H, N, N}));
            VITSCOPE_COMPARE_NEAR(t.layers[size_t(l)].attn, ref.read_f32(key), kTol);
            ++compared;
            // Rows are distributions: each sums to 1.
            for (int h = 0; h < H; ++h)
                for (int q = 0; q < N; ++q) {
                    double s = 0;
                    for (int k = 0; k < N; ++k) s += t.layers[size_t(l)].prob(h, q, k, N);
                    QVERIFY2(std::fabs(s - 1.0) < 1e-5, "attention row does not sum to 1");
                }
            // Masked keys get exactly zero.
            for (int k : opts.masked_keys)
                for (int h = 0; h < H; ++h)
                    for (int q = 0; q < N; ++q) QCOMPARE(t.layers[size_t(l)].prob(h, q, k, N), 0.0f);
        }
        if (attn_prefix == "attn.") QCOMPARE(compared, m.hp.depth);
    }

private slots:
    void parity_data() {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<QString>("input");
        QTest::addColumn<bool>("plain_bicubic_pos");  // fixtures resize position embeddings without antialias
        QTest::addColumn<QString>("architecture");
        QTest::newRow("vit timm") << "vit/vit_tiny_timm.safetensors" << "vit/vit_tiny_expected.safetensors"
                                  << "vit/vit_tiny_expected.safetensors" << false << "ViT";
        QTest::newRow("vit hf") << "vit/vit_tiny_hf" << "vit/vit_tiny_expected.safetensors"
                                << "vit/vit_tiny_expected.safetensors" << false << "ViT";
        QTest::newRow("vit timm 32x48") << "vit/vit_tiny_timm.safetensors" << "vit/vit_tiny_nonsquare_expected.safetensors"
                                        << "vit/vit_tiny_nonsquare_expected.safetensors" << true << "ViT";
        QTest::newRow("vit hf 32x48") << "vit/vit_tiny_hf" << "vit/vit_tiny_nonsquare_expected.safetensors"
                                      << "vit/vit_tiny_nonsquare_expected.safetensors" << true << "ViT";
        QTest::newRow("deit distilled timm") << "vit/deit_distilled_tiny_timm.safetensors"
                                             << "vit/deit_distilled_tiny_expected.safetensors"
                                             << "vit/deit_distilled_tiny_expected.safetensors" << false
                                             << "DeiT (distilled)";
        QTest::newRow("deit distilled hf") << "vit/deit_distilled_tiny_hf" << "vit/deit_distilled_tiny_hf_expected.safetensors"
                                           << "vit/deit_distilled_tiny_expected.safetensors" << false
                                           << "DeiT (distilled)";
        QTest::newRow("dinov2 registers timm") << "vit/dinov2_reg_tiny_timm.safetensors"
                                               << "vit/dinov2_reg_tiny_expected.safetensors"
                                               << "vit/dinov2_reg_tiny_expected.safetensors" << true
                                               << "DINOv2 with 4 registers (no classifier: features and attention only)";
        QTest::newRow("dinov2 registers hf") << "vit/dinov2_reg_tiny_hf" << "vit/dinov2_reg_tiny_expected.safetensors"
                                             << "vit/dinov2_reg_tiny_expected.safetensors" << true
                                             << "DINOv2 with 4 registers (no classifier: features and attention only)";
    }

    void parity() {
        QFETCH(QString, model);
        QFETCH(QString, expected);
        QFETCH(QString, input);
        QFETCH(bool, plain_bicubic_pos);
        QFETCH(QString, architecture);
        // A bare timm file does not store the head count; these fixtures use 2 heads of width 16.
        ViTModel m = load_vit_model(open_checkpoint(data_path(model.toStdString())), ViTLoadHints{2});
        QCOMPARE(QString::fromStdString(m.info.architecture), architecture);
        if (plain_bicubic_pos) m.hp.pos_embed_antialias = false;
        SafetensorsFile ref(data_path(expected.toStdString()));
        SafetensorsFile in(data_path(input.toStdString()));
        QCOMPARE(m.hp.layer_norm_eps, std::stof(ref.metadata().at("layer_norm_eps")));

        check_run(m, ref, in, AttentionOptions{}, "logits", "features", "attn.");

        if (ref.has("logits_cls")) {  // distilled: each head alone, and their mean
            const auto& shape = in.info("input").shape;
            ViTTrace t;
            vit_forward(m, model_input_from_tensor(in.read_f32("input"), int(shape[1]), int(shape[2]), m.hp.patch_size),
                        {}, t);
            VITSCOPE_COMPARE_NEAR(row_vector(t.logits_cls), ref.read_f32("logits_cls"), kTol);
            VITSCOPE_COMPARE_NEAR(row_vector(t.logits_dist), ref.read_f32("logits_dist"), kTol);
        }
        if (ref.has("features_scale_none")) {
            AttentionOptions none;
            none.scale_mode = ScaleMode::None;
            check_run(m, ref, in, none, "logits_scale_none", "features_scale_none", "-");
            AttentionOptions dmodel;
            dmodel.scale_mode = ScaleMode::InvSqrtModelDim;
            check_run(m, ref, in, dmodel, "logits_scale_dmodel", "features_scale_dmodel", "-");
        }
        if (ref.has("features_mask_keys")) {
            AttentionOptions masked;
            masked.masked_keys = parse_keys(ref.metadata().at("mask_keys"));
            QVERIFY(!masked.masked_keys.empty());
            check_run(m, ref, in, masked, "logits_mask_keys", "features_mask_keys", "attn_mask_keys.");
        }
    }

    void dino_without_classifier() {
        // The vit_tiny weights without a head: a DINO-style backbone, same features and attention.
        SafetensorsFile good(data_path("vit/vit_tiny_timm.safetensors"));
        SafetensorsWriter w;
        for (const auto& [name, info] : good.tensors())
            if (name.rfind("head.", 0) != 0) w.add(name, info.shape, good.read_f32(name));
        w.set_metadata("num_heads", "2");
        QTemporaryDir dir;
        const std::string path = dir.filePath("dino.safetensors").toStdString();
        w.write(path);
        LoadedModel m = load_model(path);
        QCOMPARE(m.vit->info.architecture, std::string("DINO ViT (no classifier: features and attention only)"));
        QCOMPARE(m.vit->hp.num_heads, 2);
        QCOMPARE(m.vit->info.inferred[0], std::string("num_heads = 2 (from the file's metadata)"));
        SafetensorsFile ref(data_path("vit/vit_tiny_expected.safetensors"));
        check_run(*m.vit, ref, ref, {}, "-", "features", "attn.");
    }

    void hyperparameters_from_config_and_shapes() {
        LoadedModel hf = load_model(data_path("vit/vit_tiny_hf"));
        QCOMPARE(hf.vit->info.naming, std::string("Hugging Face transformers"));
        QVERIFY(hf.vit->info.inferred.empty());
        QCOMPARE(hf.vit->info.labels.size(), size_t(10));
        QCOMPARE(hf.vit->info.labels[1], std::string("class-bravo"));
        LoadedModel timm = load_model(data_path("vit/vit_tiny_timm.safetensors"));
        QCOMPARE(timm.vit->info.naming, std::string("timm"));
        QCOMPARE(timm.vit->hp.embed_dim, 32);
        QCOMPARE(timm.vit->hp.depth, 2);
        QCOMPARE(timm.vit->hp.patch_size, 8);
        QCOMPARE(timm.vit->hp.image_height, 32);
        QCOMPARE(timm.vit->hp.mlp_hidden, 64);
        QCOMPARE(timm.vit->hp.num_classes, 10);
        // 32 is not a multiple of 64: heads cannot be inferred reliably, and the loader says so.
        QCOMPARE(timm.vit->hp.num_heads, 1);
        QCOMPARE(timm.vit->info.inferred[0],
                 std::string("num_heads = 1 (embed_dim 32 is not a multiple of 64; not stored in the weights)"));
        QCOMPARE(hf.vit->info.num_parameters, timm.vit->info.num_parameters);
        LoadedModel dino = load_model(data_path("vit/dinov2_reg_tiny_hf"));
        QCOMPARE(dino.vit->hp.num_register_tokens, 4);
        QCOMPARE(dino.vit->hp.patch_size, 14);
        QCOMPARE(dino.vit->hp.image_height, 42);
        QVERIFY(dino.vit->hp.layer_scale);
        QCOMPARE(dino.vit->hp.num_classes, 0);
    }
};

QTEST_APPLESS_MAIN(TestViTParity)
#include "test_vit_parity.moc"
