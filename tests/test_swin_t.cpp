// A full-size Swin-T (torchvision swin_t(), random weights, timm naming) generated at test time by
// tools/make_swin_fixtures.py --swin-t, run end to end: logits within 1e-3 and the last block's
// attention within 1e-4 of torchvision. Skipped when /usr/bin/python3 cannot import torchvision.
#include "test_support.h"
#include "model_loader.h"
#include "swin_forward.h"

#include <QProcess>
#include <QTemporaryDir>

using namespace vitscope;

class TestSwinT : public QObject {
    Q_OBJECT

private slots:
    void swin_t_matches_torchvision() {
        const QString python = "/usr/bin/python3";
        QProcess probe;
        probe.start(python, {"-c", "import torch, torchvision"});
        if (!probe.waitForFinished(120000) || probe.exitStatus() != QProcess::NormalExit || probe.exitCode() != 0)
            QSKIP("/usr/bin/python3 cannot import torch and torchvision (Debian python3-torchvision)");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString script = QString(VITSCOPE_TEST_DATA_DIR) + "/../../tools/make_swin_fixtures.py";
        QProcess gen;
        gen.setProcessChannelMode(QProcess::MergedChannels);
        gen.start(python, {script, "--swin-t", dir.path()});
        QVERIFY2(gen.waitForFinished(600000), "make_swin_fixtures.py --swin-t did not finish");
        QVERIFY2(gen.exitCode() == 0, gen.readAll().constData());

        const std::string out = dir.path().toStdString();
        const LoadedModel m = load_model(out + "/swin_t_timm.safetensors");
        QVERIFY(m.swin);
        const SwinModel& sm = *m.swin;
        QCOMPARE(sm.hp.embed_dim, 96);
        QCOMPARE(sm.hp.depths, (std::vector<int>{2, 2, 6, 2}));
        QCOMPARE(sm.hp.num_heads, (std::vector<int>{3, 6, 12, 24}));
        QCOMPARE(sm.hp.window_size, 7);
        QCOMPARE(sm.hp.num_classes, 1000);

        SafetensorsFile ref(out + "/swin_t_expected.safetensors");
        ModelInput in = model_input_from_tensor(ref.read_f32("input"), 224, 224, 4);
        SwinTrace t;
        swin_forward(sm, in, {}, {}, t);
        const std::vector<float> logits(t.logits.data(), t.logits.data() + t.logits.size());
        VITSCOPE_COMPARE_NEAR(logits, ref.read_f32("logits"), 1e-3);
        const SwinBlockTrace& last = t.blocks.back();
        QCOMPARE(last.stage, 3);
        QCOMPARE(last.block, 1);
        QCOMPARE(ref.info("attn.3.1").shape, (std::vector<int64_t>{1, 24, 49, 49}));
        VITSCOPE_COMPARE_NEAR(last.attn, ref.read_f32("attn.3.1"), 1e-4);
    }
};

QTEST_APPLESS_MAIN(TestSwinT)
#include "test_swin_t.moc"
