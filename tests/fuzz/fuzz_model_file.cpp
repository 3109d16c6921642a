// libFuzzer: the model loader on a whole file (bytes -> model.safetensors -> load_model -> forward).
#include "fuzz_model.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string path = vitscope::fuzz::temp_dir().file("model.safetensors");
    vitscope::fuzz::write_file(path, data, size);
    vitscope::fuzz::load_and_run(path);
    return 0;
}
