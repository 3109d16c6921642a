// A model on the Hugging Face Hub as users type it: "org/name" or "org/name@revision".
#pragma once

#include <optional>
#include <string>

namespace vitscope {

struct HubId {
    std::string repo;               // "org/name"
    std::string revision = "main";  // branch, tag or commit

    std::string text() const;  // "org/name" or "org/name@rev" (revision shown unless "main")
};

// `s` as a Hub id, or nullopt when it is not one: exactly one '/', both sides non-empty and made of
// letters, digits, '-', '_' and '.' (not starting with '.'); an optional "@revision" of the same
// characters plus '/' (no "..").
std::optional<HubId> parse_hub_id(const std::string& s);

}  // namespace vitscope
