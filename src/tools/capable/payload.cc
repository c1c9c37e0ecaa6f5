#include "tools/capable/payload.h"

#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <string_view>
#include <utility>

namespace mnemo::compat {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> HexBytes(std::string_view digits) {
  std::string out;
  int high = -1;
  for (char c : digits) {
    if (c == '_' || c == ' ') continue;
    int d = HexDigit(c);
    if (d < 0) return Error{"bad hex digit '" + std::string(1, c) + "'"};
    if (high < 0) {
      high = d;
    } else {
      out += static_cast<char>(high * 16 + d);
      high = -1;
    }
  }
  if (high >= 0) return Error{"odd number of hex digits"};
  return out;
}

std::optional<std::string> VariableName(std::string_view token) {
  if (token.size() > 3 && token.starts_with("${") && token.ends_with("}")) {
    return std::string(token.substr(2, token.size() - 3));
  }
  return std::nullopt;
}

Result<std::uint64_t> ParseNumber(const std::string& text) {
  if (text.empty()) return Error{"empty number"};
  char* end = nullptr;
  std::uint64_t value = std::strtoull(text.c_str(), &end, 0);
  if (end != text.c_str() + text.size()) return Error{"bad number '" + text + "'"};
  return value;
}

void PutBigEndian(std::string* out, std::uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

Result<std::string> LiteralString(const std::string& token) {
  Result<std::vector<Segment>> segments = DecodeQuoted(token);
  if (!segments.ok()) return segments.error();
  std::string out;
  for (const Segment& s : *segments) {
    if (!s.variable.empty()) return Error{"variables are not allowed in packet key/value"};
    out += s.bytes;
  }
  return out;
}

struct Fields {
  std::map<std::string, std::string> values;
  std::uint64_t Number(const std::string& name, std::uint64_t fallback, std::string* error) const {
    auto it = values.find(name);
    if (it == values.end()) return fallback;
    Result<std::uint64_t> n = ParseNumber(it->second);
    if (!n.ok()) *error = name + ": " + n.error().message;
    return n.ok() ? *n : 0;
  }
};

constexpr std::string_view kFieldNames[] = {"magic",    "op",      "keylen",  "extlen",
                                            "datatype", "vbucket", "bodylen", "opaque",
                                            "cas",      "key",     "value",   "extras"};

Result<Fields> SplitFields(const std::vector<std::string>& tokens) {
  Fields fields;
  for (const std::string& token : tokens) {
    std::size_t eq = token.find('=');
    std::string name = token.substr(0, eq);
    bool known = false;
    for (std::string_view f : kFieldNames) known = known || f == name;
    if (eq == std::string::npos || !known) return Error{"bad packet field '" + token + "'"};
    if (!fields.values.emplace(name, token.substr(eq + 1)).second) {
      return Error{"packet field given twice: " + name};
    }
  }
  if (!fields.values.contains("op")) return Error{"packet needs op="};
  return fields;
}

// The byte of the escape sequence whose backslash is at s[*i]; leaves *i on its last character.
Result<char> DecodeEscape(std::string_view s, std::size_t* i) {
  if (++*i >= s.size()) return Error{"backslash at end of string"};
  switch (s[*i]) {
    case 'r':
      return '\r';
    case 'n':
      return '\n';
    case 't':
      return '\t';
    case '0':
      return '\0';
    case '\\':
    case '"':
    case '$':
      return s[*i];
    case 'x': {
      if (*i + 2 >= s.size() || HexDigit(s[*i + 1]) < 0 || HexDigit(s[*i + 2]) < 0) {
        return Error{"\\x needs two hex digits"};
      }
      char c = static_cast<char>(HexDigit(s[*i + 1]) * 16 + HexDigit(s[*i + 2]));
      *i += 2;
      return c;
    }
    default:
      return Error{std::string("unknown escape \\") + s[*i]};
  }
}

}  // namespace

Result<std::vector<Segment>> DecodeQuoted(const std::string& token) {
  if (token.size() < 2 || token.front() != '"' || token.back() != '"') {
    return Error{"expected a \"quoted string\", got " + token};
  }
  std::vector<Segment> segments(1);
  std::string_view s(token.data() + 1, token.size() - 2);
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '$' && i + 1 < s.size() && s[i + 1] == '{') {
      std::size_t close = s.find('}', i);
      if (close == std::string_view::npos) return Error{"unterminated ${"};
      segments.push_back(Segment{"", std::string(s.substr(i + 2, close - i - 2))});
      segments.push_back(Segment{});
      i = close;
      continue;
    }
    if (c != '\\') {
      segments.back().bytes += c;
      continue;
    }
    Result<char> escaped = DecodeEscape(s, &i);
    if (!escaped.ok()) return escaped.error();
    segments.back().bytes += *escaped;
  }
  std::erase_if(segments, [](const Segment& x) { return x.bytes.empty() && x.variable.empty(); });
  return segments;
}

Result<std::vector<Segment>> DecodeHex(const std::vector<std::string>& tokens) {
  if (tokens.empty()) return Error{"hex takes hex digits"};
  std::vector<Segment> segments;
  for (const std::string& token : tokens) {
    if (std::optional<std::string> name = VariableName(token)) {
      segments.push_back(Segment{"", *name});
      continue;
    }
    Result<std::string> bytes = HexBytes(token);
    if (!bytes.ok()) return bytes.error();
    if (segments.empty() || !segments.back().variable.empty()) segments.emplace_back();
    segments.back().bytes += *bytes;
  }
  return segments;
}

Result<std::vector<Segment>> BuildPacket(const std::vector<std::string>& tokens) {
  Result<Fields> fields = SplitFields(tokens);
  if (!fields.ok()) return fields.error();
  const auto& v = fields->values;
  std::string key, value, extras;
  if (v.contains("key")) {
    Result<std::string> s = LiteralString(v.at("key"));
    if (!s.ok()) return s.error();
    key = *s;
  }
  if (v.contains("value")) {
    Result<std::string> s = LiteralString(v.at("value"));
    if (!s.ok()) return s.error();
    value = *s;
  }
  if (v.contains("extras")) {
    Result<std::string> s = HexBytes(v.at("extras"));
    if (!s.ok()) return s.error();
    extras = *s;
  }
  std::string error;
  std::string head;
  PutBigEndian(&head, fields->Number("magic", 0x80, &error), 1);
  PutBigEndian(&head, fields->Number("op", 0, &error), 1);
  PutBigEndian(&head, fields->Number("keylen", key.size(), &error), 2);
  PutBigEndian(&head, fields->Number("extlen", extras.size(), &error), 1);
  PutBigEndian(&head, fields->Number("datatype", 0, &error), 1);
  PutBigEndian(&head, fields->Number("vbucket", 0, &error), 2);
  std::size_t body = extras.size() + key.size() + value.size();
  PutBigEndian(&head, fields->Number("bodylen", body, &error), 4);
  PutBigEndian(&head, fields->Number("opaque", 0, &error), 4);
  std::vector<Segment> segments{Segment{std::move(head), ""}};
  std::optional<std::string> cas_var = v.contains("cas") ? VariableName(v.at("cas")) : std::nullopt;
  if (cas_var) {
    segments.push_back(Segment{"", *cas_var});
    segments.emplace_back();
  } else {
    PutBigEndian(&segments.back().bytes, fields->Number("cas", 0, &error), 8);
  }
  if (!error.empty()) return Error{error};
  segments.back().bytes += extras + key + value;
  return segments;
}

}  // namespace mnemo::compat
