// AccessOverlay: the access state (fetched bit and last access time) of gets that reader
// connections served. Readers cannot write, and a write transaction per get would make every
// get wait for the writer, so a get records its bump here; every reader and the writer merge
// it into the rows they read, and the writer folds entries into the table in bounded batches
// (RowStore::Absorb) and forgets them only after that transaction has committed.
//
// An entry belongs to one version of a row (its seq): a store gives the key a new seq, so the
// bumps of the replaced item no longer apply and are dropped when absorbed.
//
// Thread safety: every method may be called from any thread; keys are spread over mutex-guarded
// shards. Take() and Forget() are for the writer thread only.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engines/sqlite/keyed_shards.h"
#include "engines/sqlite/row_store.h"

namespace mnemo::sqlite {

class AccessOverlay {
 public:
  struct Access {
    std::int64_t seq = 0;
    std::int64_t last_access = 0;
    bool fetched = false;
    bool operator==(const Access&) const = default;
  };
  struct Entry {
    std::string key;
    Access access;
  };

  // Past this many entries new keys are not recorded (their bump is lost) until the writer
  // catches up; it bounds memory under a flood of reads of distinct keys.
  static constexpr std::size_t kMaxEntries = std::size_t{1} << 20;

  // Records that the version `seq` of key was fetched at `now`.
  void Bump(std::string_view key, std::int64_t seq, std::int64_t now);
  // Folds a recorded access of row's version into row. Returns whether one was recorded.
  bool Merge(std::string_view key, Row& row) const;
  // The recorded access of key's version seq, if any.
  std::optional<Access> Find(std::string_view key, std::int64_t seq) const;

  // Copies up to `limit` entries, resuming where the previous call stopped.
  std::vector<Entry> Take(std::size_t limit);
  // Drops the entries that are still exactly as taken (a newer bump keeps its entry).
  void Forget(const std::vector<Entry>& absorbed);

  std::size_t size() const { return size_.load(std::memory_order_relaxed); }

 private:
  using Shards = KeyedShards<Access>;
  using Shard = Shards::Shard;

  Shards shards_;
  std::atomic<std::size_t> size_{0};
  std::size_t cursor_ = 0;  // next shard Take() reads; writer thread only
};

}  // namespace mnemo::sqlite
