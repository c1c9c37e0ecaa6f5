#include "engines/sqlite/item_cache.h"

#include <algorithm>

namespace mnemo::sqlite {
namespace {

// What an entry costs beyond its key and value: list node, index slot, Row fields.
constexpr std::size_t kEntryOverhead = 160;

}  // namespace

ItemCache::ItemCache(std::size_t capacity_bytes)
    : capacity_(capacity_bytes), shard_capacity_(capacity_bytes / kShards) {}

std::uint64_t ItemCache::Ticket(std::string_view key) {
  if (!enabled()) return 0;
  Shard& shard = ShardFor(key);
  std::lock_guard lock(shard.mu);
  return shard.generation;
}

void ItemCache::Fill(std::string_view key, const Row& row, std::uint64_t ticket) {
  const std::size_t cost = key.size() + row.value.size() + kEntryOverhead;
  if (!enabled() || cost > shard_capacity_) return;
  Shard& shard = ShardFor(key);
  std::lock_guard lock(shard.mu);
  if (shard.generation != ticket) return;  // the row may predate a change of the key
  InsertLocked(shard, key, row, cost);
}

void ItemCache::Put(std::string_view key, Row row) {
  const std::size_t cost = key.size() + row.value.size() + kEntryOverhead;
  if (!enabled()) return;
  if (cost > shard_capacity_) return Invalidate(key);
  Shard& shard = ShardFor(key);
  std::lock_guard lock(shard.mu);
  ++shard.generation;
  InsertLocked(shard, key, std::move(row), cost);
}

void ItemCache::InsertLocked(Shard& shard, std::string_view key, Row row, std::size_t cost) {
  auto found = shard.index.find(key);
  if (found != shard.index.end()) {
    // In place: a rewritten key keeps its node, so the index needs no second lookup, and
    // counts as used rather than moving to the front.
    Entry& entry = *found->second;
    shard.bytes = shard.bytes - entry.cost + cost;
    entry.row = std::move(row);
    entry.cost = cost;
    entry.referenced = true;
  } else {
    shard.lru.push_front(Entry{std::string(key), std::move(row), cost});
    shard.index.emplace(shard.lru.front().key, shard.lru.begin());
    shard.bytes += cost;
  }
  // Second chance: a row read since it last came to the front goes round once more.
  while (shard.bytes > shard_capacity_) {
    auto last = std::prev(shard.lru.end());
    if (last->referenced) {
      last->referenced = false;
      shard.lru.splice(shard.lru.begin(), shard.lru, last);
    } else {
      EraseLocked(shard, last);
    }
  }
}

std::optional<Row> ItemCache::Find(std::string_view key) { return Copy(key, /*use=*/true); }

std::optional<Row> ItemCache::Peek(std::string_view key) { return Copy(key, /*use=*/false); }

std::optional<Row> ItemCache::Copy(std::string_view key, bool use) {
  if (!enabled()) return std::nullopt;
  Shard& shard = ShardFor(key);
  std::lock_guard lock(shard.mu);
  auto found = shard.index.find(key);
  if (found == shard.index.end()) return std::nullopt;
  if (use) found->second->referenced = true;  // cheaper than moving the node to the front
  return found->second->row;
}

void ItemCache::Invalidate(std::string_view key) {
  if (!enabled()) return;
  Shard& shard = ShardFor(key);
  std::lock_guard lock(shard.mu);
  ++shard.generation;
  auto found = shard.index.find(key);
  if (found != shard.index.end()) EraseLocked(shard, found->second);
}

void ItemCache::Refresh(std::string_view key, std::int64_t seq, std::int64_t last_access,
                        bool fetched) {
  if (!enabled()) return;
  Shard& shard = ShardFor(key);
  std::lock_guard lock(shard.mu);
  ++shard.generation;
  auto found = shard.index.find(key);
  if (found == shard.index.end() || found->second->row.seq != seq) return;
  Row& row = found->second->row;
  row.last_access = std::max(row.last_access, last_access);
  row.fetched = row.fetched || fetched;
}

void ItemCache::EraseLocked(Shard& shard, std::list<Entry>::iterator it) {
  shard.bytes -= it->cost;
  shard.index.erase(it->key);
  shard.lru.erase(it);
}

std::size_t ItemCache::bytes() const {
  std::size_t total = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    total += shard.bytes;
  }
  return total;
}

std::size_t ItemCache::items() const {
  std::size_t total = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    total += shard.index.size();
  }
  return total;
}

}  // namespace mnemo::sqlite
