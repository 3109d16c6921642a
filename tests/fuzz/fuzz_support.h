// Shared by the libFuzzer targets: one private temporary folder per process (removed at exit), so
// no target writes anywhere else.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace vitscope::fuzz {

class TempDir {
public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "vitscope-fuzz-XXXXXX").string();
        if (!::mkdtemp(pattern.data())) std::abort();
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

inline const TempDir& temp_dir() {
    static TempDir dir;
    return dir;
}

inline void write_file(const std::string& path, const uint8_t* data, size_t size) {
    std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data), std::streamsize(size));
}

inline void write_file(const std::string& path, const std::string& bytes) {
    write_file(path, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace vitscope::fuzz
