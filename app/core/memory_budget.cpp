#include "memory_budget.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace vitscope {

namespace {

// VITSCOPE_MEMORY_BUDGET_MB in bytes, or 0 when unset or not a positive number.
int64_t budget_from_environment() {
    if (const char* env = std::getenv("VITSCOPE_MEMORY_BUDGET_MB")) {
        char* end = nullptr;
        const double mb = std::strtod(env, &end);
        if (end != env && mb > 0) return int64_t(mb * 1024.0 * 1024.0);
    }
    return 0;
}

}  // namespace

std::string memory_budget_origin() {
    return budget_from_environment() > 0 ? "set by VITSCOPE_MEMORY_BUDGET_MB"
                                         : "half the machine's memory; VITSCOPE_MEMORY_BUDGET_MB sets another";
}

int64_t default_memory_budget_bytes() {
    if (const int64_t env = budget_from_environment()) return env;
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    if (pages > 0 && page > 0) return int64_t(pages) * int64_t(page) / 2;
    return int64_t(4) << 30;
}

std::string memory_size_text(int64_t bytes) {
    char buf[32];
    const double b = double(bytes);
    if (b >= 1e9) std::snprintf(buf, sizeof buf, "%.1f GB", b / 1e9);
    else if (b >= 1e6) std::snprintf(buf, sizeof buf, "%.0f MB", b / 1e6);
    else std::snprintf(buf, sizeof buf, "%.0f kB", b / 1e3);
    return buf;
}

}  // namespace vitscope
