#include "meta/ttl.h"

#include <optional>

#include "core/text.h"
#include "mnemo/item_rules.h"

namespace mnemo::meta {
namespace {

// memcached starts its clock at ITEM_UPDATE_INTERVAL + 2 seconds, so that times just after
// start are never mistaken for "never expires" (0) or its "already expired" second (1).
constexpr std::int64_t kClockAtStart = 62;

// 1.6.18 prints the difference of two unsigned 32-bit times.
std::int64_t Wrapped(std::int64_t seconds) { return static_cast<std::uint32_t>(seconds); }

// The wire exptime (as T or N carry it) of the last T, or N on a created item, that comes
// before the `t` flag; nullopt when none does.
std::optional<std::int64_t> ExptimeBeforeT(const Request& request, bool created) {
  const MetaFlags& m = request.meta;
  std::optional<std::int64_t> exptime;
  text::Tokenizer tokens(m.tokens);
  for (std::string_view token = tokens.Next(); !token.empty(); token = tokens.Next()) {
    if (token[0] == 't') return exptime;
    if (token[0] == 'T') exptime = m.ttl;
    if (token[0] == 'N' && created) exptime = m.vivify_ttl;
  }
  return std::nullopt;  // no `t` at all
}

// An exptime memcached maps to its second 1, or to a time already past.
bool IsPast(std::int64_t exptime, std::int64_t now) {
  return exptime < 0 || (exptime > kMaxRelativeExptime && exptime <= now);
}

std::int64_t TtlOfExptime(std::int64_t exptime, const TtlClock& clock) {
  if (exptime == 0) return -1;
  if (!IsPast(exptime, clock.now)) {
    return exptime > kMaxRelativeExptime ? exptime - clock.now : exptime;
  }
  const std::int64_t current = clock.uptime + kClockAtStart;  // memcached's current_time
  const std::int64_t started = clock.now - current;           // its process_started
  // A negative exptime counts as 30 days and a second, an absolute time in 1970.
  if (exptime > started) return Wrapped(exptime - clock.now);
  return Wrapped(1 - current);
}

}  // namespace

bool TtlNeedsUptime(const Request& request, std::int64_t now) {
  // Whether the item will have been created is not known yet: check both cases.
  for (bool created : {false, true}) {
    std::optional<std::int64_t> exptime = ExptimeBeforeT(request, created);
    if (exptime && IsPast(*exptime, now)) return true;
  }
  return false;
}

std::int64_t TtlFlagValue(const Request& request, std::int64_t deadline_before, bool created,
                          const TtlClock& clock) {
  std::optional<std::int64_t> exptime = ExptimeBeforeT(request, created);
  if (exptime) return TtlOfExptime(*exptime, clock);
  if (created || deadline_before == 0) return -1;
  return deadline_before - clock.now;
}

}  // namespace mnemo::meta
