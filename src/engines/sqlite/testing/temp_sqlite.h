// Test support for the SQLite engine: scratch directories and an Engine that owns a
// SqliteEngine on a file in its own scratch directory, removed when the engine is destroyed.
// The engine conformance suite uses it (tests/engine_conformance/engines.cc), and so do the
// engine's own tests. Not part of mnemod.
//
// Thread safety: a TempDir belongs to one test; the engine wrapper forwards to SqliteEngine,
// which is safe for concurrent use.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "engines/sqlite/row_store.h"
#include "engines/sqlite/sqlite_config.h"
#include "mnemo/engine.h"

namespace mnemo::sqlite::testing {

// A fresh directory under $TMPDIR (or /tmp), deleted with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Every item the file at `path` holds as committed, read as another program would (a
// connection of its own) -- the items table with the journal's changes on top -- by key.
// Empty when the file cannot be read.
std::map<std::string, Row> CommittedRows(const std::string& path);

// The configuration the conformance suite runs with: no background purge, whose timing would
// turn a test's kExpired into kMiss (memcached's LRU crawler does the same).
SqliteEngineConfig ConformanceConfig(std::string path);

enum class Scratch : std::uint8_t {
  kMemory,     // ":memory:"
  kFile,       // "<scratch dir>/items.db"
  kFileCache,  // the same with a 4 MiB memory cache in front
};

// A SqliteEngine of that kind, with ConformanceConfig(); nullptr (with the error on stderr)
// when it cannot be opened.
std::unique_ptr<Engine> OpenScratchEngine(const Clock& clock, Scratch kind);

}  // namespace mnemo::sqlite::testing
