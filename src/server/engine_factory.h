// The engine behind `--engine`: builds it from the configuration together with the clock it
// reads time from, the hook `cache_memlimit` resizes it through, and the warm-restart pair
// (--snapshot / -e) for engines that lose their items at exit. An engine that keeps its items
// itself (sqlite) is closed -- its last writes committed -- when the handle is destroyed.
//
// Thread safety: CreateEngine runs once at startup; the engine it returns is safe for
// concurrent use (every engine's contract), and so is set_memory_limit.
#pragma once

#include <asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "engines/memory/snapshot.h"
#include "mnemo/engine.h"
#include "mnemo/pending_call.h"
#include "mnemo/result.h"
#include "server/config.h"
#include "server/offload_pool.h"

namespace mnemo::server {

struct EngineHandle {
  std::unique_ptr<Clock> clock;  // declared first: the engine reads it until destroyed
  std::unique_ptr<Engine> engine;
  // Sets the engine's memory limit in bytes; empty when the engine has no adjustable limit.
  std::function<void(std::uint64_t bytes)> set_memory_limit;
  // Write the items to a snapshot file / read them back; both empty when the engine keeps
  // its items itself (or keeps none worth keeping).
  using SnapshotIo = std::function<Result<SnapshotSummary>(const std::string& path)>;
  SnapshotIo save_snapshot;
  SnapshotIo load_snapshot;
  // Set for engines that can make PendingCalls without blocking (mnemo/pending_call.h): each
  // network worker gets its own AsyncCalls for its event loop, and sessions submit the calls
  // they capture to it instead of blocking a pool thread (connection.cc).
  std::function<std::unique_ptr<AsyncCalls>(asio::io_context&)> async_calls_for;
  // Set for engines whose calls block (sqlite): sessions then run on this pool, never on a
  // network worker (connection.cc). Declared last, so it is joined before the engine closes.
  std::unique_ptr<OffloadPool> offload;
};

// --engine memory (the default): MemoryEngine sized by -m, -M and -I. --engine sqlite:PATH:
// SqliteEngine on PATH (or ":memory:"), -m its data size, -M no eviction, -I, --durability and
// --cache-mb, with an OffloadPool; its start-up errors are one line naming the file. --engine
// proxy:SPEC: ProxyEngine (engines/proxy/proxy_spec.h) with an OffloadPool, since its calls
// wait for upstream servers.
Result<EngineHandle> CreateEngine(const ServerConfig& config);

}  // namespace mnemo::server
