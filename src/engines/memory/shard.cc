#include "engines/memory/shard.h"

#include <algorithm>
#include <bit>
#include <utility>

#include "mnemo/item_rules.h"

namespace mnemo::memory {
namespace {

// Index slots the incremental expiry scan checks per new item: enough to sweep the whole
// index about once per turnover of the cache, cheap enough not to show on a store.
constexpr std::size_t kScanPerNewItem = 2;

// Index growth (GrowIndex). The index grows to what its shard's share of the limit can fill at
// the load where it grows (7/8, IndexTable::WantsGrowth; fuller tables make lookups slower),
// and past that by small steps (1/16).
// The ghost remembers an eighth of the index's capacity: at -m 64 in the Zipf benchmark more
// remembered few more useful keys than the items its bytes would hold (3/4: -0.8% items;
// 1/4: -0.5% items, ratio -0.0002 against 1/8; docs/BENCHMARKS.md).
constexpr std::size_t kGrowLoad32 = 28;
constexpr std::size_t kTightGrowth = 16;
constexpr std::size_t kGhostShare = 8;
constexpr double kIndexBytesPerItem = 64.0 / IndexTable::kSlotsPerBucket * 32 / kGrowLoad32;
constexpr double kGhostBytesPerItem = 2.0 / kGhostShare * 32 / kGrowLoad32;
std::size_t PageBuckets() { return RoundUpToPages(1) / IndexTable::BytesFor(1); }

// The bytes an index of `buckets` and its ghost take together.
std::size_t IndexCharge(std::size_t buckets) {
  return RoundUpToPages(IndexTable::BytesFor(buckets)) +
         RoundUpToPages(buckets * IndexTable::kSlotsPerBucket / kGhostShare *
                        sizeof(std::uint16_t));
}

}  // namespace

std::size_t ClassOf(std::size_t bytes) {
  if (bytes <= 64) return 1;
  const std::size_t cls = static_cast<std::size_t>(std::bit_width(bytes - 1)) - 5;
  return cls < kClasses ? cls : kClasses - 1;
}

Shard::Shard(const ShardConfig& config, MemoryBudget& budget, const FlushState& flush,
             const std::atomic<EvictionListener*>& evictions)
    : config_(config), budget_(budget), flush_(flush), evictions_(evictions), segments_(1) {}

Shard::~Shard() {
  for (std::size_t i = 0; i < index_.capacity(); ++i) {
    const std::uint64_t entry = *index_.slot_at(i);
    if (entry == 0) continue;
    ItemRef item = At(IndexTable::LocationOf(entry));
    if (char* external = item.external()) {
      const std::size_t pages = RoundUpToPages(item.value_length());
      MappedBlock::Unmap(external, pages);
      ReleaseBytes(pages);
    }
  }
  for (Segment& segment : segments_) {
    if (segment.data == nullptr) continue;
    MappedBlock::Unmap(segment.data, config_.segment_bytes);
    ReleaseBytes(config_.segment_bytes);
  }
  ReleaseBytes(index_.bytes() + policy_.ghost().bytes());
}

Shard::Found Shard::Find(const HashedKey& key) {
  const std::uint32_t tag = IndexTable::TagOf(key.hash());
  std::uint64_t* slot =
      index_.Find(tag, [&](std::uint64_t location) { return At(location).key() == key.key(); });
  if (slot == nullptr) return {};
  return {slot, At(IndexTable::LocationOf(*slot))};
}

Liveness Shard::Check(ItemRef item, std::uint32_t now) const {
  // As memcached: a flushed item is reported as flushed even when it has also expired.
  const std::int64_t access = item.last_access();
  if (access <= flush_.settled) return Liveness::kFlushed;
  if (flush_.pending >= 0 && now >= flush_.pending && access <= flush_.pending) {
    return Liveness::kFlushed;
  }
  if (access == flush_.cas_second && item.cas() <= flush_.cas) return Liveness::kFlushed;
  const std::uint32_t deadline = item.deadline();
  if (deadline != 0 && deadline <= now) return Liveness::kExpired;
  return Liveness::kLive;
}

Shard::Found Shard::FindLive(const HashedKey& key, std::uint32_t now, GetStatus* miss) {
  Found found = Find(key);
  if (!found) {
    if (miss != nullptr) *miss = GetStatus::kMiss;
    return {};
  }
  const Liveness liveness = Check(found.item, now);
  if (liveness == Liveness::kLive) return found;
  if (miss != nullptr) {
    *miss = liveness == Liveness::kExpired ? GetStatus::kExpired : GetStatus::kFlushed;
  }
  Unlink(found, UnlinkReason::kReclaimed, now);
  return {};
}

Shard::NewItemRef Shard::NewItem(const ItemSpec& spec, std::uint32_t now) {
  shortfall_ = 0;
  ScanExpired(kScanPerNewItem, now);
  if (!EnsureIndexRoom(now)) return {};
  ItemSpec placed = spec;
  const bool has_flags = spec.client_flags != 0;
  std::size_t pages = 0;
  if (EntryBytes(spec.key.size(), spec.value_length, has_flags, false) > config_.inline_max) {
    pages = RoundUpToPages(spec.value_length);
    if (!Reserve(pages, now)) return {};
    MappedBlock block = MappedBlock::Map(pages);
    if (!block) {
      ReleaseBytes(pages);
      shortfall_ = pages;
      return {};
    }
    placed.external = block.Release();
  }
  const std::size_t bytes =
      EntryBytes(spec.key.size(), spec.value_length, has_flags, placed.external != nullptr);
  const std::uint64_t location = Allocate(policy_.Admit(spec.tag), bytes, now);
  if (location == 0) {
    if (placed.external != nullptr) {
      MappedBlock::Unmap(placed.external, pages);
      ReleaseBytes(pages);
    }
    return {};
  }
  NoteDeadline(IndexTable::SegmentOf(location), spec.deadline);
  return {ItemRef::Write(At(location).data(), placed), location};
}

void Shard::Link(const HashedKey& key, const NewItemRef& created) {
  Found old = Find(key);
  ItemRef item = created.item;
  Segment& segment = segments_[IndexTable::SegmentOf(created.location)];
  segment.live += static_cast<std::uint32_t>(item.entry_bytes());
  ClassCounters& counters = counters_for(item);
  ++counters.number;
  counters.bytes += TotalBytes(item);
  stats_.memcached_bytes +=
      MemcachedItemSize(item.key_length(), item.value_length(), item.client_flags());
  if (segment.queue == Queue::kSmall) ++counters.number_small;
  ++stats_.total_items;
  if (old) {
    Retire(old.item, IndexTable::LocationOf(*old.slot));
    IndexTable::Relocate(old.slot, created.location);
  } else {
    index_.Insert(IndexTable::TagOf(key.hash()), created.location);
  }
}

void Shard::Abandon(const NewItemRef& created) {
  ItemRef item = created.item;
  if (char* external = item.external()) {
    const std::size_t pages = RoundUpToPages(item.value_length());
    MappedBlock::Unmap(external, pages);
    ReleaseBytes(pages);
  }
  item.Set(kDead, true);
}

void Shard::Unlink(Found found, UnlinkReason reason, std::uint32_t now) {
  ItemRef item = found.item;
  ClassCounters& counters = counters_for(item);
  const bool unfetched = !item.Has(kFetched);
  switch (reason) {
    case UnlinkReason::kRemoved:
      break;
    case UnlinkReason::kReclaimed:
    case UnlinkReason::kCrawled:
      ++(reason == UnlinkReason::kReclaimed ? counters.reclaimed : counters.crawler_reclaimed);
      if (unfetched) ++counters.expired_unfetched;
      break;
    case UnlinkReason::kEvicted:
      ++counters.evicted;
      if (item.deadline() != 0) ++counters.evicted_nonzero;
      if (unfetched) ++counters.evicted_unfetched;
      counters.evicted_time = static_cast<std::int64_t>(now) - item.last_access();
      if (EvictionListener* listener = evictions_.load(std::memory_order_acquire)) {
        const std::int64_t deadline = item.deadline();
        const std::int64_t ttl = deadline == 0 ? -1 : std::max<std::int64_t>(0, deadline - now);
        listener->Evicted({item.key(), static_cast<std::uint32_t>(item.value_length()),
                           item.client_flags(), !unfetched, ttl, counters.evicted_time});
      }
      break;
  }
  Retire(item, IndexTable::LocationOf(*found.slot));
  index_.Erase(found.slot);
}

void Shard::SetDeadline(Found found, std::uint32_t deadline) {
  found.item.set_deadline(deadline);
  NoteDeadline(IndexTable::SegmentOf(IndexTable::LocationOf(*found.slot)), deadline);
}

void Shard::Retire(ItemRef item, std::uint64_t location) {
  Segment& segment = segments_[IndexTable::SegmentOf(location)];
  ClassCounters& counters = counters_for(item);
  --counters.number;
  counters.bytes -= TotalBytes(item);
  stats_.memcached_bytes -=
      MemcachedItemSize(item.key_length(), item.value_length(), item.client_flags());
  if (segment.queue == Queue::kSmall) --counters.number_small;
  segment.live -= static_cast<std::uint32_t>(item.entry_bytes());
  if (char* external = item.external()) {
    const std::size_t pages = RoundUpToPages(item.value_length());
    MappedBlock::Unmap(external, pages);
    ReleaseBytes(pages);
  }
  item.Set(kDead, true);
}

void Shard::ScanExpired(std::size_t slots, std::uint32_t now) {
  const std::size_t capacity = index_.capacity();
  if (capacity == 0) return;
  for (std::size_t i = 0; i < slots; ++i) {
    if (scan_cursor_ >= capacity) scan_cursor_ = 0;
    std::uint64_t* slot = index_.slot_at(scan_cursor_++);
    if (*slot == 0) continue;
    ++stats_.crawler_items_checked;
    ItemRef item = At(IndexTable::LocationOf(*slot));
    if (Check(item, now) != Liveness::kLive) Unlink({slot, item}, UnlinkReason::kCrawled, now);
  }
}

bool Shard::EnsureIndexRoom(std::uint32_t now) {
  if (!index_.WantsGrowth() || GrowIndex(now)) return true;
  if (!index_.CanInsert()) return false;
  shortfall_ = 0;
  return true;
}

// Growing maps the new table and ghost while the old ones are still charged, so with memory
// full it evicts items to pay for the slots: the index grows only as far as its shard's share
// of the limit can fill (PlannedBuckets), and by a small step at a time once memory is full.
bool Shard::GrowIndex(std::uint32_t now) {
  const std::size_t current = index_.capacity() / IndexTable::kSlotsPerBucket;
  const std::size_t step = current + std::max(PageBuckets(), current / kTightGrowth);
  std::size_t buckets = std::max(PlannedBuckets(), step);
  if (!budget_.TryCharge(IndexCharge(buckets))) {
    buckets = step;
    if (!Reserve(IndexCharge(buckets), now)) return false;
  }
  const std::size_t index_bytes = RoundUpToPages(IndexTable::BytesFor(buckets));
  MappedBlock table = MappedBlock::Map(index_bytes);
  MappedBlock ghost = MappedBlock::Map(IndexCharge(buckets) - index_bytes);
  if (!table || !ghost) {
    ReleaseBytes(IndexCharge(buckets));
    return false;
  }
  ReleaseBytes(index_.Rebuild(std::move(table)).size());
  ReleaseBytes(policy_.ghost().Reset(std::move(ghost)).size());
  return true;
}

// The index's next size: the usual step (about 1.5x), or less when this shard's share of the
// limit cannot fill that many slots at its items' mean size.
std::size_t Shard::PlannedBuckets() const {
  const std::size_t next = index_.NextBuckets();
  const std::size_t items = index_.size();
  if (items == 0) return next;
  std::size_t entry_bytes = 0;
  for (const ClassCounters& counters : stats_.classes) entry_bytes += counters.bytes;
  const double per_item = static_cast<double>(entry_bytes) / static_cast<double>(items) +
                          kIndexBytesPerItem + kGhostBytesPerItem;
  const double share = static_cast<double>(budget_.limit()) / static_cast<double>(config_.shards);
  const auto fit = static_cast<std::size_t>(share / per_item);
  const std::size_t wanted =
      (fit * 32 / kGrowLoad32 + IndexTable::kSlotsPerBucket - 1) / IndexTable::kSlotsPerBucket;
  const std::size_t page = PageBuckets();
  return std::min((wanted + page - 1) / page * page, next);
}

bool Shard::ForEachLive(std::uint32_t now, FunctionRef<bool(ItemRef)> visit) {
  for (std::size_t i = 0; i < index_.capacity(); ++i) {
    const std::uint64_t entry = *index_.slot_at(i);
    if (entry == 0) continue;
    ItemRef item = At(IndexTable::LocationOf(entry));
    if (Check(item, now) == Liveness::kLive && !visit(item)) return false;
  }
  return true;
}

std::int64_t Shard::OldestAccess() {
  for (Queue queue : {Queue::kMain, Queue::kSmall}) {
    for (std::uint32_t id = logs_[static_cast<int>(queue)].head; id != 0; id = segments_[id].next) {
      const Segment& segment = segments_[id];
      for (std::uint32_t at = 0; at < segment.used;) {
        ItemRef item(segment.data + at);
        if (!item.Has(kDead)) return item.last_access();
        at += static_cast<std::uint32_t>(item.entry_bytes());
      }
    }
  }
  return -1;
}

ClassCounters& Shard::counters_for(ItemRef item) {
  return stats_.classes[ClassOf(TotalBytes(item))];
}

std::size_t Shard::TotalBytes(ItemRef item) const {
  const std::size_t entry = item.entry_bytes();
  return item.Has(kExternal) ? entry + RoundUpToPages(item.value_length()) : entry;
}

}  // namespace mnemo::memory
