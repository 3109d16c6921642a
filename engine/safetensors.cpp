#include "safetensors.h"

#include "json.h"

#include <algorithm>
#include <cassert>
#include <limits>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace vitscope {

namespace {

struct DTypeEntry {
    DType dtype;
    const char* name;
    size_t size;
};
constexpr DTypeEntry kDTypes[] = {
    {DType::F64, "F64", 8}, {DType::F32, "F32", 4}, {DType::F16, "F16", 2}, {DType::BF16, "BF16", 2},
    {DType::I64, "I64", 8}, {DType::I32, "I32", 4}, {DType::I16, "I16", 2}, {DType::I8, "I8", 1},
    {DType::U8, "U8", 1},   {DType::BOOL, "BOOL", 1},
};

}  // namespace

const char* dtype_name(DType d) {
    for (const DTypeEntry& e : kDTypes)
        if (e.dtype == d) return e.name;
    return "?";
}

size_t dtype_size(DType d) {
    for (const DTypeEntry& e : kDTypes)
        if (e.dtype == d) return e.size;
    return 0;
}

int64_t TensorInfo::numel() const {
    int64_t n = 1;
    for (int64_t s : shape) n *= s;
    return n;
}

std::string shape_string(const std::vector<int64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) {
        if (i) s += ",";
        s += std::to_string(shape[i]);
    }
    return s + "]";
}

namespace {

float half_to_float(uint16_t h) {
    const uint32_t sign = uint32_t(h & 0x8000) << 16;
    const uint32_t exp = (h >> 10) & 0x1F;
    const uint32_t mant = h & 0x3FF;
    uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else {  // subnormal: value = mant * 2^-24
            float f = std::ldexp(float(mant), -24);
            std::memcpy(&bits, &f, 4);
            bits |= sign;
        }
    } else if (exp == 31) {
        bits = sign | 0x7F800000u | (mant << 13);
    } else {
        bits = sign | ((exp + 112) << 23) | (mant << 13);
    }
    float out;
    std::memcpy(&out, &bits, 4);
    return out;
}

float bf16_to_float(uint16_t b) {
    uint32_t bits = uint32_t(b) << 16;
    float out;
    std::memcpy(&out, &bits, 4);
    return out;
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

// Header entries -> TensorInfo, every number checked before it is used in arithmetic.
class HeaderReader {
public:
    HeaderReader(const std::string& path, uint64_t data_size) : path_(path), data_size_(data_size) {}

    TensorInfo tensor(const std::string& name, const JsonValue& v) const {
        const std::string where = "tensor " + quoted(name) + ": ";
        if (!v.is_object()) fail(where + "entry is not an object");
        const JsonValue* dt = v.find("dtype");
        const JsonValue* sh = v.find("shape");
        const JsonValue* off = v.find("data_offsets");
        if (!dt || !dt->is_string()) fail(where + "missing dtype");
        if (!sh || !sh->is_array()) fail(where + "missing shape");
        if (!off || !off->is_array() || off->items().size() != 2) fail(where + "missing data_offsets");
        TensorInfo info;
        info.name = name;
        const std::string& d = dt->as_string();
        const DTypeEntry* entry = nullptr;
        for (const DTypeEntry& e : kDTypes)
            if (d == e.name) entry = &e;
        if (!entry) fail(where + "unknown dtype " + d);
        info.dtype = entry->dtype;
        if (sh->items().size() > kMaxRank)
            fail(where + "rank " + std::to_string(sh->items().size()) + " exceeds " + std::to_string(kMaxRank));
        for (const JsonValue& s : sh->items()) {
            const std::optional<int64_t> n = s.as_exact_integer();
            if (!n || *n < 0) fail(where + "invalid shape entry");
            info.shape.push_back(*n);
        }
        uint64_t offsets[2];
        for (int i = 0; i < 2; ++i) {
            const std::optional<int64_t> o = off->items()[size_t(i)].as_exact_integer();
            if (!o || *o < 0) fail(where + "invalid data_offsets (not integers in [0, 2^53])");
            offsets[i] = uint64_t(*o);
        }
        info.begin = offsets[0];
        info.end = offsets[1];
        if (info.end < info.begin) fail(where + "data_offsets end before begin");
        if (info.end > data_size_)
            fail(where + "data_offsets [" + std::to_string(info.begin) + "," + std::to_string(info.end) +
                 "] lie outside the data section of " + std::to_string(data_size_) + " bytes (truncated file?)");
        // Checked: [2^32,2^32] elements or [2^31,2^31] F32 bytes must not wrap to a small number.
        uint64_t expected_bytes = entry->size;
        for (int64_t n : info.shape)
            if (__builtin_mul_overflow(expected_bytes, uint64_t(n), &expected_bytes))
                fail(where + d + " " + shape_string(info.shape) + " needs more than 2^64 bytes");
        if (info.end - info.begin != expected_bytes)
            fail(where + "holds " + std::to_string(info.end - info.begin) + " bytes but " + d + " " +
                 shape_string(info.shape) + " needs " + std::to_string(expected_bytes));
        return info;
    }

    // No byte may belong to two tensors. Zero-length tensors own no bytes and are skipped; every
    // other tensor is compared with the furthest-reaching one before it (not just its neighbour).
    void check_no_overlap(const std::map<std::string, TensorInfo>& tensors) const {
        std::vector<const TensorInfo*> by_offset;
        for (const auto& [_, t] : tensors)
            if (t.end > t.begin) by_offset.push_back(&t);
        std::sort(by_offset.begin(), by_offset.end(), [](const TensorInfo* a, const TensorInfo* b) {
            return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
        });
        const TensorInfo* furthest = nullptr;
        for (const TensorInfo* t : by_offset) {
            if (furthest && t->begin < furthest->end)
                fail("tensors " + quoted(furthest->name) + " and " + quoted(t->name) + " overlap");
            if (!furthest || t->end > furthest->end) furthest = t;
        }
    }

    [[noreturn]] void fail(const std::string& what) const { throw FileError(path_ + ": " + what); }

private:
    static constexpr size_t kMaxRank = 8;
    const std::string& path_;
    uint64_t data_size_;
};

}  // namespace

SafetensorsFile::SafetensorsFile(const std::string& path) : path_(path) {
    auto fail = [&](const std::string& what) -> void { throw FileError(path_ + ": " + what); };

    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail(std::string("cannot open: ") + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        fail("not a regular file");
    }
    map_size_ = size_t(st.st_size);
    if (map_size_ < 8) {
        ::close(fd);
        fail("file is too short to be safetensors (" + std::to_string(map_size_) + " bytes; truncated?)");
    }
    void* m = ::mmap(nullptr, map_size_, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (m == MAP_FAILED) fail(std::string("cannot map file: ") + std::strerror(errno));
    map_ = static_cast<const uint8_t*>(m);

    try {
        uint64_t header_len = 0;
        for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | map_[i];
        if (header_len == 0 || header_len > (uint64_t(1) << 32))
            fail("bad header length " + std::to_string(header_len) + " (not a safetensors file?)");
        if (header_len > map_size_ - 8)
            fail("header length " + std::to_string(header_len) + " exceeds the file size " +
                 std::to_string(map_size_) + " (truncated file?)");
        if (header_len > kSafetensorsMaxHeaderBytes)
            fail("header of " + std::to_string(header_len) + " bytes exceeds the limit of " +
                 std::to_string(kSafetensorsMaxHeaderBytes) + " bytes");
        std::string_view header(reinterpret_cast<const char*>(map_ + 8), size_t(header_len));
        if (header.empty() || header[0] != '{') fail("header does not start with '{' (not a safetensors file?)");
        data_ = map_ + 8 + header_len;
        data_size_ = map_size_ - 8 - size_t(header_len);

        JsonValue root;
        try {
            root = parse_json(header, kSafetensorsMaxHeaderValues);
        } catch (const std::exception& e) {
            fail(std::string("header JSON error: ") + e.what());
        }
        if (!root.is_object()) fail("header JSON is not an object");

        const HeaderReader reader(path_, data_size_);
        for (const auto& [name, v] : root.members()) {
            if (name == "__metadata__") {
                if (!v.is_object()) fail("__metadata__ is not an object");
                for (const auto& [k, mv] : v.members())
                    if (mv.is_string()) metadata_[k] = mv.as_string();
                continue;
            }
            if (tensors_.count(name)) fail("tensor " + quoted(name) + " is listed twice");
            tensors_[name] = reader.tensor(name, v);
        }
        reader.check_no_overlap(tensors_);
    } catch (...) {
        ::munmap(const_cast<uint8_t*>(map_), map_size_);
        map_ = nullptr;
        throw;
    }
}

SafetensorsFile::~SafetensorsFile() {
    if (map_) ::munmap(const_cast<uint8_t*>(map_), map_size_);
}

const TensorInfo& SafetensorsFile::info(const std::string& name) const {
    auto it = tensors_.find(name);
    if (it == tensors_.end()) throw FileError(path_ + ": tensor " + quoted(name) + " is missing");
    return it->second;
}

bool dtype_is_float(DType d) { return d == DType::F64 || d == DType::F32 || d == DType::F16 || d == DType::BF16; }

std::vector<float> SafetensorsFile::read_f32(const std::string& name) const {
    const TensorInfo& t = info(name);
    if (!dtype_is_float(t.dtype))
        throw FileError(path_ + ": tensor " + quoted(name) + " has dtype " + dtype_name(t.dtype) +
                        "; weights must be floating point (F32, F16, BF16 or F64)");
    const size_t n = size_t(t.numel());  // fits: the header check bounded its bytes by the file size
    if (n == 0) return {};
    const uint8_t* src = data_ + t.begin;
    std::vector<float> out(n);
    auto load = [&](auto sample, auto convert) {
        using T = decltype(sample);
        for (size_t i = 0; i < n; ++i) {
            T v;
            std::memcpy(&v, src + i * sizeof(T), sizeof(T));  // little-endian, possibly unaligned
            out[i] = convert(v);
        }
    };
    switch (t.dtype) {
    case DType::F32: std::memcpy(out.data(), src, n * 4); break;
    case DType::F16: load(uint16_t{}, half_to_float); break;
    case DType::BF16: load(uint16_t{}, bf16_to_float); break;
    case DType::F64: load(double{}, [](double v) {  // out of float's range: +-inf (a cast would be UB)
        constexpr float inf = std::numeric_limits<float>::infinity();
        return std::fabs(v) > double(std::numeric_limits<float>::max()) ? (v > 0 ? inf : -inf) : float(v);
    }); break;
    default: assert(false && "integer dtypes were refused above");
    }
    return out;
}

std::vector<int64_t> SafetensorsFile::read_i64(const std::string& name) const {
    const TensorInfo& t = info(name);
    if (dtype_is_float(t.dtype))
        throw FileError(path_ + ": tensor " + quoted(name) + " has dtype " + dtype_name(t.dtype) +
                        "; an index buffer must be an integer type");
    const size_t n = size_t(t.numel());
    std::vector<int64_t> out(n);
    const uint8_t* src = data_ + t.begin;
    auto load = [&](auto sample) {
        using T = decltype(sample);
        for (size_t i = 0; i < n; ++i) {
            T v;
            std::memcpy(&v, src + i * sizeof(T), sizeof(T));
            out[i] = int64_t(v);
        }
    };
    switch (t.dtype) {
    case DType::I64: load(int64_t{}); break;
    case DType::I32: load(int32_t{}); break;
    case DType::I16: load(int16_t{}); break;
    case DType::I8: load(int8_t{}); break;
    case DType::U8:
    case DType::BOOL: load(uint8_t{}); break;
    default: assert(false && "float dtypes were refused above");
    }
    return out;
}

std::vector<float> SafetensorsFile::read_f32(const std::string& name, const std::vector<int64_t>& expected) const {
    const TensorInfo& t = info(name);
    if (t.shape != expected)
        throw FileError(path_ + ": tensor " + quoted(name) + " has shape " + shape_string(t.shape) + ", expected " +
                        shape_string(expected));
    return read_f32(name);
}

void SafetensorsWriter::add(const std::string& name, std::vector<int64_t> shape, const float* data) {
    int64_t n = 1;
    for (int64_t s : shape) n *= s;
    entries_.push_back({name, std::move(shape), std::vector<float>(data, data + n)});
}

void SafetensorsWriter::add(const std::string& name, std::vector<int64_t> shape, const std::vector<float>& data) {
    int64_t n = 1;
    for (int64_t s : shape) n *= s;
    if (size_t(n) != data.size())
        throw std::invalid_argument("SafetensorsWriter: tensor " + name + " has " + std::to_string(data.size()) +
                                    " values but shape " + shape_string(shape));
    add(name, std::move(shape), data.data());
}

void SafetensorsWriter::write(const std::string& path) const {
    std::string header = "{";
    uint64_t offset = 0;
    bool first = true;
    if (!metadata_.empty()) {
        header += "\"__metadata__\":{";
        bool mfirst = true;
        for (const auto& [k, v] : metadata_) {
            if (!mfirst) header += ",";
            mfirst = false;
            header += json_quote(k) + ":" + json_quote(v);
        }
        header += "}";
        first = false;
    }
    for (const Entry& e : entries_) {
        const uint64_t bytes = e.data.size() * 4;
        if (!first) header += ",";
        first = false;
        header += json_quote(e.name) + ":{\"dtype\":\"F32\",\"shape\":" + shape_string(e.shape) +
                  ",\"data_offsets\":[" + std::to_string(offset) + "," + std::to_string(offset + bytes) + "]}";
        offset += bytes;
    }
    header += "}";
    while (header.size() % 8 != 0) header += ' ';

    std::string bytes;
    bytes.reserve(8 + header.size() + offset);
    uint64_t len = header.size();
    for (int i = 0; i < 8; ++i) bytes += char((len >> (8 * i)) & 0xFF);
    bytes += header;
    for (const Entry& e : entries_)
        bytes.append(reinterpret_cast<const char*>(e.data.data()), e.data.size() * 4);
    write_file_atomically(path, bytes);
}

void write_file_atomically(const std::string& path, const std::string& bytes) {
    const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw FileError(path + ": cannot write: " + std::strerror(errno));
    const size_t written = std::fwrite(bytes.data(), 1, bytes.size(), f);
    const bool flushed = std::fflush(f) == 0;
    const int saved_errno = errno;
    std::fclose(f);
    if (written != bytes.size() || !flushed) {
        std::remove(tmp.c_str());
        throw FileError(path + ": write failed: " + std::strerror(saved_errno));
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        const int e = errno;
        std::remove(tmp.c_str());
        throw FileError(path + ": cannot rename temporary file into place: " + std::strerror(e));
    }
}

}  // namespace vitscope
