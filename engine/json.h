// A small JSON reader: enough for safetensors headers and Hugging Face config.json files.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vitscope {

class JsonValue {
public:
    enum class Kind { Null, Bool, Number, String, Array, Object };

    JsonValue() = default;
    static JsonValue make_bool(bool b);
    static JsonValue make_number(double d);
    static JsonValue make_string(std::string s);
    static JsonValue make_array(std::vector<JsonValue> items);
    static JsonValue make_object(std::vector<std::pair<std::string, JsonValue>> members);

    Kind kind() const { return kind_; }
    bool is_null() const { return kind_ == Kind::Null; }
    bool is_bool() const { return kind_ == Kind::Bool; }
    bool is_number() const { return kind_ == Kind::Number; }
    bool is_string() const { return kind_ == Kind::String; }
    bool is_array() const { return kind_ == Kind::Array; }
    bool is_object() const { return kind_ == Kind::Object; }

    bool as_bool() const { return bool_; }
    double as_number() const { return number_; }
    // The number as an integer when it is one exactly (integral, |x| <= 2^53); nullopt otherwise.
    std::optional<int64_t> as_exact_integer() const;
    const std::string& as_string() const { return string_; }
    const std::vector<JsonValue>& items() const { return items_; }
    // Object members in file order.
    const std::vector<std::pair<std::string, JsonValue>>& members() const { return members_; }

    // Member lookup; nullptr when absent or when this is not an object.
    const JsonValue* find(std::string_view key) const;

    // Convenience lookups with a default for absent or mistyped members.
    double number_or(std::string_view key, double fallback) const;
    std::string string_or(std::string_view key, const std::string& fallback) const;

private:
    Kind kind_ = Kind::Null;
    bool bool_ = false;
    double number_ = 0.0;
    std::string string_;
    std::vector<JsonValue> items_;
    std::vector<std::pair<std::string, JsonValue>> members_;
};

// A parsed value costs ~100 bytes however short its text ("0,"): documents are bounded in values as
// well as in bytes, so a small file cannot ask for a tree many times its size.
constexpr size_t kJsonMaxValues = 1'000'000;

// Parses a complete JSON document of at most `max_values` values (numbers must be finite doubles).
// Throws std::runtime_error("<what> at byte <offset>") on error.
JsonValue parse_json(std::string_view text, size_t max_values = kJsonMaxValues);

// Escapes a string for embedding in JSON output (quotes included).
std::string json_quote(std::string_view s);

}  // namespace vitscope
