// RowStore: the items table seen through one connection's prepared statements. It maps rows
// to and from the Row struct and nothing more: liveness, CAS and memcached rules live in
// write_ops.h and sqlite_engine_read.cc. The table and its indexes are described in
// docs/sqlite-schema.md.
//
// Thread safety: none; a RowStore belongs to its connection's thread. Reader connections use
// only the const-free read methods (Find, Page); every other method needs the writer
// connection inside a transaction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engines/sqlite/statement.h"
#include "mnemo/result.h"

namespace mnemo::sqlite {

// The bits of the items.state column.
inline constexpr std::int64_t kStateFetched = 1;  // fetched since stored (mg h)
inline constexpr std::int64_t kStateStale = 2;    // invalidated by meta I (mg X)
inline constexpr std::int64_t kStateToken = 4;    // a recache token was handed out (mg W/Z)
inline constexpr std::int64_t kStateBinary = 8;   // key stored through meta b (mg k, me)

// One item as stored; `seq` is the row's identity (a new one for every store, see the schema).
struct Row {
  std::int64_t seq = 0;
  std::string value;
  std::uint32_t client_flags = 0;
  std::uint64_t cas = 0;
  std::int64_t deadline = 0;     // absolute unix seconds; 0 = never
  std::int64_t last_access = 0;  // unix seconds
  std::int64_t stored_at = 0;    // unix seconds of the store; decides delayed flush_all
  bool fetched = false;
  bool stale = false;
  bool token_sent = false;
  bool binary_key = false;
};

struct KeyedRow {
  std::string key;
  Row row;
};

// What a deleted row held, for the size accounting and the reclaim counters.
struct Removed {
  std::size_t bytes = 0;  // memcached's item size, see MemcachedItemSize()
  bool fetched = false;
  std::string key;  // empty when the caller knows it
};

// A row seen by a scan: proposed for eviction, or purged when flushed.
struct Candidate {
  std::int64_t seq = 0;
  std::string key;
  std::int64_t last_access = 0;
  Removed size;
};

struct Totals {
  std::uint64_t items = 0;
  std::uint64_t bytes = 0;
};

class RowStore {
 public:
  static Result<std::unique_ptr<RowStore>> Prepare(Db& db);
  ~RowStore();

  Db& db() { return db_; }

  // The row under key, dead or alive, or nullopt.
  Result<std::optional<Row>> Find(std::string_view key);
  // Up to `limit` rows in key order after `after` (from the first key when `first`).
  Result<std::vector<KeyedRow>> Page(std::string_view after, bool first, int limit);

  // Inserts the row, replacing any row with the same key.
  Result<void> Put(std::string_view key, const Row& row);
  // Rewrites exptime, CAS, last access and state of key's row if it is still `row.seq`.
  Result<void> UpdateMeta(std::string_view key, const Row& row);
  // Deletes key's row if it is still the version `seq`; returns whether it was.
  Result<bool> Erase(std::string_view key, std::int64_t seq);
  // Deletes whatever row holds key; nullopt when there was none.
  Result<std::optional<Removed>> EraseKey(std::string_view key);
  // Up to `limit` rows whose deadline is at or before `now`, without their values.
  Result<std::vector<Candidate>> Expired(std::int64_t now, int limit);
  // Up to `limit` rows in key order after `after` (from the first key when `first`), without
  // their values: for sampling eviction candidates and scanning for flushed rows.
  Result<std::vector<Candidate>> Window(std::string_view after, bool first, int limit);
  // Folds an access recorded in memory into key's row if it is still the version `seq`.
  Result<void> Absorb(std::string_view key, std::int64_t seq, std::int64_t last_access,
                      bool fetched);
  Result<Totals> Count();
  // The oldest last access of any row; INT64_MAX for an empty table. Reads the whole table.
  Result<std::int64_t> OldestAccess();
  Result<void> PutMeta(std::string_view name, std::int64_t value);

 private:
  struct Statements;
  RowStore(Db& db, std::unique_ptr<Statements> statements);
  Result<std::vector<Removed>> CollectRemoved(Statement& statement, std::string_view what);
  // Runs a statement whose columns are kWindow's, with `limit` bound to ?2.
  Result<std::vector<Candidate>> Candidates(Statement& statement, int limit, std::string_view what);

  Db& db_;
  std::unique_ptr<Statements> s_;
};

}  // namespace mnemo::sqlite
