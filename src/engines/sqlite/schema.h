// The database file: checks before SQLite touches it, the schema (docs/sqlite-schema.md is its
// documentation; keep the two in step), its version, and the engine state kept in the meta
// table. Everything here runs once, while SqliteEngine::Open() builds the engine.
//
// Thread safety: plain functions over a connection the caller owns.
#pragma once

#include <cstdint>
#include <string>

#include "engines/sqlite/row_store.h"
#include "engines/sqlite/statement.h"
#include "mnemo/result.h"

namespace mnemo::sqlite {

// PRAGMA user_version of the schema this build writes. Files with a larger version were
// written by a newer mnemod and are refused rather than misread; older ones are migrated.
inline constexpr std::int64_t kSchemaVersion = 3;
// PRAGMA application_id of mnemo databases: "Mnmo". A SQLite file with another id belongs to
// some other program and is refused.
inline constexpr std::int64_t kApplicationId = 0x4d6e6d6f;

// Fails unless `path` is absent, empty, or starts with SQLite's 16-byte header, so that a
// foreign file is reported as such instead of as SQLite's generic "not a database".
Result<void> CheckFileHeader(const std::string& path);

// Creates the schema in an empty database, or checks that an existing one is a mnemo database
// of a version this build reads, migrating an older version to this one.
Result<void> EnsureSchema(Db& db);

// Engine state that must survive restarts, from the meta table (0 for absent names).
struct StoredState {
  std::uint64_t last_cas = 0;     // the last CAS handed out; CAS values keep growing
  std::int64_t last_seq = 0;      // the last row seq handed out
  std::int64_t flushed_seq = 0;   // rows with seq <= this were flushed by flush_all
  std::int64_t flush_moment = 0;  // a pending delayed flush_all (unix seconds); 0 = none
  std::int64_t flush_bound = 0;   // the last seq stored at or before flush_moment
};

Result<StoredState> LoadState(Db& db);

// Folds into the items table whatever the journal table still holds (what a crash left
// unfolded), in one transaction, and empties the journal.
Result<void> ReplayJournal(Db& db, RowStore& rows);

// Holds an exclusive flock(2) on the database file for the engine's lifetime, so that a second
// mnemod on the same file fails at start instead of fighting over it. flock locks are separate
// from the POSIX record locks SQLite uses, so the sqlite3 shell can still read the file. The
// descriptor must stay open until every SQLite connection to the file is closed: closing any
// descriptor of a file drops the process's POSIX locks on it.
class FileLock {
 public:
  static Result<FileLock> Acquire(const std::string& path);
  FileLock() = default;
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace mnemo::sqlite
