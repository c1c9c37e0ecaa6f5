// Strict readers for option values: the whole text must be the number, so that a typo is an
// error instead of the silent 0 that memcached's atoi() gives. Each returns nullopt when the
// text is not a number of the wanted kind or does not fit.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace mnemo::server {

// Decimal, optional leading '-'.
std::optional<std::int64_t> ParseInt(std::string_view text);
// Decimal, no sign.
std::optional<std::uint64_t> ParseUint(std::string_view text);
// Decimal, no sign, <= UINT32_MAX, times `scale` (kilobytes to bytes...) also <= UINT32_MAX.
std::optional<std::uint32_t> ParseUint32(std::string_view text, std::uint32_t scale = 1);
// A finite decimal floating-point number ("1.25", "0.5", "1e2").
std::optional<double> ParseDouble(std::string_view text);
// Octal digits only ("700", "0644").
std::optional<std::uint32_t> ParseOctal(std::string_view text);
// A byte count with an optional binary suffix among `suffixes` (e.g. "kKmM" or "kKmMgGtTpP";
// k = 1024, each next letter pair another 1024).
std::optional<std::uint64_t> ParseSize(std::string_view text, std::string_view suffixes);

}  // namespace mnemo::server
