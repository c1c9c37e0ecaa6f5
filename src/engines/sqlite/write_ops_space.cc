// WriteOps: the size limit, eviction, purging of dead rows and folding in recorded accesses.
// Every loop here works in bounded batches so that one request never holds the writer long.
#include <algorithm>

#include "engines/sqlite/write_ops.h"
#include "mnemo/item_rules.h"

namespace mnemo::sqlite {
namespace {

// Rows deleted per statement when making room, purging or sweeping.
constexpr int kRoomBatch = 16;
constexpr int kSweepBatch = 512;

}  // namespace

Result<bool> WriteOps::Write(std::string_view key, const Row& row, const Row* old) {
  const std::uint64_t bytes = MemcachedItemSize(key.size(), row.value.size(), row.client_flags);
  const std::uint64_t old_bytes =
      old == nullptr ? 0 : MemcachedItemSize(key.size(), old->value.size(), old->client_flags);
  Result<bool> room = EnsureRoom(key, bytes, old_bytes);
  if (!room.ok() || !*room) {
    if (room.ok()) Add(shared_.counters.outofmemory);
    return room;
  }
  Changed(key);
  Result<void> put = rows_.Put(key, row);
  if (!put.ok()) return put.error();
  Wrote(key, row);
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
    Result<std::size_t> purged = PurgeDead(kRoomBatch);
    if (!purged.ok()) return purged.error();
    if (*purged == 0) break;
  }
  if (fits()) return true;
  if (!shared_.config().evict) return false;
  return EvictOldest(key, needed);
}

Result<bool> WriteOps::EvictOldest(std::string_view key, std::uint64_t needed) {
  const std::uint64_t limit = shared_.config().size_limit_bytes;
  while (totals_.bytes + needed > limit) {
    // One more than a batch: the key being stored may be among the oldest, and stays.
    Result<std::vector<Candidate>> oldest = rows_.Oldest(kRoomBatch + 1);
    if (!oldest.ok()) return oldest.error();
    bool progress = false;
    for (const Candidate& candidate : *oldest) {
      if (totals_.bytes + needed <= limit) break;
      if (candidate.key == key) continue;
      // Read through a reader since its last access was stored: record that instead of
      // evicting it, so hot items are not evicted for a stale timestamp.
      auto access = shared_.overlay.Find(candidate.key, candidate.seq);
      if (access && access->last_access > candidate.last_access) {
        Result<void> absorbed = rows_.Absorb(candidate.seq, access->last_access, access->fetched);
        if (!absorbed.ok()) return absorbed.error();
        progress = true;
        continue;
      }
      Changed(candidate.key);
      Result<void> erased = rows_.Erase(candidate.seq);
      if (!erased.ok()) return erased.error();
      Forget(candidate.size);
      Add(shared_.counters.evictions);
      if (!candidate.size.fetched) Add(shared_.counters.evicted_unfetched);
      progress = true;
    }
    if (!progress) return false;
  }
  return true;
}

Result<std::size_t> WriteOps::PurgeDead(int limit) {
  const std::int64_t now = shared_.Now();
  SettlePendingFlush(now);
  Result<std::vector<Removed>> flushed = rows_.PurgeFlushed(flush_.flushed_seq, limit);
  if (!flushed.ok()) return flushed.error();
  std::size_t count = CountRemoved(*flushed);
  const int left = limit - static_cast<int>(count);
  if (left <= 0) return count;
  Result<std::vector<Removed>> expired = rows_.PurgeExpired(now, left);
  if (!expired.ok()) return expired.error();
  return count + CountRemoved(*expired);
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

Result<TableStats> WriteOps::Sweep() {
  for (;;) {
    Result<std::size_t> purged = PurgeDead(kSweepBatch);
    if (!purged.ok()) return purged.error();
    if (*purged == 0) break;
  }
  TableStats stats;
  stats.totals = totals_;
  Result<std::int64_t> oldest = rows_.OldestAccess();
  if (!oldest.ok()) return oldest.error();
  stats.oldest_access = *oldest;
  Result<std::int64_t> pages = rows_.db().QueryInt("PRAGMA page_count");
  Result<std::int64_t> page_size = rows_.db().QueryInt("PRAGMA page_size");
  if (pages.ok() && page_size.ok()) stats.file_bytes = *pages * *page_size;
  return stats;
}

Result<std::vector<AccessOverlay::Entry>> WriteOps::AbsorbAccesses(std::size_t limit) {
  std::vector<AccessOverlay::Entry> entries = shared_.overlay.Take(limit);
  for (const AccessOverlay::Entry& entry : entries) {
    const AccessOverlay::Access& access = entry.access;
    Result<void> absorbed = rows_.Absorb(access.seq, access.last_access, access.fetched);
    if (!absorbed.ok()) return absorbed.error();
  }
  return entries;
}

}  // namespace mnemo::sqlite
