// WriteOps: the size limit, eviction, purging of dead rows and folding in recorded accesses.
// Every loop here works in bounded batches so that one request never holds the writer long.
#include <algorithm>
#include <iterator>

#include "engines/sqlite/write_ops.h"
#include "mnemo/item_rules.h"

namespace mnemo::sqlite {
namespace {

// Rows deleted per statement when making room, purging or sweeping.
constexpr int kRoomBatch = 16;
constexpr int kSweepBatch = 512;
// Rows the flush scan looks at per step.
constexpr int kFlushScanRows = 256;
// Eviction: rows sampled per eviction, and the oldest of them kept as candidates.
constexpr int kEvictWindow = 64;
constexpr std::size_t kEvictPool = 32;

}  // namespace

Result<bool> WriteOps::Write(std::string_view key, Row row, const Row* old) {
  const std::uint64_t bytes = MemcachedItemSize(key.size(), row.value.size(), row.client_flags);
  const std::uint64_t old_bytes =
      old == nullptr ? 0 : MemcachedItemSize(key.size(), old->value.size(), old->client_flags);
  Result<bool> room = EnsureRoom(key, bytes, old_bytes);
  if (!room.ok() || !*room) {
    if (room.ok()) Add(shared_.counters.outofmemory);
    return room;
  }
  Changed(key);
  Result<void> put = rows_.Put(key, std::move(row));
  if (!put.ok()) return put.error();
  totals_.bytes = totals_.bytes - old_bytes + bytes;
  if (old == nullptr) totals_.items += 1;
  Add(shared_.counters.total_items);
  return true;
}

Result<bool> WriteOps::EnsureRoom(std::string_view key, std::uint64_t bytes,
                                  std::uint64_t old_bytes) {
  const std::uint64_t limit = shared_.config().size_limit_bytes;
  if (bytes > limit) return false;  // evicting everything would not help
  const std::uint64_t needed = bytes - std::min(bytes, old_bytes);
  auto fits = [&] { return totals_.bytes + needed <= limit; };
  // Expired and flushed rows go first: freeing them loses nothing.
  while (!fits()) {
    Result<bool> more = PurgeDead(kRoomBatch);
    if (!more.ok()) return more.error();
    if (!*more) break;
  }
  if (fits()) return true;
  if (!shared_.config().evict) return false;
  return EvictOldest(key, needed);
}

Result<std::vector<Candidate>> WriteOps::Advance(Hand& hand, int limit, bool* wrapped) {
  Result<std::vector<Candidate>> rows = rows_.table().Window(hand.after, hand.after.empty(), limit);
  if (!rows.ok()) return rows;
  *wrapped = rows->size() < static_cast<std::size_t>(limit);
  hand.after = *wrapped ? std::string() : rows->back().key;
  return rows;
}

void WriteOps::Pool(std::vector<Candidate>& window, std::string_view key) {
  for (Candidate& candidate : window) {
    // A key with a change pending is not what its row in the table says: its change decides
    // when it is folded in.
    if (candidate.key == key || rows_.Changing(candidate.key)) continue;
    auto access = shared_.overlay.Find(candidate.key, candidate.seq);
    if (access) candidate.last_access = std::max(candidate.last_access, access->last_access);
    auto same = std::find_if(evict_pool_.begin(), evict_pool_.end(),
                             [&](const Candidate& c) { return c.key == candidate.key; });
    if (same != evict_pool_.end()) {
      *same = std::move(candidate);
    } else {
      evict_pool_.push_back(std::move(candidate));
    }
  }
  std::stable_sort(
      evict_pool_.begin(), evict_pool_.end(),
      [](const Candidate& a, const Candidate& b) { return a.last_access < b.last_access; });
  if (evict_pool_.size() > kEvictPool) evict_pool_.resize(kEvictPool);
}

// Sampled LRU. With an index on last_access every store would write one more B-tree (about
// twice the cost of a store), so the eviction hand walks the table in key order instead,
// kEvictWindow rows per eviction, and keeps the least recently used rows it saw in a pool
// (accesses recorded in memory included); each eviction takes the oldest of the pool. A table
// no larger than a window is evicted in exact LRU order.
Result<bool> WriteOps::EvictOldest(std::string_view key, std::uint64_t needed) {
  const std::uint64_t limit = shared_.config().size_limit_bytes;
  std::uint64_t seen_in_vain = 0;  // rows looked at since the last eviction
  while (totals_.bytes + needed > limit) {
    const bool from_first = evict_hand_.after.empty();
    bool wrapped = false;
    Result<std::vector<Candidate>> window = Advance(evict_hand_, kEvictWindow, &wrapped);
    if (!window.ok()) return window.error();
    const std::size_t looked_at = window->size();
    Pool(*window, key);
    // An empty table: what is left is pending, if anything.
    if (looked_at == 0 && from_first && evict_pool_.empty()) return EvictPending(key, needed);
    bool evicted = false;
    while (!evicted && !evict_pool_.empty()) {
      Candidate oldest = std::move(evict_pool_.front());
      evict_pool_.erase(evict_pool_.begin());
      if (oldest.key == key) continue;
      auto access = shared_.overlay.Find(oldest.key, oldest.seq);
      if (access && access->last_access > oldest.last_access) {
        oldest.last_access = access->last_access;  // read since it was pooled
        std::vector<Candidate> again{std::move(oldest)};
        Pool(again, key);
        break;
      }
      Result<bool> erased = rows_.Erase(oldest.key, oldest.seq);
      if (!erased.ok()) return erased.error();
      if (!*erased) continue;  // changed or gone since it was pooled
      Changed(oldest.key);
      Forget(oldest.size);
      Add(shared_.counters.evictions);
      if (!oldest.size.fetched) Add(shared_.counters.evicted_unfetched);
      evicted = true;
    }
    seen_in_vain = evicted ? 0 : seen_in_vain + looked_at + 1;
    // A whole lap in vain: every row left is pending, if any.
    if (seen_in_vain > totals_.items + kEvictWindow) return EvictPending(key, needed);
  }
  return true;
}

Result<bool> WriteOps::EvictPending(std::string_view key, std::uint64_t needed) {
  const std::uint64_t limit = shared_.config().size_limit_bytes;
  struct Aged {
    std::int64_t last_access;
    std::string key;
    std::int64_t seq;
  };
  std::vector<Aged> rows;
  std::vector<std::string> keys = shared_.pending.KeysUpTo(INT64_MAX);
  for (std::string& staged : rows_.StagedKeys()) keys.push_back(std::move(staged));
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  for (std::string& pending : keys) {
    if (pending == key) continue;
    Result<std::optional<Row>> row = rows_.Find(pending);
    if (!row.ok()) return row.error();
    if (!*row) continue;
    std::int64_t last_access = (*row)->last_access;
    auto access = shared_.overlay.Find(pending, (*row)->seq);
    if (access) last_access = std::max(last_access, access->last_access);
    rows.push_back(Aged{last_access, std::move(pending), (*row)->seq});
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Aged& a, const Aged& b) { return a.last_access < b.last_access; });
  for (const Aged& oldest : rows) {
    if (totals_.bytes + needed <= limit) break;
    Result<std::optional<Removed>> erased = rows_.EraseKey(oldest.key);
    if (!erased.ok()) return erased.error();
    if (!*erased) continue;
    Changed(oldest.key);
    Forget(**erased);
    Add(shared_.counters.evictions);
    if (!(*erased)->fetched) Add(shared_.counters.evicted_unfetched);
  }
  return totals_.bytes + needed <= limit;
}

Result<void> WriteOps::PurgeFlushed(int rows) {
  if (!flush_scan_.pending) return {};
  bool wrapped = false;
  Result<std::vector<Candidate>> window = Advance(flush_scan_, rows, &wrapped);
  if (!window.ok()) return window.error();
  std::vector<Removed> removed;
  for (const Candidate& candidate : *window) {
    if (candidate.seq > flush_.flushed_seq || rows_.Changing(candidate.key)) continue;
    Result<bool> erased = rows_.Erase(candidate.key, candidate.seq);
    if (!erased.ok()) return erased.error();
    if (!*erased) continue;
    removed.push_back(candidate.size);
    removed.back().key = candidate.key;
  }
  // The lap is done: every row stored before the flush has been seen. A later flush_all
  // starts a new one.
  if (wrapped) flush_scan_.pending = false;
  CountRemoved(removed);
  return {};
}

Result<bool> WriteOps::PurgeDead(int limit) {
  const std::int64_t now = shared_.Now();
  SettlePendingFlush(now);
  Result<void> flushed = PurgeFlushed(kFlushScanRows);
  if (!flushed.ok()) return flushed.error();
  Result<std::vector<Removed>> expired = rows_.PurgeExpired(now, limit);
  if (!expired.ok()) return expired.error();
  const std::size_t gone = CountRemoved(*expired);
  return flush_scan_.pending || gone == static_cast<std::size_t>(limit);
}

std::size_t WriteOps::CountRemoved(const std::vector<Removed>& removed) {
  for (const Removed& row : removed) {
    Changed(row.key);
    Forget(row);
    Add(shared_.counters.crawler_reclaimed);
    if (!row.fetched) Add(shared_.counters.expired_unfetched);
  }
  return removed.size();
}

Result<TableStats> WriteOps::Sweep(bool oldest_access) {
  for (;;) {
    Result<bool> more = PurgeDead(kSweepBatch);
    if (!more.ok()) return more.error();
    if (!*more) break;
  }
  // The purges see the table's rows only; the dead among the pending ones go too, and among
  // this transaction's own changes (not pending yet). Only an expiry or a flush_all makes a
  // pending row dead: with neither, none is looked at.
  const std::int64_t now = shared_.Now();
  const auto dead = [&](const Row& row) { return Check(flush_, row, now) != Liveness::kLive; };
  std::vector<std::string> candidates = rows_.StagedKeys();
  if (flushed_pending_ || shared_.pending.with_deadline() > 0) {
    std::vector<std::string> pending = shared_.pending.KeysWhere(dead);
    candidates.insert(candidates.end(), std::make_move_iterator(pending.begin()),
                      std::make_move_iterator(pending.end()));
    flushed_pending_ = false;
  }
  for (const std::string& key : candidates) {
    // The key's row now: a change staged since may have replaced its pending one.
    std::optional<Row> row;
    if (!rows_.FindChange(key, &row) || !row || !dead(*row)) continue;
    Result<std::optional<Removed>> erased = rows_.EraseKey(key);
    if (!erased.ok()) return erased.error();
    if (*erased) CountRemoved({**erased});
  }
  TableStats stats;
  stats.totals = totals_;
  if (oldest_access) {
    Result<std::int64_t> oldest = rows_.table().OldestAccess();
    if (!oldest.ok()) return oldest.error();
    stats.oldest_access = *oldest;
  }
  Result<std::int64_t> pages = rows_.db().QueryInt("PRAGMA page_count");
  Result<std::int64_t> page_size = rows_.db().QueryInt("PRAGMA page_size");
  if (pages.ok() && page_size.ok()) stats.file_bytes = *pages * *page_size;
  return stats;
}

Result<std::vector<AccessOverlay::Entry>> WriteOps::AbsorbAccesses(std::size_t limit) {
  std::vector<AccessOverlay::Entry> entries = shared_.overlay.Take(limit);
  for (const AccessOverlay::Entry& entry : entries) {
    const AccessOverlay::Access& access = entry.access;
    Result<void> absorbed = rows_.Absorb(entry.key, access.seq, access.last_access, access.fetched);
    if (!absorbed.ok()) return absorbed.error();
  }
  return entries;
}

}  // namespace mnemo::sqlite
