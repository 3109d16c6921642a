// Writing safetensors files byte by byte for tests of the file boundary: a JSON header string plus a
// payload (any dtype, any offsets, broken on purpose), or a fixture rewritten tensor by tensor.
#pragma once

#include "safetensors.h"

#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

namespace vitscope::test {

inline std::string le64(uint64_t v) {
    std::string s;
    for (int i = 0; i < 8; ++i) s += char((v >> (8 * i)) & 0xFF);
    return s;
}

// A safetensors file from a raw header string and raw data bytes.
inline std::string safetensors_bytes(const std::string& header, const std::string& data) {
    return le64(header.size()) + header + data;
}

inline void write_bytes(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
}

inline std::string f32_bytes(const std::vector<float>& v) {
    std::string s(v.size() * 4, '\0');
    if (!v.empty()) std::memcpy(s.data(), v.data(), s.size());
    return s;
}

// One tensor as stored: dtype name, shape and raw little-endian bytes.
struct RawTensor {
    std::string name;
    std::string dtype = "F32";
    std::vector<int64_t> shape;
    std::string bytes;
};

// Consecutive offsets in the given order; names are not escaped (tests choose plain ones).
inline void write_raw(const std::string& path, const std::vector<RawTensor>& tensors) {
    std::string header = "{", data;
    for (const RawTensor& t : tensors) {
        if (header.size() > 1) header += ",";
        header += "\"" + t.name + "\":{\"dtype\":\"" + t.dtype + "\",\"shape\":" + shape_string(t.shape) +
                  ",\"data_offsets\":[" + std::to_string(data.size()) + "," +
                  std::to_string(data.size() + t.bytes.size()) + "]}";
        data += t.bytes;
    }
    write_bytes(path, safetensors_bytes(header + "}", data));
}

// Every tensor of an F32 fixture, in file order of names; `edit` may change any of them.
inline std::vector<RawTensor> fixture_tensors(const std::string& path) {
    SafetensorsFile f(path);
    std::vector<RawTensor> out;
    for (const auto& [name, info] : f.tensors()) out.push_back({name, "F32", info.shape, f32_bytes(f.read_f32(name))});
    return out;
}

inline RawTensor* find_tensor(std::vector<RawTensor>& ts, const std::string& name) {
    for (RawTensor& t : ts)
        if (t.name == name) return &t;
    return nullptr;
}

}  // namespace vitscope::test
