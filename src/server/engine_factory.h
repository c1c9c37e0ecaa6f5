// The engine behind `--engine`: builds it from the configuration together with the clock it
// reads time from, the hook `cache_memlimit` resizes it through, and the warm-restart pair
// (--snapshot / -e) for engines that lose their items at exit.
//
// Thread safety: CreateEngine runs once at startup; the engine it returns is safe for
// concurrent use (every engine's contract), and so is set_memory_limit.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "engines/memory/snapshot.h"
#include "mnemo/engine.h"
#include "mnemo/result.h"
#include "server/config.h"

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
};

// --engine memory (the default): MemoryEngine sized by -m, -M and -I. The other kinds are
// reported as unavailable until their engines exist.
Result<EngineHandle> CreateEngine(const ServerConfig& config);

}  // namespace mnemo::server
