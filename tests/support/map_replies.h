// The reference replies of session-level tests: what a fresh Session over a fresh MapEngine
// answers to some input, fed at once. Tests of other paths (a server, deferred calls) compare
// their replies with these.
// Test-only. Thread safety: each call builds and uses its own session and engine.
#pragma once

#include <string>
#include <string_view>

#include "engines/map/map_engine.h"
#include "manual_clock.h"
#include "mnemo/session.h"
#include "session_feed.h"

namespace mnemo::testing {

inline std::string MapEngineReplies(std::string_view input) {
  ManualClock clock;
  MapEngine engine(clock);
  SessionConfig config;
  CommandCounters counters;
  Session session(engine, config, counters);
  return FeedSession(session, input, 0);
}

}  // namespace mnemo::testing
