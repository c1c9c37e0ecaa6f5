// The journal: a change of the items table is appended to the journal table first -- all the
// changes of one writer transaction in one row, encoded in one BLOB -- and kept in memory
// (PendingRows) until the writer folds it into the items table: in key order, a bounded batch
// per transaction, then deletes the journal rows it has folded. A store thus appends a few
// hundred bytes to one growing page instead of rewriting a 4 KiB page of the table, and a key
// written many times between two folds is folded once. At open, whatever a crash left unfolded
// is folded in first. docs/sqlite-schema.md describes the table and the record encoding.
//
// Thread safety: the codec is plain functions. PendingRows may be read from any thread (the
// readers look there before the table); only the writer thread changes it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engines/sqlite/keyed_shards.h"
#include "engines/sqlite/row_store.h"
#include "mnemo/result.h"

namespace mnemo::sqlite {

// One change of a key: the row it now holds, or nullopt when it was deleted.
struct JournalRecord {
  std::string key;
  std::optional<Row> row;
};

// Appends one record to `out`.
void EncodeRecord(std::string& out, std::string_view key, const std::optional<Row>& row);
// The records of one journal row, in order; an error when the bytes are not a whole number of
// well-formed records.
Result<std::vector<JournalRecord>> DecodeRecords(std::string_view bytes);

// The committed changes not yet folded into the table, by key.
class PendingRows {
 public:
  // What key holds while its change is pending; false when it has none (the table decides).
  bool Find(std::string_view key, std::optional<Row>* row) const;
  bool Contains(std::string_view key) const;

  // Writer only. Records key's committed change, held in journal row `journal_id`.
  void Publish(std::string_view key, std::optional<Row> row, std::int64_t journal_id);
  // The keys whose change is in a journal row up to `journal_id`, in key order.
  std::vector<std::string> KeysUpTo(std::int64_t journal_id) const;
  // The same for the keys of one shard (0 <= shard < kShards), so that a caller can take them a
  // part at a time (FoldKeys).
  static constexpr std::size_t kShards = 16;
  std::vector<std::string> ShardKeysUpTo(std::size_t shard, std::int64_t journal_id) const;
  // key's change and its journal row; false when it has none.
  bool Get(std::string_view key, std::optional<Row>* row, std::int64_t* journal_id) const;
  // Drops key's change once folded, unless a later change (journal row) replaced it meanwhile.
  void Forget(std::string_view key, std::int64_t journal_id);
  // The keys whose pending row (not a deletion) satisfies `pred`, looked at in place: no row
  // is copied. For finding the dead ones without a lookup per key.
  template <class Pred>
  std::vector<std::string> KeysWhere(Pred pred) const {
    std::vector<std::string> keys;
    ForEachRow([&](const std::string& key, const Row& row) {
      if (pred(row)) keys.push_back(key);
    });
    return keys;
  }

  // The earliest last access among the pending rows; INT64_MAX when there is none.
  std::int64_t OldestAccess() const;

  std::size_t size() const { return size_.load(std::memory_order_relaxed); }
  // How many pending rows have a deadline: when none, none has expired.
  std::size_t with_deadline() const { return with_deadline_.load(std::memory_order_relaxed); }
  // Memory held, in bytes (see Size).
  std::size_t bytes() const { return bytes_.load(std::memory_order_relaxed); }

 private:
  struct Entry {
    std::optional<Row> row;
    std::int64_t journal_id = 0;
  };
  using Shards = KeyedShards<Entry, kShards>;
  using Shard = Shards::Shard;
  // What an entry costs: key, value, and the Row and map node around them.
  static std::size_t Size(std::string_view key, const std::optional<Row>& row) {
    return key.size() + (row ? row->value.size() : 0) + 160;
  }
  static bool HasDeadline(const std::optional<Row>& row) { return row && row->deadline != 0; }
  // Calls visit(key, row) for every pending row (not a deletion), each shard under its lock.
  template <class Visit>
  void ForEachRow(Visit visit) const {
    for (std::size_t i = 0; i < kShards; ++i) {
      const Shard& shard = shards_.at(i);
      std::lock_guard lock(shard.mu);
      for (const auto& [key, entry] : shard.entries) {
        if (entry.row) visit(key, *entry.row);
      }
    }
  }

  Shards shards_;
  std::atomic<std::size_t> size_{0};
  std::atomic<std::size_t> bytes_{0};
  std::atomic<std::size_t> with_deadline_{0};
};

// The keys of one fold round in key order, gathered one shard of the pending changes at a time
// (each part sorted on its own) and merged as the round takes them: taking all 100,000 keys of
// a round at once stalled the writer for 15 ms.
//
// Thread safety: none; the writer's.
class FoldKeys {
 public:
  void Clear();
  // How many parts were added so far.
  std::size_t parts() const { return parts_.size(); }
  // Adds one part, sorted.
  void Add(std::vector<std::string> sorted);
  bool empty() const { return heap_.empty(); }
  // Moves out the smallest key left. REQUIRES: !empty().
  std::string Take();

 private:
  struct Part {
    std::vector<std::string> keys;
    std::size_t next = 0;
  };
  bool Later(std::size_t a, std::size_t b) const;  // part a's next key after part b's

  std::vector<Part> parts_;
  std::vector<std::size_t> heap_;  // parts with keys left, smallest next key on top
};

}  // namespace mnemo::sqlite
