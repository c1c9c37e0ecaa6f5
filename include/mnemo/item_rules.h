// memcached's item rules that every engine must apply the same way: exptime conversion,
// the decimal counter format of incr/decr, CAS comparison, access-time refresh and the item
// size limit.
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mnemo {

// exptime values above this many seconds are absolute unix times (memcached's 30 days).
inline constexpr std::int64_t kMaxRelativeExptime = 60 * 60 * 24 * 30;

// Converts a wire exptime to an absolute deadline in unix seconds: 0 stays 0 (never expires);
// negative or absolute-in-the-past values give a deadline that has already passed.
std::int64_t ToDeadline(std::int64_t exptime, std::int64_t now);

// An item with this deadline is expired at `now` (memcached: exptime != 0 && exptime <= now).
inline bool IsExpired(std::int64_t deadline, std::int64_t now) {
  return deadline != 0 && deadline <= now;
}

// memcached refreshes the access time of an item it does not fetch (add on a live key, an
// in-place incr) only when the time is older than this (ITEM_UPDATE_INTERVAL), to save LRU work.
inline constexpr std::int64_t kAccessUpdateInterval = 60;

// How a request's compare_cas relates to the stored item's CAS (memcached's do_store_item).
enum class CasCheck : std::uint8_t { kNone, kMatch, kStale, kBad };

inline CasCheck CompareCas(std::uint64_t wanted, std::uint64_t stored, bool allow_stale) {
  if (wanted == 0) return CasCheck::kNone;
  if (wanted == stored) return CasCheck::kMatch;
  // meta I: a writer holding an older CAS may still store, but only as a stale item.
  if (allow_stale && wanted < stored) return CasCheck::kStale;
  return CasCheck::kBad;
}

// Reads a stored value as incr/decr do: optional leading whitespace, decimal digits, and then
// the end or whitespace (memcached pads shortened counters with spaces). Returns nullopt for
// anything else, for an empty value and for values over 2^64-1. Like memcached's strtoull it
// also takes a sign: "+5" is 5 and "-0" is 0, while "-1" is rejected.
std::optional<std::uint64_t> ParseCounter(std::string_view value);

// The bytes incr/decr store: the decimal number, space-padded to old_length when it is shorter
// (memcached rewrites such values in place).
std::string FormatCounter(std::uint64_t number, std::size_t old_length);

// memcached's per-item size: its 48-byte header, 8 bytes of CAS, the key with a NUL, the
// value with its \r\n, and 4 bytes for nonzero client flags (memcached omits a zero flags
// suffix). An item fits when this is at most the item size limit (-I).
inline std::size_t MemcachedItemSize(std::size_t key_length, std::size_t value_length,
                                     std::uint32_t client_flags = 0) {
  return 48 + 8 + key_length + 1 + value_length + 2 + (client_flags != 0 ? 4 : 0);
}
inline bool ItemFits(std::size_t key_length, std::size_t value_length, std::size_t item_size_max,
                     std::uint32_t client_flags = 0) {
  return MemcachedItemSize(key_length, value_length, client_flags) <= item_size_max;
}

}  // namespace mnemo
