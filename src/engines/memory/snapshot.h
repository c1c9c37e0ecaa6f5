// Warm restart of the memory engine (mnemod --snapshot FILE, memcached's -e FILE): the live
// items are written to a file on graceful shutdown and read back at the next start, keeping
// each item's value, client flags, expiry deadline and CAS, and the engine's CAS counter, so a
// CAS a client read before the restart is still valid after it and never handed out twice.
//
// Saving is atomic: the items go to FILE.tmp-<pid>, which is fsynced and then renamed over
// FILE (and the directory fsynced), so a crash while saving leaves the previous snapshot
// intact. Loading checks the whole file (snapshot_format.h) before storing anything: a missing,
// truncated, damaged or other-version file yields an error and leaves the engine untouched.
//
// Not kept: access times, the fetched bit and eviction-queue positions (a reloaded cache starts
// cold, in file order); items invalidated with meta `I` are not saved (they were waiting to be
// recached, and a miss asks for exactly that); a pending delayed flush_all.
//
// Thread safety: SaveSnapshot may run while other threads use the engine (each item is read
// under its shard's lock) but is meant for a server that has stopped serving; LoadSnapshot is
// meant for an engine that no client uses yet.
#pragma once

#include <cstdint>
#include <string>

#include "engines/memory/memory_engine.h"
#include "mnemo/result.h"

namespace mnemo {

inline constexpr const char* kMemorySnapshotEngineId = "memory";

struct SnapshotSummary {
  std::uint64_t items = 0;    // saved, or loaded into the engine
  std::uint64_t expired = 0;  // load: records whose deadline had passed, skipped
  std::uint64_t refused = 0;  // load: records the engine did not take (over -I, out of memory)
};

Result<SnapshotSummary> SaveSnapshot(MemoryEngine& engine, const std::string& path);
Result<SnapshotSummary> LoadSnapshot(MemoryEngine& engine, const std::string& path);

}  // namespace mnemo
