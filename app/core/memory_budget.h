// How much memory a forward pass's traces may take before the front end asks the user first.
#pragma once

#include <cstdint>
#include <string>

namespace vitscope {

// VITSCOPE_MEMORY_BUDGET_MB when set to a positive number (tests, small machines), else half of the
// physical memory (sysconf), else 4 GiB when that is unknown.
int64_t default_memory_budget_bytes();

// Where default_memory_budget_bytes() comes from, for a message: "set by VITSCOPE_MEMORY_BUDGET_MB" or
// "half the machine's memory; VITSCOPE_MEMORY_BUDGET_MB sets another".
std::string memory_budget_origin();

// "2.8 GB", "345 MB", "12 kB": a size for a message.
std::string memory_size_text(int64_t bytes);

}  // namespace vitscope
