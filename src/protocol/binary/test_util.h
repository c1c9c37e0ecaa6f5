// Helpers for the binary protocol tests: packets laid out byte by byte (independently of the
// library's encoders, so the tests check the encoders instead of repeating them), a hex dump
// for readable failures, and a parse-everything helper. Engine-free, so the parser tests link
// no engine; the handler fixture is in tests/protocol/binary/handler_test_util.h. Test-only.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fragments.h"
#include "mnemo/protocol/binary.h"

namespace mnemo::binary::test {

inline std::string Be16(std::uint16_t v) {
  return {static_cast<char>(v >> 8), static_cast<char>(v & 0xff)};
}
inline std::string Be32(std::uint32_t v) {
  return Be16(static_cast<std::uint16_t>(v >> 16)) + Be16(static_cast<std::uint16_t>(v));
}
inline std::string Be64(std::uint64_t v) {
  return Be32(static_cast<std::uint32_t>(v >> 32)) + Be32(static_cast<std::uint32_t>(v));
}

// One packet; the optional lengths override the ones computed from the parts (bad packets).
struct Raw {
  std::uint8_t magic = kRequestMagic;
  std::uint8_t opcode = 0;
  std::string extras;
  std::string key;
  std::string value;
  std::uint16_t status = 0;  // vbucket in a request
  std::uint32_t opaque = 0;
  std::uint64_t cas = 0;
  std::uint8_t data_type = 0;
  std::optional<std::uint16_t> key_length;
  std::optional<std::uint8_t> extras_length;
  std::optional<std::uint32_t> body_length;

  std::string Bytes() const {
    std::string out;
    out += static_cast<char>(magic);
    out += static_cast<char>(opcode);
    out += Be16(key_length.value_or(static_cast<std::uint16_t>(key.size())));
    out += static_cast<char>(extras_length.value_or(static_cast<std::uint8_t>(extras.size())));
    out += static_cast<char>(data_type);
    out += Be16(status);
    out += Be32(body_length.value_or(
        static_cast<std::uint32_t>(extras.size() + key.size() + value.size())));
    out += Be32(opaque);
    out += Be64(cas);
    return out + extras + key + value;
  }
};

inline std::string Req(Opcode op, std::string_view key = {}, std::string_view extras = {},
                       std::string_view value = {}, std::uint32_t opaque = 0,
                       std::uint64_t cas = 0) {
  return Raw{kRequestMagic,
             static_cast<std::uint8_t>(op),
             std::string(extras),
             std::string(key),
             std::string(value),
             0,
             opaque,
             cas}
      .Bytes();
}

inline std::string Resp(Opcode op, Status status, std::string_view extras = {},
                        std::string_view key = {}, std::string_view value = {},
                        std::uint32_t opaque = 0, std::uint64_t cas = 0) {
  return Raw{kResponseMagic,
             static_cast<std::uint8_t>(op),
             std::string(extras),
             std::string(key),
             std::string(value),
             static_cast<std::uint16_t>(status),
             opaque,
             cas}
      .Bytes();
}

// An error response as memcached sends it: the status text as the value, CAS 0.
inline std::string ErrorResp(Opcode op, Status status, std::string_view text,
                             std::uint32_t opaque = 0) {
  return Resp(op, status, {}, {}, text, opaque);
}

inline std::string StoreExtras(std::uint32_t flags, std::uint32_t exptime) {
  return Be32(flags) + Be32(exptime);
}
inline std::string ArithExtras(std::uint64_t delta, std::uint64_t initial, std::uint32_t exptime) {
  return Be64(delta) + Be64(initial) + Be32(exptime);
}

// Space-separated hex bytes with a '|' between packets (as their headers announce them), so
// that a mismatch shows which packet differs.
inline std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  std::size_t next_packet = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == next_packet) {
      if (i > 0) out += " |";
      if (bytes.size() - i >= kHeaderSize) {
        std::uint32_t body = 0;
        for (std::size_t b = 8; b < 12; ++b) {
          body = (body << 8) | static_cast<unsigned char>(bytes[i + b]);
        }
        next_packet = i + kHeaderSize + body;
      }
    }
    const auto b = static_cast<unsigned char>(bytes[i]);
    if (i > 0) out += ' ';
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
  return out;
}

// Parses a request stream at a fragment size with the default limits (or `limits`).
inline std::vector<mnemo::testing::Parsed> ParseAll(std::string_view input, std::size_t fragment,
                                                    ParserLimits limits = {}) {
  return mnemo::testing::ParseStream(input, fragment, [&](std::string_view in, Request& out) {
    return ParseRequest(in, limits, out);
  });
}

}  // namespace mnemo::binary::test
