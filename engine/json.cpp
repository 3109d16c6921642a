#include "json.h"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace vitscope {

JsonValue JsonValue::make_bool(bool b) { JsonValue v; v.kind_ = Kind::Bool; v.bool_ = b; return v; }
JsonValue JsonValue::make_number(double d) { JsonValue v; v.kind_ = Kind::Number; v.number_ = d; return v; }
JsonValue JsonValue::make_string(std::string s) { JsonValue v; v.kind_ = Kind::String; v.string_ = std::move(s); return v; }
JsonValue JsonValue::make_array(std::vector<JsonValue> items) {
    JsonValue v; v.kind_ = Kind::Array; v.items_ = std::move(items); return v;
}
JsonValue JsonValue::make_object(std::vector<std::pair<std::string, JsonValue>> members) {
    JsonValue v; v.kind_ = Kind::Object; v.members_ = std::move(members); return v;
}

const JsonValue* JsonValue::find(std::string_view key) const {
    if (kind_ != Kind::Object) return nullptr;
    for (const auto& [k, v] : members_)
        if (k == key) return &v;
    return nullptr;
}

std::optional<int64_t> JsonValue::as_exact_integer() const {
    constexpr double kMaxExact = 9007199254740992.0;  // 2^53: every integer up to here is a double
    if (kind_ != Kind::Number || !(std::fabs(number_) <= kMaxExact) || number_ != std::floor(number_))
        return std::nullopt;
    return int64_t(number_);
}

double JsonValue::number_or(std::string_view key, double fallback) const {
    const JsonValue* v = find(key);
    return (v && v->is_number()) ? v->as_number() : fallback;
}

std::string JsonValue::string_or(std::string_view key, const std::string& fallback) const {
    const JsonValue* v = find(key);
    return (v && v->is_string()) ? v->as_string() : fallback;
}

namespace {

class Parser {
public:
    Parser(std::string_view text, size_t max_values) : text_(text), max_values_(max_values) {}

    JsonValue parse_document() {
        skip_space();
        JsonValue v = parse_value(0);
        skip_space();
        if (pos_ != text_.size()) fail("unexpected trailing characters");
        return v;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw std::runtime_error(what + " at byte " + std::to_string(pos_));
    }

    void skip_space() {
        while (pos_ < text_.size() &&
               (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r'))
            ++pos_;
    }

    char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

    void expect(char c) {
        if (peek() != c) fail(std::string("expected '") + c + "'");
        ++pos_;
    }

    void expect_word(std::string_view w) {
        if (text_.substr(pos_, w.size()) != w) fail("invalid literal");
        pos_ += w.size();
    }

    JsonValue parse_value(int depth) {
        if (depth > 64) fail("nesting too deep");
        if (++values_ > max_values_) fail("more than " + std::to_string(max_values_) + " values");
        if (pos_ >= text_.size()) fail("unexpected end of text");
        switch (peek()) {
        case '{': return parse_object(depth);
        case '[': return parse_array(depth);
        case '"': return JsonValue::make_string(parse_string());
        case 't': expect_word("true"); return JsonValue::make_bool(true);
        case 'f': expect_word("false"); return JsonValue::make_bool(false);
        case 'n': expect_word("null"); return JsonValue();
        default: return JsonValue::make_number(parse_number());
        }
    }

    JsonValue parse_object(int depth) {
        expect('{');
        std::vector<std::pair<std::string, JsonValue>> members;
        skip_space();
        if (peek() == '}') { ++pos_; return JsonValue::make_object(std::move(members)); }
        for (;;) {
            skip_space();
            if (peek() != '"') fail("expected a string key");
            std::string key = parse_string();
            skip_space();
            expect(':');
            skip_space();
            members.emplace_back(std::move(key), parse_value(depth + 1));
            skip_space();
            if (peek() == ',') { ++pos_; continue; }
            expect('}');
            return JsonValue::make_object(std::move(members));
        }
    }

    JsonValue parse_array(int depth) {
        expect('[');
        std::vector<JsonValue> items;
        skip_space();
        if (peek() == ']') { ++pos_; return JsonValue::make_array(std::move(items)); }
        for (;;) {
            skip_space();
            items.push_back(parse_value(depth + 1));
            skip_space();
            if (peek() == ',') { ++pos_; continue; }
            expect(']');
            return JsonValue::make_array(std::move(items));
        }
    }

    static void append_utf8(std::string& out, uint32_t cp) {
        if (cp < 0x80) {
            out += char(cp);
        } else if (cp < 0x800) {
            out += char(0xC0 | (cp >> 6));
            out += char(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += char(0xE0 | (cp >> 12));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        } else {
            out += char(0xF0 | (cp >> 18));
            out += char(0x80 | ((cp >> 12) & 0x3F));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        }
    }

    uint32_t parse_hex4() {
        if (pos_ + 4 > text_.size()) fail("truncated \\u escape");
        uint32_t v = 0;
        for (int i = 0; i < 4; ++i) {
            char c = text_[pos_++];
            v <<= 4;
            if (c >= '0' && c <= '9') v |= uint32_t(c - '0');
            else if (c >= 'a' && c <= 'f') v |= uint32_t(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F') v |= uint32_t(c - 'A' + 10);
            else fail("invalid \\u escape");
        }
        return v;
    }

    std::string parse_string() {
        expect('"');
        std::string out;
        for (;;) {
            if (pos_ >= text_.size()) fail("unterminated string");
            char c = text_[pos_++];
            if (c == '"') return out;
            if (static_cast<unsigned char>(c) < 0x20) fail("control character in string");
            if (c != '\\') { out += c; continue; }
            if (pos_ >= text_.size()) fail("unterminated string");
            char e = text_[pos_++];
            switch (e) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': {
                uint32_t cp = parse_hex4();
                if (cp >= 0xD800 && cp < 0xDC00 && text_.substr(pos_, 2) == "\\u") {
                    pos_ += 2;
                    uint32_t lo = parse_hex4();
                    if (lo < 0xDC00 || lo > 0xDFFF) fail("invalid surrogate pair");
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                }
                append_utf8(out, cp);
                break;
            }
            default: fail("invalid escape");
            }
        }
    }

    double parse_number() {
        size_t start = pos_;
        if (peek() == '-') ++pos_;
        while (pos_ < text_.size()) {
            char c = text_[pos_];
            if ((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') ++pos_;
            else break;
        }
        if (start == pos_ || (pos_ == start + 1 && text_[start] == '-')) fail("unexpected character");
        std::string token(text_.substr(start, pos_ - start));
        char* end = nullptr;
        double v = std::strtod(token.c_str(), &end);
        if (end != token.c_str() + token.size()) { pos_ = start; fail("invalid number"); }
        if (!std::isfinite(v)) { pos_ = start; fail("number out of range"); }
        return v;
    }

    std::string_view text_;
    size_t pos_ = 0;
    size_t max_values_;
    size_t values_ = 0;
};

}  // namespace

JsonValue parse_json(std::string_view text, size_t max_values) { return Parser(text, max_values).parse_document(); }

std::string json_quote(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += c;
            }
        }
    }
    out += '"';
    return out;
}

}  // namespace vitscope
