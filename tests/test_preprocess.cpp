// Preprocessing against torchvision (resize with antialiased bicubic, center crop, normalize), the
// padding letterbox and its patch mask, and the 'none' size check.
#include "test_support.h"
#include "image_loader.h"
#include "image_resize.h"
#include "preprocess.h"

#include <QTemporaryDir>

#include <array>

using namespace vitscope;
using vitscope::test::data_path;

class TestPreprocess : public QObject {
    Q_OBJECT
    SafetensorsFile* ref_ = nullptr;
    RgbImage image_;
    std::vector<float> chw_;

private slots:
    void initTestCase() {
        ref_ = new SafetensorsFile(data_path("vit/preprocess_expected.safetensors"));
        image_.height = 37;
        image_.width = 53;
        image_.pixels = ref_->read_f32("image");
        chw_.resize(image_.pixels.size());
        for (int i = 0; i < 37 * 53; ++i)
            for (int c = 0; c < 3; ++c) chw_[size_t(c) * 37 * 53 + i] = image_.pixels[size_t(i) * 3 + c];
    }
    void cleanupTestCase() { delete ref_; }

    // A window of the resize equals the whole resize cropped, bit for bit (the centre crop is computed
    // alone, so a very wide image costs only the crop).
    void resize_window_equals_resize_then_crop() {
        const int oh = 29, ow = 71;
        const std::vector<float> all = resize_bicubic_antialias(chw_, 3, 37, 53, oh, ow);
        for (const auto& [top, left, h, w] : std::vector<std::array<int, 4>>{{0, 0, oh, ow}, {3, 11, 20, 33}, {28, 70, 1, 1}}) {
            const std::vector<float> win = resize_bicubic_antialias_window(chw_, 3, 37, 53, oh, ow, top, left, h, w);
            QCOMPARE(int(win.size()), 3 * h * w);
            for (int c = 0; c < 3; ++c)
                for (int y = 0; y < h; ++y)
                    for (int x = 0; x < w; ++x)
                        QCOMPARE(win[(size_t(c) * h + y) * w + x], all[(size_t(c) * oh + top + y) * ow + left + x]);
        }
    }

    // The fuzzer's slow input: a 44-byte GIF declaring 64771x2 pixels. Cropping it for a 32x32 input
    // resized it to 36 x 1.17 million pixels before cutting the centre (15 s under the sanitizers);
    // now only the centre is computed.
    void very_wide_image_crops_quickly() {
        // The file itself is refused now (thinner than 1:kMaxAspectRatio)...
        const QString gif = QString::fromStdString(data_path("slow_inputs/fuzz_image_timeout_64771x2.gif"));
        try {
            load_rgb_image(gif);
            QFAIL("a 64771x2 image was decoded");
        } catch (const std::runtime_error& e) {
            QVERIFY2(QString(e.what()).contains("more than 100 times as wide as it is tall"), e.what());
        }
        // ...and the crop of such an image, made in memory, is still quick and right.
        RgbImage img;
        img.width = 64771;
        img.height = 2;
        img.pixels.assign(size_t(img.width) * img.height * 3, 0.5f);
        PreprocessConfig cfg;
        cfg.height = cfg.width = 32;
        cfg.patch_size = 8;
        const ModelInput in = preprocess(img, PreprocessMode::Crop, cfg);
        QCOMPARE(in.width, 32);
        QCOMPARE(in.height, 32);
        // (Its speed is guarded where it was found: the input is a seed of fuzz_image, whose 10 s
        // per-input timeout fails CI; no timed assertion here.)
    }

    void resize_matches_torchvision() {
        VITSCOPE_COMPARE_NEAR(resize_bicubic_antialias(chw_, 3, 37, 53, 40, 56), ref_->read_f32("upsample"), 2e-5);
        VITSCOPE_COMPARE_NEAR(resize_bicubic_antialias(chw_, 3, 37, 53, 20, 25), ref_->read_f32("downsample"), 2e-5);
    }

    void crop_matches_torchvision() {
        PreprocessConfig cfg;
        cfg.height = cfg.width = 32;
        cfg.patch_size = 8;
        cfg.crop_pct = 0.8888f;  // shorter side -> floor(32 / 0.8888) = 36
        ModelInput in = preprocess(image_, PreprocessMode::Crop, cfg);
        QCOMPARE(in.height, 32);
        QCOMPARE(in.width, 32);
        QVERIFY(!in.has_padding());
        VITSCOPE_COMPARE_NEAR(in.chw, ref_->read_f32("crop"), 1e-4);
    }

    void pad_letterboxes_and_marks_padding() {
        PreprocessConfig cfg;
        cfg.height = cfg.width = 32;
        cfg.patch_size = 8;
        RgbImage wide;
        wide.width = 64;
        wide.height = 16;
        wide.pixels.assign(64 * 16 * 3, 1.0f);
        ModelInput in = preprocess(wide, PreprocessMode::Pad, cfg);
        // 64x16 -> 32x8 content centered vertically at y = 12..19: patch rows 0 and 3 are padding.
        QCOMPARE(in.content_y, 12);
        QCOMPARE(in.content_height, 8);
        QCOMPARE(in.content_width, 32);
        const std::vector<unsigned char> expected = {1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1};
        QCOMPARE(in.patch_is_padding, expected);
        // Padding is the mean colour: exactly 0 after normalisation; content is white.
        QCOMPARE(in.chw[0], 0.0f);
        QVERIFY(std::fabs(in.chw[size_t(15) * 32 + 5] - (1.0f - 0.485f) / 0.229f) < 1e-5f);
    }

    void none_requires_the_model_size() {
        PreprocessConfig cfg;
        try {
            preprocess(image_, PreprocessMode::None, cfg);
            QFAIL("no exception");
        } catch (const std::invalid_argument& e) {
            QCOMPARE(QString(e.what()),
                     QString("preprocess 'none' needs an image of exactly 224x224 pixels; this one is 53x37 (use 'crop' or 'pad')"));
        }
    }

    void declared_sizes_are_bounded() {
        auto error = [&](const RgbImage& img, PreprocessMode mode, const PreprocessConfig& cfg) -> QString {
            try {
                preprocess(img, mode, cfg);
            } catch (const std::invalid_argument& e) {
                return e.what();
            }
            return "no error";
        };
        PreprocessConfig cfg;
        cfg.patch_size = 0;  // once a division by zero
        QCOMPARE(error(image_, PreprocessMode::Crop, cfg),
                 QString("input size 224x224 with patch size 0 is outside the limits (patch >= 1, patch <= side <= 4096)"));
        cfg.patch_size = 4096;  // a 14x14 grid of 4096-pixel patches once asked for 39 GB
        cfg.height = cfg.width = 14 * 4096;
        QCOMPARE(error(image_, PreprocessMode::Pad, cfg),
                 QString("input size 57344x57344 with patch size 4096 is outside the limits (patch >= 1, patch <= side <= 4096)"));
        cfg = PreprocessConfig();
        cfg.crop_pct = 0.001f;
        QCOMPARE(error(image_, PreprocessMode::Crop, cfg), QString("crop_pct 0.001000 is outside [0.100000, 10.000000]"));
        // An extreme aspect ratio: 'crop' would resize 1x100000 to 248x24800000 before cropping.
        RgbImage thin;
        thin.width = 1;
        thin.height = 100000;
        thin.pixels.assign(size_t(3) * thin.height, 0.5f);
        QCOMPARE(error(thin, PreprocessMode::Crop, PreprocessConfig()),
                 QString("a 1x100000 image would be resized to 248x24800000 before the crop, more than the limit of "
                         "64000000 pixels (use 'pad')"));
        QCOMPARE(preprocess(thin, PreprocessMode::Pad, PreprocessConfig()).content_width, 1);
    }

    void large_images_are_downscaled_on_decode() {
        QCOMPARE(decoded_size(QSize(4096, 4096)), QSize(4096, 4096));
        QCOMPARE(decoded_size(QSize(14000, 14000)), QSize(4096, 4096));  // the 196-megapixel case
        QCOMPARE(decoded_size(QSize(4200, 4100)), QSize(4145, 4046));
        QTemporaryDir dir;
        const QString p = dir.filePath("large.png");
        QImage big(4200, 4100, QImage::Format_RGB32);
        big.fill(QColor(255, 0, 0));
        QVERIFY(big.save(p));
        QString note;
        const RgbImage img = load_rgb_image(p, &note);
        QCOMPARE(img.width, 4145);
        QCOMPARE(img.height, 4046);
        QCOMPARE(img.pixels[0], 1.0f);
        QCOMPARE(img.pixels[1], 0.0f);
        QCOMPARE(note, p + ": 4200x4100 pixels decoded at 4145x4046 (images are downscaled to at most 16.8 megapixels)");
        note.clear();
        load_rgb_image(QString::fromStdString(data_path("default_models/atlas.png")), &note);
        QVERIFY(note.isEmpty());
    }

    void qimage_conversion_is_exact() {
        QImage img(3, 2, QImage::Format_RGB32);
        img.fill(QColor(255, 128, 0));
        img.setPixelColor(2, 1, QColor(10, 20, 30));
        RgbImage rgb = rgb_image_from_qimage(img);
        QCOMPARE(rgb.width, 3);
        QCOMPARE(rgb.pixels[0], 1.0f);
        QCOMPARE(rgb.pixels[1], 128.0f / 255.0f);
        QCOMPARE(rgb.pixels[(1 * 3 + 2) * 3 + 2], 30.0f / 255.0f);
    }

    void huge_images_are_refused_before_decoding() {
        // A PNG whose header claims 30000x30000 pixels (900 MP): refused from the header alone.
        auto crc32 = [](const QByteArray& d) {
            quint32 c = 0xFFFFFFFFu;
            for (char ch : d) {
                c ^= quint8(ch);
                for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
            }
            return c ^ 0xFFFFFFFFu;
        };
        auto be32 = [](quint32 v) {
            QByteArray b(4, '\0');
            for (int i = 0; i < 4; ++i) b[i] = char((v >> (24 - 8 * i)) & 0xFF);
            return b;
        };
        auto chunk = [&](const QByteArray& type, const QByteArray& data) {
            return be32(quint32(data.size())) + type + data + be32(crc32(type + data));
        };
        QByteArray png = QByteArray("\x89PNG\r\n\x1a\n", 8) +
                         chunk("IHDR", be32(30000) + be32(30000) + QByteArray("\x08\x02\x00\x00\x00", 5)) +
                         chunk("IDAT", QByteArray("\x78\x9c", 2)) + chunk("IEND", QByteArray());
        QTemporaryDir dir;
        const QString p = dir.filePath("huge.png");
        QFile f(p);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(png);
        f.close();
        try {
            load_rgb_image(p);
            QFAIL("no exception");
        } catch (const std::runtime_error& e) {
            QCOMPARE(QString(e.what()), p + ": image is 30000x30000 pixels, more than the 200-megapixel limit");
        }
    }

    void broken_images_give_messages() {
        QTemporaryDir dir;
        const QString p = dir.filePath("broken.png");
        QFile f(p);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("\x89PNG\r\n\x1a\n garbage");
        f.close();
        try {
            load_rgb_image(p);
            QFAIL("no exception");
        } catch (const std::runtime_error& e) {
            QVERIFY2(QString(e.what()).startsWith(p + ": "), e.what());
        }
        try {
            load_rgb_image(dir.filePath("missing.png"));
            QFAIL("no exception");
        } catch (const std::runtime_error& e) {
            QCOMPARE(QString(e.what()), dir.filePath("missing.png") + ": no such file");
        }
    }
};

QTEST_APPLESS_MAIN(TestPreprocess)
#include "test_preprocess.moc"
