// libFuzzer: a whole safetensors file. Opening either validates it or throws FileError; every tensor
// of a valid file then reads (as floats or as integers, whichever its dtype allows).
#include "fuzz_support.h"
#include "safetensors.h"

using namespace vitscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string path = fuzz::temp_dir().file("input.safetensors");
    fuzz::write_file(path, data, size);
    try {
        SafetensorsFile f(path);
        for (const auto& [name, info] : f.tensors()) {
            if (dtype_is_float(info.dtype)) f.read_f32(name);
            else f.read_i64(name);
        }
    } catch (const FileError&) {
    }
    return 0;
}
