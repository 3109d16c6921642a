// libFuzzer: the model loader driven by the header alone. The input is the JSON header; the data
// section is 256 KiB of zeros, so tensor names, shapes and offsets are what the fuzzer explores
// (a whole-file fuzzer spends most inputs on byte counts that do not add up).
#include "fuzz_model.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string zeros(256 * 1024, '\0');
    std::string file(8, '\0');
    for (int i = 0; i < 8; ++i) file[size_t(i)] = char((uint64_t(size) >> (8 * i)) & 0xFF);
    file.append(reinterpret_cast<const char*>(data), size);
    file += zeros;
    const std::string path = vitscope::fuzz::temp_dir().file("model.safetensors");
    vitscope::fuzz::write_file(path, file);
    vitscope::fuzz::load_and_run(path);
    return 0;
}
