// What a protocol handler needs to execute one request: the engine, the session's settings,
// counters and hooks, and the connection-level state a request may change.
// Internal to libmnemo. Thread safety: owned by one session.
#pragma once

#include <memory>

#include "mnemo/engine.h"
#include "mnemo/session.h"

namespace mnemo {

struct SessionContext {
  Engine& engine;
  const SessionConfig& config;
  CommandCounters& counters;
  SessionHooks& hooks;
  bool close = false;  // set by quit (and fatal errors): the session closes after this reply
  // The session's change-notice subscriptions, created on the first `servers NAME notify`;
  // null when the driver keeps none (handler tests).
  std::unique_ptr<DomainSubscriptions>* subscriptions = nullptr;
  // The connection's authentication progress (-S, -Y); null in handler tests, which then run
  // as a connection that never signs in.
  AuthState* auth = nullptr;
  // Set by a `watch` the host started streaming (WatchFlag bits); the session then stops.
  std::uint32_t watch_flags = 0;
};

// Emits everything `stats <group>` reports, in memcached's order: the server's fields, the
// command counters and the engine's. Returns false for an unknown group (reply: ERROR).
bool CollectStats(SessionContext& context, std::string_view group, StatSink sink);

}  // namespace mnemo
