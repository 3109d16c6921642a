// libFuzzer: the JSON reader behind safetensors headers and config.json. Any input either parses or
// throws std::runtime_error; nothing else (crash, hang, other exception) is allowed.
#include "json.h"

#include <stdexcept>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        vitscope::parse_json(std::string_view(reinterpret_cast<const char*>(data), size), 20'000);
    } catch (const std::runtime_error&) {
    }
    return 0;
}
