// WriteOps: memcached's item semantics -- exactly those of MapEngine, which the conformance
// suite pins down -- applied to the items table through the writer connection. Each public
// operation is one read-modify-write inside the writer's current transaction; the Writer
// commits (and acknowledges) it together with the other operations of its batch.
//
// In-memory state mirrors the table: item and byte totals, the last CAS and seq handed out and
// the flush_all state. A transaction that rolls back restores it from Save() (TxnState).
//
// Thread safety: none; only the writer thread uses a WriteOps.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engines/sqlite/access_overlay.h"
#include "engines/sqlite/engine_state.h"
#include "engines/sqlite/journaled_rows.h"
#include "engines/sqlite/row_store.h"
#include "engines/sqlite/schema.h"
#include "mnemo/engine.h"
#include "mnemo/result.h"

namespace mnemo::sqlite {

// What Stats reports about the table, measured after a sweep of dead rows.
struct TableStats {
  Totals totals;
  // Of the table's rows; INT64_MAX when there are none or it was not measured.
  std::int64_t oldest_access = INT64_MAX;
  std::int64_t file_bytes = 0;     // page_count * page_size
};

class WriteOps {
 public:
  // In-memory state a transaction changes, for rolling it back.
  struct TxnState {
    Totals totals;
    FlushView flush;
    std::int64_t flush_bound = 0;
    StoredState saved;
  };

  // `totals` and `state` describe the table as opened (see SqliteEngine::Open).
  WriteOps(SharedState& shared, JournaledRows& rows, Totals totals, const StoredState& state);

  Result<GetOutcome> Get(const GetRequest& request);
  Result<StoreResult> Store(const StoreRequest& request);
  Result<DeleteStatus> Delete(const DeleteRequest& request);
  Result<ArithResult> Arithmetic(const ArithRequest& request);
  Result<TouchStatus> Touch(const HashedKey& key, std::int64_t exptime);
  Result<void> FlushAll(std::int64_t delay);
  // Deletes every dead row (like memcached's crawler before a stats dump), then measures; the
  // oldest access only when asked, since no index has it and it reads the whole table.
  Result<TableStats> Sweep(bool oldest_access);

  // Folds up to `limit` accesses recorded by readers into the table; returns the entries to
  // forget once the transaction has committed.
  Result<std::vector<AccessOverlay::Entry>> AbsorbAccesses(std::size_t limit);
  // One bounded step of purging dead rows: up to `limit` expired rows (by their index) and the
  // flushed rows among the next kFlushScanRows rows of the flush scan, if one is under way.
  // Returns whether dead rows may remain.
  Result<bool> PurgeDead(int limit);
  // Writes the meta rows whose values changed in this transaction, and the journal row(s) of
  // its changes; the last step before the COMMIT.
  Result<void> SaveState();
  // After the COMMIT: the transaction's changes become pending (visible to readers) and the
  // changes it folded into the table are no longer pending.
  void Publish();

  // One step of a fold round: up to `limit` pending changes folded into the table, in key
  // order, or (once all are) up to kJournalDeleteRows of the journal rows that held them
  // deleted; SIZE_MAX: the whole round. A round folds every change pending when it starts.
  // Returns whether a round finished.
  Result<bool> FoldJournal(std::size_t limit);
  // Folds everything pending and empties the journal (the rest of a round under way, then a
  // whole new one).
  Result<void> FoldAll();
  // Whether anything waits to be folded in: pending changes or journal rows.
  bool JournalDirty() const;
  // Bytes of records journaled since the last fold round started.
  std::uint64_t JournalBytesSinceRound() const;
  bool FoldRoundUnderway() const { return fold_upto_ != 0; }

  TxnState Save() const;
  void Restore(const TxnState& state);

  // The writer calls it after the commit (`committed`) or rollback, before acknowledging: after
  // a rollback, invalidates in the cache every key this transaction changed (see item_cache.h).
  void InvalidateChanged(bool committed = false);

  JournaledRows& rows() { return rows_; }
  const Totals& totals() const { return totals_; }

 private:
  // A position in the table's key order, where a scan resumes; wraps to the first key.
  struct Hand {
    std::string after;  // the last key seen; empty (no key is): from the first key
  };
  struct FlushScan : Hand {
    bool pending = false;  // rows flushed by flush_all may remain
  };

  // The live row under key with recorded accesses merged in, or nullopt. A dead row found on
  // the way is deleted; `miss`, when given, says why nothing was found.
  Result<std::optional<Row>> FindLive(std::string_view key, std::int64_t now, GetStatus* miss);
  // The row under key, dead or alive: a staged or pending change, else the cached row, else the
  // table's.
  Result<std::optional<Row>> LookUp(std::string_view key);
  Result<void> EraseRow(std::string_view key, const Row& row);
  // Rewrites the metadata of key's row.
  Result<void> UpdateRow(std::string_view key, const Row& row);
  // Records that key's row changes: invalidated in the cache after a rollback (and now, with
  // durability off).
  void Changed(std::string_view key);
  // Makes row a freshly linked item: new CAS and seq, access state reset.
  void Stamp(Row& row, std::uint64_t new_cas, std::int64_t now);
  std::int64_t NextSeq(std::int64_t now);
  std::uint64_t NextCas(std::uint64_t requested) {
    return requested != 0 ? requested : ++last_cas_;
  }
  // Stores a stamped row in place of `old` (the live row under key, if any). False when there
  // is no room for it.
  Result<bool> Write(std::string_view key, Row row, const Row* old);
  Result<StoreResult> Link(std::string_view key, Row& row, std::uint64_t new_cas, std::int64_t now,
                           const Row* old);
  // Marks rows caught by a delayed flush whose moment has passed as flushed by seq.
  void SettlePendingFlush(std::int64_t now);
  void PublishFlush() { shared_.set_flush(flush_); }
  // Starts a scan of the whole table for rows flushed by flush_all: no index finds them.
  void RestartFlushScan() {
    flush_scan_.pending = true;
    flush_scan_.after.clear();
    flushed_pending_ = true;
  }
  // Deletes the flushed rows among the next rows of the flush scan.
  Result<void> PurgeFlushed(int rows);
  void Forget(const Removed& removed);

  Result<GetOutcome> Vivify(const GetRequest& request, std::int64_t now);
  Result<StoreResult> StoreExisting(const StoreRequest& request, StoreMode mode, Row& old,
                                    std::int64_t now);
  Result<StoreResult> StoreMissing(const StoreRequest& request, StoreMode mode, std::int64_t now);
  Result<ArithResult> CreateCounter(const ArithRequest& request, std::int64_t now);
  Result<ArithResult> ApplyDelta(const ArithRequest& request, Row& row, std::int64_t now);

  // Frees room for `bytes` replacing `old_bytes` under key: dead rows first, then (with
  // eviction on) the least recently used rows other than key's, sampled (see EvictOldest).
  // False when it cannot.
  Result<bool> EnsureRoom(std::string_view key, std::uint64_t bytes, std::uint64_t old_bytes);
  Result<bool> EvictOldest(std::string_view key, std::uint64_t needed);
  // When the table has nothing left to evict (every row in it is shadowed by a change not yet
  // folded in: a burst of writes faster than the folds, or a transaction's own): the least
  // recently used rows of the pending and staged changes, all of them sorted -- rare.
  Result<bool> EvictPending(std::string_view key, std::uint64_t needed);
  // The next `limit` rows at the hand, which moves past them (to the first key at the end).
  Result<std::vector<Candidate>> Advance(Hand& hand, int limit, bool* wrapped);
  // Forgets the fold round under way (done, or undone by a rollback).
  void EndFoldRound();
  // Adds the rows of an eviction window, but key's and those with a change pending, to the
  // pool, keeping the oldest.
  void Pool(std::vector<Candidate>& window, std::string_view key);
  // Accounts for rows a purge deleted; returns how many.
  std::size_t CountRemoved(const std::vector<Removed>& removed);

  SharedState& shared_;
  JournaledRows& rows_;
  Totals totals_;
  std::uint64_t last_cas_ = 0;
  std::int64_t last_seq_ = 0;
  FlushView flush_;                   // the writer's copy; readers get it through PublishFlush()
  std::int64_t flush_bound_ = 0;      // last seq stored at or before flush_.moment
  StoredState saved_;                 // the values the meta table holds
  std::vector<std::string> changed_;  // keys this transaction changed, with a cache only
  FlushScan flush_scan_;
  // Whether pending rows may have been flushed since Sweep last looked at them all: rows
  // stored after a flush get a larger seq, so only a flush_all makes pending rows flushed.
  bool flushed_pending_ = false;
  Hand evict_hand_;
  // The least recently used rows the eviction hand has seen, oldest first (kEvictPool at most).
  std::vector<Candidate> evict_pool_;
  // The fold round under way: the keys it has still to fold, and the last journal row it covers
  // (0 = no round).
  FoldKeys fold_keys_;
  std::int64_t fold_upto_ = 0;
  // Changes this transaction folded in, with their journal row, to cache and forget after the
  // commit.
  struct Folded {
    std::string key;
    std::int64_t journal_id = 0;
    std::optional<Row> row;  // nullopt: a deletion
  };
  std::vector<Folded> folded_;
  std::int64_t journal_deleted_upto_ = 0;  // journal rows up to here are gone
  std::uint64_t round_started_bytes_ = 0;  // rows_.appended_bytes() when the last round started
};

}  // namespace mnemo::sqlite
