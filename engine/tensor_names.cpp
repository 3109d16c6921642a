#include "tensor_names.h"


namespace vitscope {

IndexedName parse_indexed_name(std::string_view name, std::string_view prefix) {
    IndexedName out;
    if (name.substr(0, prefix.size()) != prefix) return out;
    size_t pos = prefix.size();
    const size_t digits_begin = pos;
    while (pos < name.size() && name[pos] >= '0' && name[pos] <= '9') ++pos;
    const size_t digits = pos - digits_begin;
    if (digits == 0 || pos == name.size() || name[pos] != '.') return out;
    out.matched = true;
    if (digits > 18) {
        out.index = kIndexTooLarge;
    } else {
        for (size_t i = digits_begin; i < pos; ++i) out.index = out.index * 10 + (name[i] - '0');
    }
    out.rest = name.substr(pos + 1);
    return out;
}

std::string quoted_name(std::string_view name) {
    if (name.size() > 120) return "'" + std::string(name.substr(0, 100)) + "...' (" + std::to_string(name.size()) + " characters)";
    return "'" + std::string(name) + "'";
}

}  // namespace vitscope
