// What a protocol handler needs to execute one request: the engine, the session's settings,
// counters and hooks, and the connection-level state a request may change.
// Internal to libmnemo. Thread safety: owned by one session.
#pragma once

#include "mnemo/engine.h"
#include "mnemo/session.h"

namespace mnemo {

struct SessionContext {
  Engine& engine;
  const SessionConfig& config;
  CommandCounters& counters;
  SessionHooks& hooks;
  bool close = false;  // set by quit (and fatal errors): the session closes after this reply
};

// Emits everything `stats <group>` reports, in memcached's order: the server's fields, the
// command counters and the engine's. Returns false for an unknown group (reply: ERROR).
bool CollectStats(SessionContext& context, std::string_view group, StatSink sink);

}  // namespace mnemo
