// The real DeiT-Tiny from ../shared/models on the 224x224 photos, against reference_outputs.json:
// top-5 exactly, logits within 1e-3, last-block CLS attention within 1e-4. Skips when absent.
#include "test_support.h"
#include "image_loader.h"
#include "json.h"
#include "model_loader.h"
#include "vit_forward.h"

#include <QFile>
#include <numeric>

using namespace vitscope;
using vitscope::test::shared_path;

class TestRealDeiT : public QObject {
    Q_OBJECT
private slots:
    void matches_reference_outputs() {
        const std::string dir = shared_path("models/deit-tiny-patch16-224");
        QFile ref_file(QString::fromStdString(dir + "/reference_outputs.json"));
        if (!QFile::exists(QString::fromStdString(dir + "/model.safetensors")) || !ref_file.open(QIODevice::ReadOnly))
            QSKIP(qPrintable("the real DeiT-Tiny is not available at " + QString::fromStdString(dir)));
        const JsonValue ref = parse_json(ref_file.readAll().toStdString());
        LoadedModel m = load_model(dir + "/model.safetensors");
        QCOMPARE(m.vit->info.num_parameters, int64_t(5717416));
        PreprocessConfig cfg;
        cfg.patch_size = 16;
        int checked = 0;
        for (const JsonValue& r : ref.find("results")->items()) {
            const std::string image = shared_path(r.string_or("image", ""));
            ModelInput in = preprocess(load_rgb_image(QString::fromStdString(image)), PreprocessMode::None, cfg);
            ViTTrace t;
            vit_forward(*m.vit, in, {}, t);
            // logits
            const auto& logits = r.find("logits")->items();
            QCOMPARE(Eigen::Index(logits.size()), t.logits.size());
            double worst = 0;
            for (size_t i = 0; i < logits.size(); ++i)
                worst = std::max(worst, std::fabs(double(t.logits[Eigen::Index(i)]) - logits[i].as_number()));
            QVERIFY2(worst < 1e-3, qPrintable(QString("%1: logits differ by %2").arg(image.c_str()).arg(worst)));
            // top-5 exactly
            std::vector<int> order(1000);
            std::iota(order.begin(), order.end(), 0);
            std::partial_sort(order.begin(), order.begin() + 5, order.end(),
                              [&](int a, int b) { return t.logits[a] > t.logits[b]; });
            const auto& top5 = r.find("top5")->items();
            for (int i = 0; i < 5; ++i) QCOMPARE(order[size_t(i)], int(top5[size_t(i)].number_or("index", -1)));
            // last block's CLS attention row, per head
            const auto& cls = r.find("last_block_cls_attention")->items();
            QCOMPARE(int(cls.size()), 3);
            const ViTLayerTrace& last = t.layers.back();
            for (int h = 0; h < 3; ++h) {
                const auto& row = cls[size_t(h)].items();
                QCOMPARE(int(row.size()), 197);
                for (int k = 0; k < 197; ++k)
                    QVERIFY2(std::fabs(last.prob(h, 0, k, 197) - row[size_t(k)].as_number()) < 1e-4,
                             qPrintable(QString("%1 head %2 key %3").arg(image.c_str()).arg(h).arg(k)));
            }
            ++checked;
        }
        QCOMPARE(checked, 4);
    }
};

QTEST_APPLESS_MAIN(TestRealDeiT)
#include "test_real_deit.moc"
