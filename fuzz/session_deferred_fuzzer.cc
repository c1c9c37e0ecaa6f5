// Deferred-call fuzzer: arbitrary bytes (any mix of classic, meta and binary, valid or not)
// through two Sessions over twin MapEngines with the same fixed clock. One calls its engine
// directly (kMayBlock); the other is driven as a host with AsyncCalls drives it: its engine
// answers no TryGet, so every call is captured by a kNonBlocking Process, made afterwards
// (PendingCall::RunOn) and replayed (tests/support/deferred_session.h). Invariants: the same
// reply bytes, the same command counters, the same closing; no blocking engine call during a
// kNonBlocking Process; and replay always makes progress. The read size comes from the input.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "deferred_session.h"
#include "engines/map/map_engine.h"
#include "mnemo/session.h"

namespace {

class FixedClock final : public mnemo::Clock {
 public:
  std::int64_t Now() const override { return 1'700'000'000; }
};

void Check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "session_deferred_fuzzer: %s\n", what);
  std::abort();
}

// The direct session, fed as the deferred one is: same reads, kMayBlock until no progress.
std::string FeedDirect(mnemo::Session& session, std::string_view input, std::size_t fragment) {
  std::string buffer, output;
  for (std::size_t fed = 0; fed < input.size() && !session.closing();) {
    const std::size_t n = std::min(fragment, input.size() - fed);
    buffer.append(input.substr(fed, n));
    fed += n;
    std::size_t used;
    do {
      used = session.Process(buffer, output);
      Check(used <= buffer.size(), "consumed more than given");
      buffer.erase(0, used);
    } while (used > 0 && !buffer.empty() && !session.closing());
  }
  return output;
}

bool SameCounters(const mnemo::CommandCounters& a, const mnemo::CommandCounters& b) {
  return a.cmd_get == b.cmd_get && a.cmd_set == b.cmd_set && a.cmd_flush == b.cmd_flush &&
         a.cmd_touch == b.cmd_touch && a.cmd_meta == b.cmd_meta && a.get_hits == b.get_hits &&
         a.get_misses == b.get_misses && a.get_expired == b.get_expired &&
         a.get_flushed == b.get_flushed && a.delete_hits == b.delete_hits &&
         a.delete_misses == b.delete_misses && a.incr_hits == b.incr_hits &&
         a.incr_misses == b.incr_misses && a.decr_hits == b.decr_hits &&
         a.decr_misses == b.decr_misses && a.cas_hits == b.cas_hits &&
         a.cas_misses == b.cas_misses && a.cas_badval == b.cas_badval &&
         a.touch_hits == b.touch_hits && a.touch_misses == b.touch_misses &&
         a.store_too_large == b.store_too_large && a.store_no_memory == b.store_no_memory &&
         a.auth_cmds == b.auth_cmds && a.auth_errors == b.auth_errors &&
         a.bytes_read == b.bytes_read && a.bytes_written == b.bytes_written;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t fragment = data[0] % 16 == 0 ? size : data[0] % 16;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  FixedClock clock;
  mnemo::SessionConfig config;
  config.item_size_max = 4096;
  const mnemo::MapEngineConfig engine_config{config.item_size_max};
  mnemo::MapEngine direct_engine(clock, engine_config), deferred_map(clock, engine_config);
  mnemo::testing::NoTryEngine deferred_engine(deferred_map);
  mnemo::CommandCounters direct_counters, deferred_counters;
  mnemo::Session direct(direct_engine, config, direct_counters);
  mnemo::Session deferred(deferred_engine, config, deferred_counters);
  const std::string want = FeedDirect(direct, input, fragment);
  mnemo::testing::DeferredStats stats;
  const std::string got =
      mnemo::testing::FeedDeferred(deferred, deferred_engine, input, fragment, stats);
  Check(!stats.runaway, "replay made no progress");
  Check(deferred_engine.blocking_calls_while_non_blocking == 0, "blocking call while deferring");
  Check(got == want, "replies differ");
  Check(SameCounters(deferred_counters, direct_counters), "counters differ");
  Check(deferred.closing() == direct.closing(), "closing differs");
  return 0;
}
