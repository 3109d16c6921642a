// libFuzzer: image bytes -> Qt decode (with vitscope's limits) -> preprocess in every mode.
#include "fuzz_support.h"
#include "image_loader.h"

#include <QCoreApplication>
#include <stdexcept>

using namespace vitscope;

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    static QCoreApplication app(*argc, *argv);  // image format plugins (JPEG, GIF, ...) load through it
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string path = fuzz::temp_dir().file("input.img");
    fuzz::write_file(path, data, size);
    RgbImage img;
    try {
        img = load_rgb_image(QString::fromStdString(path));
    } catch (const std::runtime_error&) {
        return 0;
    }
    // The resize reads every decoded pixel about 12 times per channel: linear, and bounded by the
    // decode limit (kMaxDecodedPixels), but a 16-megapixel image takes ~10 s under ASan + coverage,
    // the per-input timeout. Preprocessing is fuzzed on images up to 2 megapixels; the loader's
    // limits on every size.
    if (size_t(img.width) * size_t(img.height) > 2'000'000) return 0;
    PreprocessConfig cfg;
    cfg.height = cfg.width = 32;
    cfg.patch_size = 8;
    for (PreprocessMode mode : {PreprocessMode::Crop, PreprocessMode::Pad, PreprocessMode::None}) {
        try {
            preprocess(img, mode, cfg);
        } catch (const std::invalid_argument&) {
        }
    }
    return 0;
}
