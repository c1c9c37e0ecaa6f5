// The configuration of the SQLite engine (SqliteEngine::Open takes it). mnemod fills it from
// --engine sqlite:PATH, --durability, -m, -M, -I and --cache-mb.
// Thread safety: a plain value; the engine keeps its own copy.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace mnemo {

// When a write is acknowledged, relative to the commit of the transaction that holds it.
enum class Durability : std::uint8_t {
  // After the commit (synchronous=NORMAL in WAL mode): survives the process being killed;
  // the last commits may be lost if the machine loses power.
  kNormal,
  // After the commit and an fdatasync of the WAL that started after it (syncer.h): survives
  // power loss.
  kFull,
  // Before the commit, which follows in the background: writes acknowledged since the last
  // commit are lost if the process dies, at most one writer batch (max_batch writes).
  kOff,
};

struct SqliteEngineConfig {
  // The database file, created when absent; ":memory:" keeps it in memory (no readers: every
  // operation then runs on the writer thread).
  std::string path = ":memory:";
  Durability durability = Durability::kNormal;
  // memcached -m for this engine: the data size, counted as memcached's item size of every
  // stored item (see MemcachedItemSize()); the file is larger by SQLite's page overhead.
  std::size_t size_limit_bytes = 64 * 1024 * 1024;
  // false = memcached -M: a store that does not fit answers kNoMemory instead of evicting.
  bool evict = true;
  // memcached -I: the largest item accepted, see ItemFits().
  std::size_t item_size_max = 1024 * 1024;
  // --cache-mb: MiB of hot items kept in memory in front of SQLite (item_cache.h); 0 = none.
  // File databases only.
  std::size_t cache_mb = 0;
  // Read-only connections that calling threads check out for gets (file databases only); a
  // get waits only when all are in use.
  int reader_connections = 4;
  // Write operations that may share one transaction.
  int max_batch = 512;
  // The writer connection's page cache (SQLite cache_size), in MiB: with SQLite's default of
  // 2 MiB most B-tree pages of a store were read back from the file.
  int writer_cache_mb = 64;
  // WAL pages written before the WAL is folded into the file, by the checkpointer's thread
  // (checkpointer.h; 4 KiB pages, so the WAL grows to about 120 MB). A checkpoint writes each
  // changed page once and syncs the file: the longer the WAL, the more writes of a hot page it
  // folds into one. With SQLite's default, 1000, checkpoints took a third of the server's time
  // under a write load.
  int wal_checkpoint_pages = 30000;
  // A hard cap on the database file (SQLite's max_page_count); 0 = none. Writes that would
  // grow the file past it fail as on a full disk.
  std::size_t max_file_bytes = 0;
  // Runs PRAGMA quick_check when opening a file, so that a damaged file fails at start rather
  // than on some later request. It reads the whole file once.
  bool check_on_open = true;
  // How often expired and flushed rows are purged in the background, one bounded batch at a
  // time; zero disables the background purge (dead rows then go when touched, when room is
  // needed and on Stats).
  std::chrono::milliseconds purge_interval{1000};
  // Accesses that gets record in memory (last access, fetched bit) are folded into the table
  // every access_fold_interval, or sooner while more than access_fold_above keys have one
  // recorded, and all at close. A write per key per fold instead of one per get: under a
  // get-heavy load folding promptly cost more than the sets. A kill -9 loses the accesses
  // recorded since the last fold (eviction order and mg h/la of those items), never an item.
  std::chrono::milliseconds access_fold_interval{60'000};
  std::size_t access_fold_above = std::size_t{1} << 18;
  // Changes are folded from the journal into the items table (journal.h) every
  // journal_fold_interval, or sooner once the pending ones hold journal_fold_bytes (keys,
  // values and a fixed overhead each) or a quarter of size_limit_bytes (eviction only sees
  // rows in the table), or the journal has grown by journal_fold_bytes since the last round
  // began, and all at close. The longer they wait, the more writes of a hot key one fold
  // folds into one; they are kept in memory meanwhile.
  std::chrono::milliseconds journal_fold_interval{60'000};
  std::size_t journal_fold_bytes = std::size_t{64} << 20;
};

}  // namespace mnemo
