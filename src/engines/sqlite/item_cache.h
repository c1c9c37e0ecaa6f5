// ItemCache: hot rows of the items table in memory in front of SQLite (--cache-mb), so that a
// get of a hot item needs no SQLite read (nor a reader connection): it is served on the calling
// thread. It holds copies of the table's rows only. A key with a change pending (committed, not
// yet folded into the table; journal.h) is served from that change, which every reader and the
// writer look at first: a cached row of that key is older and stays unread until the fold. The
// fold caches the row it wrote (or drops the key, for a deletion) before the pending change is
// forgotten, so a row just folded is still read from memory. Readers fill the cache with rows
// they read from the table. With durability off, whose writes are acknowledged before the
// commit, the writer also drops a key as soon as it changes. So between the writer's
// transactions a cached row of a key without a pending change is the committed row, and the
// writer itself reads rows from the cache.
//
// A fill carries a ticket taken before the row was read from SQLite; if the key's shard was
// invalidated since, the row read may predate the change and the fill is dropped. So a cached
// row is never older than the last acknowledged write of its key. Eviction is per shard, by
// bytes (key, value and a fixed per-entry overhead), in CLOCK order: rows leave in the order
// they were first cached, but one read or rewrite since then buys a row another round.
//
// Thread safety: every method may be called from any thread; keys are spread over shards with
// one mutex each.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"

#include "engines/sqlite/keyed_shards.h"
#include "engines/sqlite/row_store.h"

namespace mnemo::sqlite {

class ItemCache {
 public:
  // 0 bytes disables the cache: every call is then a cheap no-op or a miss.
  explicit ItemCache(std::size_t capacity_bytes);

  bool enabled() const { return capacity_ > 0; }

  // Taken before reading key's row from SQLite, for Fill().
  std::uint64_t Ticket(std::string_view key);
  // Caches a copy of row under key, unless key's shard was invalidated since `ticket`.
  void Fill(std::string_view key, const Row& row, std::uint64_t ticket);
  // Caches row under key, in place of any cached row, and voids the shard's tickets as
  // Invalidate() does: for the writer, with a row it has just folded into the table.
  void Put(std::string_view key, Row row);
  // A copy of the cached row, or nullopt.
  std::optional<Row> Find(std::string_view key);
  // As Find, without counting as a use of the row: for the writer, which looks up the row a
  // write replaces.
  std::optional<Row> Peek(std::string_view key);
  // Drops key's row and voids every ticket of its shard taken so far.
  void Invalidate(std::string_view key);
  // The writer has folded an access of key's row version `seq` into the table: folds it into
  // the cached row too (instead of dropping a hot row), and voids the shard's tickets, since a
  // row read before that commit lacks it.
  void Refresh(std::string_view key, std::int64_t seq, std::int64_t last_access, bool fetched);

  std::size_t bytes() const;
  std::size_t items() const;

 private:
  static constexpr std::size_t kShards = 16;
  struct Entry {
    std::string key;
    Row row;
    std::size_t cost = 0;
    bool referenced = false;  // read or rewritten since it last came to the front
  };
  struct Shard {
    mutable std::mutex mu;
    std::list<Entry> lru;  // most recently cached first; guarded by mu
    // Views into lru's keys, which do not move; guarded by mu.
    absl::flat_hash_map<std::string_view, std::list<Entry>::iterator, KeyHash> index;
    std::size_t bytes = 0;         // guarded by mu
    std::uint64_t generation = 0;  // guarded by mu; advanced by Invalidate()
  };

  Shard& ShardFor(std::string_view key) { return shards_[ShardOf(key, kShards)]; }
  // Find and Peek: a copy of key's row; `use` marks it read (see the eviction order).
  std::optional<Row> Copy(std::string_view key, bool use);
  static void EraseLocked(Shard& shard, std::list<Entry>::iterator it);
  void InsertLocked(Shard& shard, std::string_view key, Row row, std::size_t cost);

  const std::size_t capacity_;        // bytes, over all shards
  const std::size_t shard_capacity_;  // bytes per shard
  std::array<Shard, kShards> shards_;
};

}  // namespace mnemo::sqlite
