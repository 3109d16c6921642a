// libFuzzer: a Hugging Face folder whose config.json (and, after a line "---", preprocessor_config.json)
// is the input, beside the fixed weights of the tiny HF ViT fixture.
#include "fuzz_model.h"
#include "fuzz_support.h"

#include <filesystem>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    namespace fs = std::filesystem;
    static const std::string folder = [] {
        const std::string f = vitscope::fuzz::temp_dir().file("hf");
        fs::create_directories(f);
        fs::copy_file(VITSCOPE_FUZZ_WEIGHTS, f + "/model.safetensors", fs::copy_options::overwrite_existing);
        return f;
    }();
    const std::string text(reinterpret_cast<const char*>(data), size);
    const size_t split = text.find("\n---\n");
    vitscope::fuzz::write_file(folder + "/config.json", text.substr(0, split));
    std::error_code ec;
    fs::remove(folder + "/preprocessor_config.json", ec);
    if (split != std::string::npos) vitscope::fuzz::write_file(folder + "/preprocessor_config.json", text.substr(split + 5));
    vitscope::fuzz::load_and_run(folder);
    return 0;
}
