// Plain string parsing of checkpoint tensor names ("blocks.11.attn.qkv.weight"). No regex: names
// come from the file, and a regex over them (or built from them) can overflow the stack or hang.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vitscope {

// When `name` is `prefix` + decimal digits + "." + rest: the number and rest. Numbers with more than
// 18 digits give kIndexTooLarge (they are reported, never converted).
struct IndexedName {
    bool matched = false;
    int64_t index = 0;
    std::string_view rest;
};
constexpr int64_t kIndexTooLarge = INT64_MAX;
IndexedName parse_indexed_name(std::string_view name, std::string_view prefix);

// 'name' for messages, shortened to its first 100 characters when longer than 120.
std::string quoted_name(std::string_view name);

}  // namespace vitscope
