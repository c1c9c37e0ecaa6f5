// Helpers shared by the classic ASCII and meta text parsers: line framing, space-separated
// tokens, and numbers read with the same acceptance rules as memcached's safe_strto* helpers.
// Internal to libmnemo. Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace mnemo::text {

// One command line: `line` excludes the terminator (\r\n or a bare \n); `length` includes it.
struct Line {
  std::string_view line;
  std::size_t length = 0;
};

// Finds the first complete line in `in`. Returns nullopt when no \n has arrived yet.
std::optional<Line> FindLine(std::string_view in);

// Splits on the space character only (memcached does not treat tabs as separators); runs of
// spaces produce no empty tokens.
class Tokenizer {
 public:
  explicit Tokenizer(std::string_view line) : rest_(line) {}
  // Next token, or an empty view when none are left.
  std::string_view Next();
  // Everything not yet returned, leading spaces removed.
  std::string_view Rest();
  bool Done();

 private:
  std::string_view rest_;
};

// Counts tokens as Tokenizer would return them.
std::size_t CountTokens(std::string_view line);

// memcached's numeric token rules (its safe_strto* helpers over the strtoul family): optional
// leading whitespace, an optional sign, decimal digits, then the end of the token, a NUL or a
// whitespace byte (whatever follows that is ignored: "1\tx" reads as 1). A '-' on an unsigned
// value is rejected when the result would be negative as a signed number. Values outside the
// 64-bit range are rejected (ERANGE); ParseU32 and ParseI32 truncate a value that fits in 64
// bits, as memcached 1.6.18 does for client flags, exptimes and lengths.
std::optional<std::uint64_t> ParseU64(std::string_view token);
std::optional<std::uint32_t> ParseU32(std::string_view token);
std::optional<std::int64_t> ParseI64(std::string_view token);
std::optional<std::int32_t> ParseI32(std::string_view token);

}  // namespace mnemo::text
