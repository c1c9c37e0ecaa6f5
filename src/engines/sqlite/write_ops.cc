// WriteOps: lookups, gets with side effects, delete, touch, flush_all and the transaction
// state. Stores and counters are in write_ops_store.cc, room and purging in
// write_ops_space.cc.
#include "engines/sqlite/write_ops.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "mnemo/item_rules.h"

namespace mnemo::sqlite {
namespace {

// Journal rows a fold step deletes (each holds one transaction's records, a few KiB).
constexpr std::size_t kJournalDeleteRows = 64;
// How far ahead of the last CAS and seq handed out the meta table's bounds are written.
constexpr std::int64_t kReserve = std::int64_t{1} << 20;

// A fetch or touch: sets the fetched bit and the access time.
void Bump(Row& row, std::int64_t now) {
  row.fetched = true;
  row.last_access = now;
}

}  // namespace

WriteOps::WriteOps(SharedState& shared, JournaledRows& rows, Totals totals,
                   const StoredState& state)
    : shared_(shared),
      rows_(rows),
      totals_(totals),
      last_cas_(state.last_cas),
      last_seq_(state.last_seq),
      flush_{state.flushed_seq, state.flush_moment},
      flush_bound_(state.flush_bound),
      saved_(state) {
  PublishFlush();
  // Rows of an earlier flush_all may still be in the table.
  if (flush_.flushed_seq > 0) RestartFlushScan();
}

Result<std::optional<Row>> WriteOps::FindLive(std::string_view key, std::int64_t now,
                                              GetStatus* miss) {
  if (miss != nullptr) *miss = GetStatus::kMiss;
  Result<std::optional<Row>> found = LookUp(key);
  if (!found.ok() || !*found) return found;
  Row& row = **found;
  shared_.overlay.Merge(key, row);
  const Liveness liveness = Check(flush_, row, now);
  if (liveness == Liveness::kLive) return found;
  if (miss != nullptr) {
    *miss = liveness == Liveness::kExpired ? GetStatus::kExpired : GetStatus::kFlushed;
  }
  Result<void> erased = EraseRow(key, row);
  if (!erased.ok()) return erased.error();
  Add(shared_.counters.reclaimed);
  if (!row.fetched) Add(shared_.counters.expired_unfetched);
  return std::optional<Row>();
}

Result<std::optional<Row>> WriteOps::LookUp(std::string_view key) {
  // A change staged or pending is newer than the table's row and than any cached row (which is
  // a copy of the table's, see item_cache.h).
  std::optional<Row> changed;
  if (rows_.FindChange(key, &changed)) return changed;
  if (shared_.cache.enabled()) {
    std::optional<Row> cached = shared_.cache.Peek(key);
    if (cached) return cached;
  }
  return rows_.table().Find(key);
}

void WriteOps::Changed(std::string_view key) {
  if (!shared_.cache.enabled()) return;
  // Acknowledged before its commit, a write must not leave its old row readable meanwhile.
  if (shared_.config().durability == Durability::kOff) shared_.cache.Invalidate(key);
  changed_.push_back(std::string(key));
}

void WriteOps::InvalidateChanged(bool committed) {
  // Committed changes are pending, which readers look at before the cache; a rolled-back
  // transaction's table changes are undone, and its keys' cached rows go too, to be safe.
  if (!committed) {
    for (const std::string& key : changed_) shared_.cache.Invalidate(key);
  }
  changed_.clear();
}

Result<void> WriteOps::UpdateRow(std::string_view key, const Row& row) {
  // Not cached after the commit: callers may have moved the value out already (TakeItem), and
  // UpdateMeta leaves it alone.
  Changed(key);
  return rows_.UpdateMeta(key, row);
}

Result<void> WriteOps::EraseRow(std::string_view key, const Row& row) {
  Changed(key);
  Result<bool> erased = rows_.Erase(key, row.seq);
  if (!erased.ok()) return erased.error();
  if (*erased) Forget(Removed{MemcachedItemSize(key.size(), row.value.size(), row.client_flags)});
  return {};
}

void WriteOps::Forget(const Removed& removed) {
  totals_.items -= 1;
  totals_.bytes -= removed.bytes;
}

std::int64_t WriteOps::NextSeq(std::int64_t now) {
  ++last_seq_;
  // Rows stored up to and including a pending flush's moment are the ones it will flush.
  if (flush_.moment != 0 && now <= flush_.moment) flush_bound_ = last_seq_;
  return last_seq_;
}

void WriteOps::Stamp(Row& row, std::uint64_t new_cas, std::int64_t now) {
  row.cas = NextCas(new_cas);
  row.seq = NextSeq(now);
  row.last_access = now;
  row.stored_at = now;
  row.fetched = false;
}

Result<GetOutcome> WriteOps::Get(const GetRequest& request) {
  const std::int64_t now = shared_.Now();
  GetStatus miss = GetStatus::kMiss;
  Result<std::optional<Row>> found = FindLive(request.key.key(), now, &miss);
  if (!found.ok()) return found.error();
  if (!*found) {
    if (request.vivify_exptime && !request.peek) return Vivify(request, now);
    return GetOutcome{miss, std::nullopt};
  }
  Row& row = **found;
  FetchedItem item = TakeItem(row);  // access state from before this request
  item.lost = row.token_sent;
  if (request.peek) return GetOutcome{GetStatus::kHit, std::move(item)};
  if (request.touch_exptime) row.deadline = ToDeadline(*request.touch_exptime, now);
  item.win = WinsToken(request, row, now);
  if (item.win) row.token_sent = true;
  item.deadline = row.deadline;
  if (request.bump) Bump(row, now);
  if (request.touch_exptime || item.win || request.bump) {
    Result<void> updated = UpdateRow(request.key.key(), row);
    if (!updated.ok()) return updated.error();
  }
  if (request.touch_exptime) Add(shared_.counters.touch_hits);
  Add(shared_.counters.get_hits);
  return GetOutcome{GetStatus::kHit, std::move(item)};
}

Result<GetOutcome> WriteOps::Vivify(const GetRequest& request, std::int64_t now) {
  Row stub;
  stub.deadline = ToDeadline(*request.vivify_exptime, now);
  stub.token_sent = true;  // this caller wins; everyone else sees Z until a real store
  Stamp(stub, 0, now);
  FetchedItem item = TakeItem(stub);
  item.win = true;
  item.vivified = true;
  if (request.bump) Bump(stub, now);
  Result<bool> written = Write(request.key.key(), stub, nullptr);
  if (!written.ok()) return written.error();
  if (!*written) return GetOutcome{GetStatus::kMiss, std::nullopt};  // no room for the stub
  return GetOutcome{GetStatus::kHit, std::move(item)};
}

Result<DeleteStatus> WriteOps::Delete(const DeleteRequest& request) {
  const std::int64_t now = shared_.Now();
  Result<std::optional<Row>> found = FindLive(request.key.key(), now, nullptr);
  if (!found.ok()) return found.error();
  if (!*found) return DeleteStatus::kNotFound;
  Row& row = **found;
  if (request.compare_cas != 0 && request.compare_cas != row.cas) return DeleteStatus::kExists;
  Result<void> done;
  if (request.invalidate) {
    // The item stays, served as stale, and the next fetcher may win the token again.
    if (request.invalidate_exptime) row.deadline = ToDeadline(*request.invalidate_exptime, now);
    row.stale = true;
    row.token_sent = false;
    row.cas = NextCas(request.new_cas);
    done = UpdateRow(request.key.key(), row);
  } else {
    done = EraseRow(request.key.key(), row);
  }
  if (!done.ok()) return done.error();
  Add(shared_.counters.delete_hits);
  return DeleteStatus::kDeleted;
}

Result<TouchStatus> WriteOps::Touch(const HashedKey& key, std::int64_t exptime) {
  const std::int64_t now = shared_.Now();
  Result<std::optional<Row>> found = FindLive(key.key(), now, nullptr);
  if (!found.ok()) return found.error();
  if (!*found) return TouchStatus::kNotFound;
  Row& row = **found;
  row.deadline = ToDeadline(exptime, now);
  Bump(row, now);
  Result<void> updated = UpdateRow(key.key(), row);
  if (!updated.ok()) return updated.error();
  Add(shared_.counters.touch_hits);
  return TouchStatus::kTouched;
}

void WriteOps::SettlePendingFlush(std::int64_t now) {
  if (flush_.moment == 0 || now < flush_.moment) return;
  flush_.flushed_seq = std::max(flush_.flushed_seq, flush_bound_);
  flush_.moment = 0;
  PublishFlush();
  RestartFlushScan();
}

Result<void> WriteOps::FlushAll(std::int64_t delay) {
  const std::int64_t now = shared_.Now();
  SettlePendingFlush(now);
  if (delay > 0) {
    // memcached's oldest_live is one second before the requested moment, and it applies once
    // the clock reaches it; a moment already reached flushes right away.
    const std::int64_t moment = ToDeadline(delay, now) - 1;
    if (moment > now) {
      flush_.moment = moment;
      flush_bound_ = last_seq_;
      PublishFlush();
      return {};
    }
  }
  // Immediate: every row stored so far is flushed, including those of this second; rows
  // stored after this call get a larger seq and survive.
  flush_.moment = 0;
  flush_.flushed_seq = last_seq_;
  PublishFlush();
  RestartFlushScan();
  return {};
}

WriteOps::TxnState WriteOps::Save() const {
  return TxnState{totals_, flush_, flush_bound_, saved_};
}

void WriteOps::Restore(const TxnState& state) {
  rows_.Discard();
  // A fold round restarts: what it folded in this transaction is not in the table.
  folded_.clear();
  EndFoldRound();
  totals_ = state.totals;
  flush_ = state.flush;
  flush_bound_ = state.flush_bound;
  saved_ = state.saved;
  PublishFlush();
  // Rows the rolled-back transaction purged are back, possibly behind the flush scan.
  if (flush_.flushed_seq > 0) RestartFlushScan();
}

Result<void> WriteOps::SaveState() {
  // last_cas and last_seq are written ahead, kReserve at a time: the meta table bounds every
  // value handed out, and most commits write neither (each write is one more page to commit).
  StoredState now{saved_.last_cas, saved_.last_seq, flush_.flushed_seq, flush_.moment,
                  flush_bound_};
  if (last_cas_ > now.last_cas) {
    now.last_cas = last_cas_ + std::min<std::uint64_t>(kReserve, UINT64_MAX - last_cas_);
  }
  if (last_seq_ > now.last_seq) now.last_seq = last_seq_ + kReserve;
  const std::pair<std::string_view, std::int64_t StoredState::*> fields[] = {
      {"last_seq", &StoredState::last_seq},
      {"flushed_seq", &StoredState::flushed_seq},
      {"flush_moment", &StoredState::flush_moment},
      {"flush_bound", &StoredState::flush_bound},
  };
  if (now.last_cas != saved_.last_cas) {
    Result<void> put = rows_.table().PutMeta("last_cas", static_cast<std::int64_t>(now.last_cas));
    if (!put.ok()) return put;
  }
  for (const auto& [name, member] : fields) {
    if (now.*member == saved_.*member) continue;
    Result<void> put = rows_.table().PutMeta(name, now.*member);
    if (!put.ok()) return put;
  }
  saved_ = now;
  return rows_.WriteJournal();
}

void WriteOps::Publish() {
  rows_.Publish();
  // The folded row is cached before its pending change goes, so that a get that misses the
  // pending change finds the row in memory still.
  for (Folded& folded : folded_) {
    if (shared_.cache.enabled()) {
      if (folded.row) {
        shared_.cache.Put(folded.key, std::move(*folded.row));
      } else {
        shared_.cache.Invalidate(folded.key);
      }
    }
    shared_.pending.Forget(folded.key, folded.journal_id);
  }
  folded_.clear();
}

std::uint64_t WriteOps::JournalBytesSinceRound() const {
  return rows_.appended_bytes() - round_started_bytes_;
}

bool WriteOps::JournalDirty() const {
  return shared_.pending.size() > 0 || rows_.last_journal_id() > journal_deleted_upto_ ||
         FoldRoundUnderway();
}

Result<bool> WriteOps::FoldJournal(std::size_t limit) {
  const bool everything = limit == SIZE_MAX;
  if (!FoldRoundUnderway()) {
    fold_upto_ = rows_.committed_journal_id();
    if (fold_upto_ == 0) return true;  // nothing committed was journaled
    fold_keys_.Clear();
    round_started_bytes_ = rows_.appended_bytes();
  }
  // The round's keys, one shard of the pending changes per step (all at once to fold
  // everything). A change published meanwhile is in a later journal row: not this round's.
  while (fold_keys_.parts() < PendingRows::kShards) {
    fold_keys_.Add(shared_.pending.ShardKeysUpTo(fold_keys_.parts(), fold_upto_));
    if (!everything) return false;
  }
  const std::int64_t now = shared_.Now();
  RowStore& table = rows_.table();
  for (; !fold_keys_.empty() && limit > 0; --limit) {
    std::string key = fold_keys_.Take();
    std::optional<Row> row;
    std::int64_t journal_id = 0;
    if (!shared_.pending.Get(key, &row, &journal_id)) continue;
    // A dead row is not worth a write: it is purged on the way in.
    if (row && Check(flush_, *row, now) != Liveness::kLive) {
      CountRemoved({Removed{MemcachedItemSize(key.size(), row->value.size(), row->client_flags),
                            row->fetched, key}});
      row.reset();
    }
    Result<void> folded;
    if (row) {
      folded = table.Put(key, *row);
    } else {
      Result<std::optional<Removed>> erased = table.EraseKey(key);
      if (!erased.ok()) folded = erased.error();
    }
    if (!folded.ok()) return folded.error();
    folded_.push_back(Folded{std::move(key), journal_id, std::move(row)});
  }
  if (!fold_keys_.empty() || limit == 0) return false;
  // Every change held in journal rows up to fold_upto_ is in the table now (or a later change
  // of its key is pending, in a later journal row): they go, oldest first, a bounded number
  // of rows per step (deleting a minute's journal at once stalled writes for seconds).
  const std::size_t rows = everything ? SIZE_MAX : std::min(limit, kJournalDeleteRows);
  Result<std::size_t> deleted = rows_.DeleteJournal(fold_upto_, rows);
  if (!deleted.ok()) return deleted.error();
  if (*deleted == rows) return false;
  journal_deleted_upto_ = fold_upto_;
  EndFoldRound();
  return true;
}

void WriteOps::EndFoldRound() {
  fold_keys_.Clear();
  fold_upto_ = 0;
}

Result<void> WriteOps::FoldAll() {
  for (int round = FoldRoundUnderway() ? 0 : 1; round < 2; ++round) {
    Result<bool> done = FoldJournal(SIZE_MAX);
    if (!done.ok()) return done.error();
  }
  return {};
}

}  // namespace mnemo::sqlite
