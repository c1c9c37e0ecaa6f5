#include "core/text.h"

#include <limits>

namespace mnemo::text {
namespace {

// What strtoull/strtoll see in a token: the sign, the digits' magnitude and where they end.
struct Scan {
  std::uint64_t magnitude = 0;
  bool negative = false;
  bool overflow = false;  // more than 64 bits of magnitude: ERANGE for every caller
  bool digits = false;
  std::size_t end = 0;  // one past the last digit
};

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

Scan ScanDecimal(std::string_view s) {
  Scan scan;
  std::size_t i = 0;
  while (i < s.size() && IsSpace(s[i])) ++i;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) scan.negative = s[i++] == '-';
  const std::size_t first = i;
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    auto digit = static_cast<std::uint64_t>(s[i] - '0');
    if (scan.magnitude > (kMax - digit) / 10) scan.overflow = true;
    scan.magnitude = scan.magnitude * 10 + digit;
  }
  scan.digits = i > first;
  scan.end = i;
  return scan;
}

// safe_strto* accept a number followed by the end of the C string or by whitespace.
bool EndsCleanly(std::string_view s, const Scan& scan) {
  return scan.digits && (scan.end == s.size() || s[scan.end] == '\0' || IsSpace(s[scan.end]));
}

// The unsigned value strtoull returns: a leading '-' negates modulo 2^64.
std::optional<std::uint64_t> UnsignedValue(std::string_view token, const Scan& scan) {
  if (scan.overflow || !EndsCleanly(token, scan)) return std::nullopt;
  return scan.negative ? 0 - scan.magnitude : scan.magnitude;
}

bool HasMinus(std::string_view s) { return s.find('-') != std::string_view::npos; }

// The C string a token would be: everything before its first NUL.
std::string_view AsCString(std::string_view s) { return s.substr(0, s.find('\0')); }

}  // namespace

std::optional<Line> FindLine(std::string_view in) {
  std::size_t nl = in.find('\n');
  if (nl == std::string_view::npos) return std::nullopt;
  std::size_t end = nl;
  if (end > 0 && in[end - 1] == '\r') --end;
  return Line{in.substr(0, end), nl + 1};
}

std::string_view Tokenizer::Next() {
  std::size_t start = rest_.find_first_not_of(' ');
  if (start == std::string_view::npos) {
    rest_ = {};
    return {};
  }
  rest_.remove_prefix(start);
  std::size_t end = rest_.find(' ');
  std::string_view token = rest_.substr(0, end);
  rest_.remove_prefix(end == std::string_view::npos ? rest_.size() : end);
  return token;
}

std::string_view Tokenizer::Rest() {
  std::size_t start = rest_.find_first_not_of(' ');
  return start == std::string_view::npos ? std::string_view{} : rest_.substr(start);
}

bool Tokenizer::Done() { return Rest().empty(); }

std::size_t CountTokens(std::string_view line) {
  Tokenizer t(line);
  std::size_t n = 0;
  while (!t.Next().empty()) ++n;
  return n;
}

std::optional<std::uint64_t> ParseU64(std::string_view token) {
  Scan scan = ScanDecimal(token);
  std::optional<std::uint64_t> v = UnsignedValue(token, scan);
  // safe_strtoull looks for the '-' among the parsed bytes only.
  if (v && static_cast<std::int64_t>(*v) < 0 && HasMinus(token.substr(0, scan.end))) {
    return std::nullopt;
  }
  return v;
}

std::optional<std::uint32_t> ParseU32(std::string_view token) {
  std::optional<std::uint64_t> v = UnsignedValue(token, ScanDecimal(token));
  // safe_strtoul looks for the '-' in the whole string.
  if (v && static_cast<std::int64_t>(*v) < 0 && HasMinus(AsCString(token))) return std::nullopt;
  if (!v) return std::nullopt;
  return static_cast<std::uint32_t>(*v);
}

std::optional<std::int64_t> ParseI64(std::string_view token) {
  Scan scan = ScanDecimal(token);
  if (scan.overflow || !EndsCleanly(token, scan)) return std::nullopt;
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (scan.magnitude > kMax + (scan.negative ? 1 : 0)) return std::nullopt;  // ERANGE
  return scan.negative ? static_cast<std::int64_t>(0 - scan.magnitude)
                       : static_cast<std::int64_t>(scan.magnitude);
}

std::optional<std::int32_t> ParseI32(std::string_view token) {
  std::optional<std::int64_t> v = ParseI64(token);
  if (!v) return std::nullopt;
  return static_cast<std::int32_t>(*v);  // safe_strtol stores a long into an int32_t
}

}  // namespace mnemo::text
