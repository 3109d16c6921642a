// Reading and writing safetensors files: memory-mapped, validated at the file boundary.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace vitscope {

// Every error at a checkpoint/file boundary: a one-line message naming the file (and tensor).
class FileError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Every dtype safetensors defines. Weights are floating point, read as float32 (F32/F16/BF16/F64);
// the integer types are only for index buffers (e.g. Swin's int64 relative_position_index).
enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL };

const char* dtype_name(DType d);
size_t dtype_size(DType d);
bool dtype_is_float(DType d);

// What a header may cost. Real checkpoints have a few thousand tensors (~100 bytes and ~9 JSON
// values each); these bounds keep a hostile header's parse tree under ~150 MB.
constexpr uint64_t kSafetensorsMaxHeaderBytes = 16u << 20;
constexpr size_t kSafetensorsMaxHeaderValues = 1'000'000;

struct TensorInfo {
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    uint64_t begin = 0;  // byte offsets relative to the start of the data section
    uint64_t end = 0;

    int64_t numel() const;  // fits: SafetensorsFile checked the byte count against the file size
};

std::string shape_string(const std::vector<int64_t>& shape);

// A read-only, memory-mapped safetensors file. The header is validated completely on open: sizes
// with checked arithmetic, offsets inside the file, no two tensors sharing a byte.
class SafetensorsFile {
public:
    explicit SafetensorsFile(const std::string& path);
    ~SafetensorsFile();
    SafetensorsFile(const SafetensorsFile&) = delete;
    SafetensorsFile& operator=(const SafetensorsFile&) = delete;

    const std::string& path() const { return path_; }
    bool has(const std::string& name) const { return tensors_.count(name) != 0; }
    const TensorInfo& info(const std::string& name) const;  // throws FileError if absent
    const std::map<std::string, TensorInfo>& tensors() const { return tensors_; }
    const std::map<std::string, std::string>& metadata() const { return metadata_; }

    // A floating-point tensor as float32 (row-major, as stored). Integer dtypes throw FileError:
    // an integer weight converted to float would run and give confident nonsense.
    std::vector<float> read_f32(const std::string& name) const;
    // An integer tensor (index buffers); floating-point dtypes throw FileError.
    std::vector<int64_t> read_i64(const std::string& name) const;
    // Same, after checking the shape; the message names the file, tensor and both shapes.
    std::vector<float> read_f32(const std::string& name, const std::vector<int64_t>& expected_shape) const;

private:
    std::string path_;
    const uint8_t* map_ = nullptr;
    size_t map_size_ = 0;
    const uint8_t* data_ = nullptr;
    size_t data_size_ = 0;
    std::map<std::string, TensorInfo> tensors_;
    std::map<std::string, std::string> metadata_;
};

// Builds a safetensors file in memory, then writes it to a temporary file and renames it into place,
// so a failed write never leaves a half-written file behind.
class SafetensorsWriter {
public:
    void add(const std::string& name, std::vector<int64_t> shape, const float* data);
    void add(const std::string& name, std::vector<int64_t> shape, const std::vector<float>& data);
    void set_metadata(const std::string& key, const std::string& value) { metadata_[key] = value; }
    void write(const std::string& path) const;  // throws FileError

private:
    struct Entry {
        std::string name;
        std::vector<int64_t> shape;
        std::vector<float> data;
    };
    std::vector<Entry> entries_;
    std::map<std::string, std::string> metadata_;
};

// Writes bytes to `path` atomically (temp file in the same folder + rename). Throws FileError.
void write_file_atomically(const std::string& path, const std::string& bytes);

}  // namespace vitscope
