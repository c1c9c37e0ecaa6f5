// The value memcached 1.6.18 prints for the `t` return flag of mg and ma.
//
// 1.6.18 applies T (and, on an item the request has just created, N) while it walks the flags
// to render the reply, so `t` shows the TTL as of its own place in the request: `mg k t T30`
// reports the TTL from before the touch, `mg k T30 t` the new one. A created item starts
// without a TTL until its N is reached. memcached computes the TTL as a difference of unsigned
// 32-bit times on its own clock, which counts seconds since the process started plus 62; a T
// or N that puts the deadline in the past therefore prints a huge number that depends on the
// server's uptime (1.6.18 pins every deadline at or before its start to its second 1).
//
// Internal to libmnemo. Thread safety: pure functions.
#pragma once

#include <cstdint>

#include "mnemo/protocol/request.h"

namespace mnemo::meta {

// Time as 1.6.18's TTL arithmetic needs it.
struct TtlClock {
  std::int64_t now = 0;     // unix seconds of the engine's clock
  std::int64_t uptime = 0;  // seconds the server has been up; read only for a past deadline
};

// Whether TtlFlagValue() reads clock.uptime for this request: it has a `t` flag after a T or N
// whose exptime is negative or an absolute time not after `now`. Callers that must ask for
// the uptime (it is not free) ask only then.
bool TtlNeedsUptime(const Request& request, std::int64_t now);

// What `t` prints for `request`. `deadline_before`: the item's deadline (unix seconds, 0 =
// never) when the request began; `created`: the request created the item (mg N, ma N).
std::int64_t TtlFlagValue(const Request& request, std::int64_t deadline_before, bool created,
                          const TtlClock& clock);

}  // namespace mnemo::meta
