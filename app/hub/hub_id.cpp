#include "hub_id.h"

namespace vitscope {

namespace {

bool name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
}

bool valid_name(const std::string& s) {
    if (s.empty() || s.size() > 96 || s[0] == '.') return false;
    for (char c : s)
        if (!name_char(c)) return false;
    return true;
}

bool valid_revision(const std::string& s) {
    if (s.empty() || s.size() > 128 || s[0] == '.' || s[0] == '/' || s.back() == '/' ||
        s.find("..") != std::string::npos || s.find("//") != std::string::npos)
        return false;
    for (char c : s)
        if (!name_char(c) && c != '/') return false;
    return true;
}

}  // namespace

std::string HubId::text() const { return revision == "main" ? repo : repo + "@" + revision; }

std::optional<HubId> parse_hub_id(const std::string& s) {
    const size_t at = s.find('@');
    const std::string repo = s.substr(0, at);
    const size_t slash = repo.find('/');
    if (slash == std::string::npos || repo.find('/', slash + 1) != std::string::npos) return std::nullopt;
    if (!valid_name(repo.substr(0, slash)) || !valid_name(repo.substr(slash + 1))) return std::nullopt;
    HubId id;
    id.repo = repo;
    if (at != std::string::npos) {
        id.revision = s.substr(at + 1);
        if (!valid_revision(id.revision)) return std::nullopt;
    }
    return id;
}

}  // namespace vitscope
