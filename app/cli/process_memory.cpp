#include "process_memory.h"

#include <sys/resource.h>

#include <cstdio>
#include <cstring>

namespace vitscope::cli {

namespace {

// "Name:   123 kB" from /proc/self/status, in bytes; 0 when absent.
int64_t status_kb_field(const char* name) {
    std::FILE* f = std::fopen("/proc/self/status", "r");
    if (!f) return 0;
    char line[256];
    long long kb = 0;
    const size_t n = std::strlen(name);
    while (std::fgets(line, sizeof line, f))
        if (std::strncmp(line, name, n) == 0 && line[n] == ':') {
            std::sscanf(line + n + 1, "%lld", &kb);
            break;
        }
    std::fclose(f);
    return int64_t(kb) * 1024;
}

}  // namespace

int64_t peak_resident_bytes() {
    if (const int64_t b = status_kb_field("VmHWM")) return b;
    rusage u{};
    if (getrusage(RUSAGE_SELF, &u) == 0) return int64_t(u.ru_maxrss) * 1024;  // Linux: kilobytes
    return 0;
}

int64_t resident_bytes() { return status_kb_field("VmRSS"); }

}  // namespace vitscope::cli
