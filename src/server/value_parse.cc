#include "server/value_parse.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

namespace mnemo::server {
namespace {

template <class T>
std::optional<T> FromChars(std::string_view text) {
  T value{};
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

}  // namespace

std::optional<std::int64_t> ParseInt(std::string_view text) {
  return FromChars<std::int64_t>(text);
}

std::optional<std::uint64_t> ParseUint(std::string_view text) {
  return FromChars<std::uint64_t>(text);  // from_chars rejects any sign for unsigned types
}

std::optional<std::uint32_t> ParseUint32(std::string_view text, std::uint32_t scale) {
  std::optional<std::uint64_t> value = ParseUint(text);
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint32_t>::max();
  if (!value || scale == 0 || *value > kMax / scale) return std::nullopt;
  return static_cast<std::uint32_t>(*value * scale);
}

std::optional<double> ParseDouble(std::string_view text) {
  std::optional<double> value = FromChars<double>(text);
  if (!value || !std::isfinite(*value)) return std::nullopt;
  return value;
}

std::optional<std::uint32_t> ParseOctal(std::string_view text) {
  std::uint32_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value, 8);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::optional<std::uint64_t> ParseSize(std::string_view text, std::string_view suffixes) {
  std::uint64_t multiplier = 1;
  if (!text.empty()) {
    std::size_t at = suffixes.find(text.back());
    if (at != std::string_view::npos) {
      for (std::size_t step = 0; step <= at / 2; ++step) multiplier *= 1024;
      text.remove_suffix(1);
    }
  }
  std::optional<std::uint64_t> value = ParseUint(text);
  if (!value || *value > std::numeric_limits<std::uint64_t>::max() / multiplier) {
    return std::nullopt;
  }
  return *value * multiplier;
}

}  // namespace mnemo::server
