// JSON rendering of stored bytes: UTF-8 text as a string, anything else base64-encoded, so
// that --json output is always valid JSON and never loses a byte.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "commands.h"
#include "mnemo/protocol/base64.h"

namespace mclient {
namespace {

// Length of the UTF-8 sequence at `s[i]`, or 0 when it is malformed.
std::size_t Utf8Length(std::string_view s, std::size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  const std::size_t n = b < 0x80           ? 1
                        : (b >> 5) == 0x6  ? 2
                        : (b >> 4) == 0xE  ? 3
                        : (b >> 3) == 0x1E ? 4
                                           : 0;
  if (n == 0 || i + n > s.size() || (n == 2 && b < 0xC2)) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return 0;
  }
  return n;
}

}  // namespace

std::optional<std::string> JsonString(std::string_view bytes) {
  std::string out = "\"";
  for (std::size_t i = 0; i < bytes.size();) {
    const std::size_t n = Utf8Length(bytes, i);
    if (n == 0) return std::nullopt;
    const char c = bytes[i];
    if (n > 1) {
      out.append(bytes.substr(i, n));
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04x", static_cast<unsigned>(c));
      out += escaped;
    } else {
      out += c;
    }
    i += n;
  }
  return out + "\"";
}

std::string JsonBytes(std::string_view bytes) {
  if (auto text = JsonString(bytes)) return *text;
  std::vector<char> encoded(mnemo::base64::EncodedSize(bytes.size()));
  const auto size = mnemo::base64::Encode(bytes, encoded).value_or(0);
  return "{\"base64\": \"" + std::string(encoded.data(), size) + "\"}";
}

}  // namespace mclient
