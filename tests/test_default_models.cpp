// The embedded default models (assets/models, trained by tools/train_default_models.py) through OUR
// engine: accuracy on the committed test set (tests/data/default_models: 160 generated 112x112
// images in one lossless PNG atlas) must be >= 95% and match what PyTorch measured on the same
// pixels, and the ViT's last-layer CLS attention must land on the object in the shipped samples.
#include "test_support.h"
#include "image_loader.h"
#include "json.h"
#include "model_loader.h"
#include "swin_forward.h"
#include "vit_forward.h"

#include <QFile>
#include <QImage>

using namespace vitscope;
using vitscope::test::data_path;

namespace {

std::string assets_path(const std::string& rel) { return std::string(VITSCOPE_ASSETS_DIR) + "/" + rel; }

JsonValue read_json(const std::string& path) {
    QFile f(QString::fromStdString(path));
    if (!f.open(QIODevice::ReadOnly)) throw std::runtime_error(path + ": cannot open");
    return parse_json(f.readAll().toStdString());
}

int argmax(const RowVector& v) {
    Eigen::Index i = 0;
    v.maxCoeff(&i);
    return int(i);
}

struct TestSet {
    std::vector<RgbImage> images;
    std::vector<int> labels;
};

TestSet load_test_set() {
    const JsonValue meta = read_json(data_path("default_models/labels.json"));
    const QImage atlas(QString::fromStdString(data_path("default_models/atlas.png")));
    if (atlas.isNull()) throw std::runtime_error("default_models/atlas.png: cannot decode");
    const int tile = int(meta.number_or("tile", 112)), columns = int(meta.number_or("columns", 20));
    TestSet s;
    int i = 0;
    for (const JsonValue& e : meta.find("images")->items()) {
        s.images.push_back(rgb_image_from_qimage(atlas.copy((i % columns) * tile, (i / columns) * tile, tile, tile)));
        s.labels.push_back(int(e.number_or("label", -1)));
        ++i;
    }
    return s;
}

// Runs `classify` on every test image and compares with PyTorch's recorded predictions.
template <typename Classify>
void check_against_pytorch(const std::string& name, Classify classify) {
    const TestSet set = load_test_set();
    const JsonValue expected = read_json(data_path("default_models/expected_" + name + ".json"));
    const auto& torch_preds = expected.find("predictions")->items();
    QCOMPARE(torch_preds.size(), set.images.size());
    int correct = 0, disagree = 0;
    for (size_t i = 0; i < set.images.size(); ++i) {
        const int p = classify(set.images[i]);
        correct += p == set.labels[i];
        if (p != int(torch_preds[i].as_number())) {
            ++disagree;
            qWarning("%s: image %d: our engine says %d, PyTorch %d", name.c_str(), int(i), p,
                     int(torch_preds[i].as_number()));
        }
    }
    const double acc = double(correct) / double(set.images.size());
    const double torch_acc = expected.number_or("pytorch_accuracy", -1);
    qInfo("%s: accuracy %.4f on %d images (PyTorch %.4f), %d predictions differ", name.c_str(), acc,
          int(set.images.size()), torch_acc, disagree);
    QVERIFY2(acc >= 0.95, qPrintable(QString("accuracy %1 < 0.95").arg(acc)));
    QVERIFY2(std::fabs(acc - torch_acc) <= 0.01, qPrintable(QString("accuracy %1 vs PyTorch %2").arg(acc).arg(torch_acc)));
    QVERIFY2(disagree <= 1, qPrintable(QString("%1 predictions differ from PyTorch").arg(disagree)));
}

// Overlap of [a0, a1) and [b0, b1).
double overlap(double a0, double a1, double b0, double b1) { return std::max(0.0, std::min(a1, b1) - std::max(a0, b0)); }

struct AttentionInBox {
    double share = 0;          // CLS attention mass (patches only, renormalised) inside the box
    double area_fraction = 0;  // the box's share of the image content
};

// Last layer, heads averaged, CLS -> patch entries renormalised over the patches; each patch counts
// with the fraction of its area inside the box (box in input pixels).
AttentionInBox cls_attention_in_box(const ViTTrace& t, int patch, double x0, double y0, double x1, double y1,
                                    double content_area) {
    const ViTLayerTrace& last = t.layers.back();
    const int N = t.num_tokens, P = t.num_prefix;
    double total = 0, inside = 0;
    for (int r = 0; r < t.grid_height; ++r)
        for (int c = 0; c < t.grid_width; ++c) {
            double a = 0;
            for (int h = 0; h < t.num_heads; ++h) a += last.prob(h, 0, P + r * t.grid_width + c, N);
            const double frac = overlap(c * patch, (c + 1) * patch, x0, x1) * overlap(r * patch, (r + 1) * patch, y0, y1) /
                                double(patch * patch);
            total += a;
            inside += a * frac;
        }
    return {inside / total, (x1 - x0) * (y1 - y0) / content_area};
}

}  // namespace

class TestDefaultModels : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { set_engine_threads(2); }

    void vit_matches_pytorch_on_test_set() {
        const LoadedModel m = load_model(assets_path("models/vitscope-vit-tiny"));
        QVERIFY(m.vit);
        QCOMPARE(m.input_height(), 112);
        QCOMPARE(m.patch_size(), 8);
        QCOMPARE(int(m.info().labels.size()), m.num_classes());
        const PreprocessConfig cfg = preprocess_config(m);
        check_against_pytorch("vit", [&](const RgbImage& img) {
            ViTTrace t;
            vit_forward(*m.vit, preprocess(img, PreprocessMode::None, cfg), {}, t);
            return argmax(t.logits);
        });
    }

    void swin_matches_pytorch_on_test_set() {
        const LoadedModel m = load_model(assets_path("models/vitscope-swin-tiny"));
        QVERIFY(m.swin);
        QCOMPARE(m.input_height(), 112);
        const PreprocessConfig cfg = preprocess_config(m);
        check_against_pytorch("swin", [&](const RgbImage& img) {
            SwinTrace t;
            swin_forward(*m.swin, preprocess(img, PreprocessMode::None, cfg), {}, {}, t);
            return argmax(t.logits);
        });
    }

    // Measured with the shipped ViT (95.1% held-out): mean 0.633 of the last layer's CLS attention
    // (heads averaged, patches only) falls in the object's box vs a mean box area of 0.205 (3.1x) over
    // 17 single-object samples; the lowest ratio is circle_3 (0.645 in a box of 0.282, 2.3x), the
    // wide letterboxed triangle gets 0.341 in 0.098 (3.5x). 16 of the 17 are classified right.
    void vit_cls_attention_lands_on_the_object() {
        const LoadedModel m = load_model(assets_path("models/vitscope-vit-tiny"));
        const PreprocessConfig cfg = preprocess_config(m);
        const JsonValue boxes = read_json(assets_path("images/boxes.json"));
        double share_sum = 0, area_sum = 0;
        int n = 0, correct = 0;
        QStringList weak;  // images whose box gets less than 1.5x its area share of the attention
        for (const auto& [file, entry] : boxes.find("images")->members()) {
            const auto& objects = entry.find("objects")->items();
            if (objects.size() != 1) continue;  // multi-object scenes: each head may look elsewhere
            const auto& box = objects[0].find("box")->items();
            const RgbImage img = load_rgb_image(QString::fromStdString(assets_path("images/" + file)));
            // Square samples go in as they are; the wide ones are letterboxed (their box scales with them).
            const bool square = img.width == cfg.width && img.height == cfg.height;
            const ModelInput in = preprocess(img, square ? PreprocessMode::None : PreprocessMode::Pad, cfg);
            ViTTrace t;
            vit_forward(*m.vit, in, {}, t);
            correct += argmax(t.logits) == int(objects[0].number_or("label", -1));
            const double sx = double(in.content_width) / img.width, sy = double(in.content_height) / img.height;
            const AttentionInBox a = cls_attention_in_box(
                t, m.patch_size(), in.content_x + box[0].as_number() * sx, in.content_y + box[1].as_number() * sy,
                in.content_x + box[2].as_number() * sx, in.content_y + box[3].as_number() * sy,
                double(in.content_width) * in.content_height);
            qInfo("%-28s attention in box %.3f, box area %.3f", file.c_str(), a.share, a.area_fraction);
            if (!(a.share > 1.5 * a.area_fraction))
                weak << QString("%1 (%2 in a box of area %3)").arg(file.c_str()).arg(a.share, 0, 'f', 3).arg(a.area_fraction, 0, 'f', 3);
            share_sum += a.share;
            area_sum += a.area_fraction;
            ++n;
        }
        QVERIFY(n >= 12);
        qInfo("mean over %d single-object samples: attention in box %.3f, box area %.3f; %d classified right",
              n, share_sum / n, area_sum / n, correct);
        QVERIFY2(share_sum / n > 2.5 * area_sum / n, "the CLS attention does not concentrate on the objects");
        QVERIFY2(weak.isEmpty(), qPrintable("little attention on the object in " + weak.join(", ")));
    }
};

QTEST_GUILESS_MAIN(TestDefaultModels)
#include "test_default_models.moc"
