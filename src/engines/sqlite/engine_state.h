// State the SQLite engine's threads share: the configuration and clock, the flush_all view
// readers need to judge rows, the access overlay, the counters behind `stats`, and the two
// signals that keep readers consistent with the writer (see sqlite_engine_read.cc).
//
// Thread safety: everything here may be used from any thread. The flush view is guarded by a
// mutex; counters and signals are atomics.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "engines/sqlite/access_overlay.h"
#include "engines/sqlite/item_cache.h"
#include "engines/sqlite/journal.h"
#include "engines/sqlite/row_store.h"
#include "engines/sqlite/sqlite_config.h"
#include "mnemo/engine.h"
#include "mnemo/item_rules.h"

namespace mnemo::sqlite {

enum class Liveness : std::uint8_t { kLive, kExpired, kFlushed };

// What flush_all has invalidated: rows with seq <= flushed_seq, and, once the clock reaches a
// pending delayed flush's moment, rows stored at or before that moment.
struct FlushView {
  std::int64_t flushed_seq = 0;
  std::int64_t moment = 0;  // 0 = no pending delayed flush
};

// memcached checks the flush before the expiry, so an item both flushed and expired counts as
// flushed.
inline Liveness Check(const FlushView& flush, const Row& row, std::int64_t now) {
  if (row.seq <= flush.flushed_seq) return Liveness::kFlushed;
  if (flush.moment != 0 && now >= flush.moment && row.stored_at <= flush.moment) {
    return Liveness::kFlushed;
  }
  if (row.deadline != 0 && row.deadline <= now) return Liveness::kExpired;
  return Liveness::kLive;
}

// One recache token per item: the first fetcher of a stale item, or the first to see the
// remaining TTL under its R threshold, wins (meta W); later fetchers see it taken (Z).
inline bool WinsToken(const GetRequest& request, const Row& row, std::int64_t now) {
  if (row.token_sent) return false;
  if (row.stale) return true;
  return request.recache_ttl && row.deadline != 0 &&
         row.deadline < ToDeadline(*request.recache_ttl, now);
}

// An owned copy of a fetched item: visitors run on the caller's thread after the SQLite thread
// has moved on, so they cannot see SQLite's buffers.
struct FetchedItem {
  std::string value;
  std::uint32_t client_flags = 0;
  std::uint64_t cas = 0;
  std::int64_t deadline = 0;
  std::int64_t last_access = 0;
  bool fetched = false;
  bool stale = false;
  bool win = false;
  bool lost = false;
  std::int64_t deadline_before = 0;
  bool binary_key = false;
  bool vivified = false;

  ItemView View(std::string_view key) const {
    return ItemView{key, value, client_flags,    cas,        deadline, last_access, fetched, stale,
                    win, lost,  deadline_before, binary_key, vivified};
  }
};

// Moves row's value into a FetchedItem with the row's current state.
inline FetchedItem TakeItem(Row& row) {
  FetchedItem item;
  item.value = std::move(row.value);
  item.client_flags = row.client_flags;
  item.cas = row.cas;
  item.deadline = row.deadline;
  item.deadline_before = row.deadline;
  item.last_access = row.last_access;
  item.fetched = row.fetched;
  item.stale = row.stale;
  item.binary_key = row.binary_key;
  return item;
}

struct GetOutcome {
  GetStatus status = GetStatus::kMiss;
  std::optional<FetchedItem> item;  // set exactly on kHit
};

using Counter = std::atomic<std::uint64_t>;

inline void Add(Counter& counter, std::uint64_t n = 1) {
  counter.fetch_add(n, std::memory_order_relaxed);
}

inline std::uint64_t Read(const Counter& counter) {
  return counter.load(std::memory_order_relaxed);
}

struct Counters {
  Counter total_items{0}, reclaimed{0}, expired_unfetched{0}, crawler_reclaimed{0};
  Counter evictions{0}, evicted_unfetched{0}, evicted_active{0}, outofmemory{0};
  Counter get_hits{0}, cmd_set{0}, delete_hits{0}, incr_hits{0}, decr_hits{0};
  Counter cas_hits{0}, cas_badval{0}, touch_hits{0};
  Counter commits{0}, write_ops{0}, errors{0}, cache_hits{0}, checkpoints{0}, wal_syncs{0};
};

class SharedState {
 public:
  SharedState(const Clock& clock, SqliteEngineConfig config)
      : cache(CacheBytes(config)), clock_(clock), config_(std::move(config)) {}

  std::int64_t Now() const { return clock_.Now(); }
  const SqliteEngineConfig& config() const { return config_; }

  FlushView flush() const {
    std::lock_guard lock(flush_mu_);
    return flush_;
  }
  void set_flush(FlushView view) {
    std::lock_guard lock(flush_mu_);
    flush_ = view;
  }

  AccessOverlay overlay;
  ItemCache cache;
  PendingRows pending;
  Counters counters;
  // Advanced by the writer after a commit that absorbed overlay entries and before it forgets
  // them: a reader that finds no entry while this moved may have read the row from before
  // that commit, and reads again.
  std::atomic<std::uint64_t> absorb_epoch{0};
  // Durability kOff only: the writer is running or has acknowledged writes that are not
  // committed yet, so readers (which see only committed data) must leave requests to the
  // writer and must not fill the cache.
  std::atomic<bool> uncommitted{false};

 private:
  // The cache is filled by readers, so a database without them (":memory:") has none.
  static std::size_t CacheBytes(const SqliteEngineConfig& config) {
    if (config.path == ":memory:" || config.reader_connections <= 0) return 0;
    return config.cache_mb * 1024 * 1024;
  }

  const Clock& clock_;
  const SqliteEngineConfig config_;
  mutable std::mutex flush_mu_;
  FlushView flush_;  // guarded by flush_mu_
};

}  // namespace mnemo::sqlite
