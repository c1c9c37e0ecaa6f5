#include "mnemo/item_rules.h"

#include <string>

#include "core/text.h"

namespace mnemo {

std::int64_t ToDeadline(std::int64_t exptime, std::int64_t now) {
  if (exptime == 0) return 0;
  // Any deadline in the past works; 1 keeps "already expired" distinct from "never" (0).
  if (exptime < 0) return 1;
  if (exptime > kMaxRelativeExptime) return exptime <= now ? 1 : exptime;
  return now + exptime;
}

std::optional<std::uint64_t> ParseCounter(std::string_view value) {
  // memcached runs safe_strtoull over the stored bytes, which its \r\n terminates: the same
  // rules as a numeric token, so an empty or all-blank value is non-numeric too.
  return text::ParseU64(value);
}

std::string FormatCounter(std::uint64_t number, std::size_t old_length) {
  std::string digits = std::to_string(number);
  if (digits.size() < old_length) digits.append(old_length - digits.size(), ' ');
  return digits;
}

}  // namespace mnemo
