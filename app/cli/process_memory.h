// The process's resident memory, for bench's memory line.
#pragma once

#include <cstdint>

namespace vitscope::cli {

// Peak resident set size in bytes since the process started (VmHWM in /proc/self/status; else
// getrusage's ru_maxrss). 0 when neither is available.
int64_t peak_resident_bytes();
// Resident set size now (VmRSS); 0 when unavailable.
int64_t resident_bytes();

}  // namespace vitscope::cli
