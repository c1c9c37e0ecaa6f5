// MapEngine's stats groups. The map has no slabs or LRU segments, so `stats items` and
// `stats slabs` describe everything as one slab class (1) in memcached's field shapes, and the
// counters of machinery the engine lacks (evictions, the crawler, LRU moves) are 0.
#include <algorithm>
#include <string>

#include "engines/map/map_engine.h"
#include "mnemo/item_rules.h"

namespace mnemo {
namespace {

struct Totals {
  std::uint64_t items = 0;
  std::uint64_t bytes = 0;
  std::int64_t oldest_access = 0;  // 0 when there are no items
};

void Emit(StatSink sink, std::string_view name, std::uint64_t value) {
  sink(name, std::to_string(value));
}

}  // namespace

bool MapEngine::Stats(std::string_view group, StatSink sink) {
  std::lock_guard lock(mu_);
  const std::int64_t now = clock_.Now();
  if (group.empty()) {
    GeneralStats(now, sink);
  } else if (group == "items") {
    ItemStats(now, sink);
  } else if (group == "slabs") {
    SlabStats(now, sink);
  } else if (group == "sizes") {
    sink("sizes_status", "disabled");  // memcached without -o track_sizes
  } else {
    return false;
  }
  return true;
}

namespace {

template <class Map, class CheckFn>
Totals Sum(const Map& items, CheckFn live) {
  Totals totals;
  for (const auto& [key, item] : items) {
    if (!live(item)) continue;
    ++totals.items;
    totals.bytes += MemcachedItemSize(key.size(), item.value.size(), item.client_flags);
    if (totals.oldest_access == 0 || item.last_access < totals.oldest_access) {
      totals.oldest_access = item.last_access;
    }
  }
  return totals;
}

}  // namespace

void MapEngine::GeneralStats(std::int64_t now, StatSink sink) {
  Totals totals =
      Sum(items_, [&](const Item& item) { return Check(item, now) == Liveness::kLive; });
  Emit(sink, "bytes", totals.bytes);
  Emit(sink, "curr_items", totals.items);
  Emit(sink, "total_items", counters_.total_items);
  Emit(sink, "slab_global_page_pool", 0);
  Emit(sink, "expired_unfetched", counters_.expired_unfetched);
  Emit(sink, "evicted_unfetched", 0);
  Emit(sink, "evicted_active", 0);
  Emit(sink, "evictions", 0);
  Emit(sink, "reclaimed", counters_.reclaimed);
  Emit(sink, "crawler_reclaimed", 0);
  Emit(sink, "crawler_items_checked", 0);
  Emit(sink, "lrutail_reflocked", 0);
  Emit(sink, "moves_to_cold", 0);
  Emit(sink, "moves_to_warm", 0);
  Emit(sink, "moves_within_lru", 0);
  Emit(sink, "direct_reclaims", 0);
  Emit(sink, "lru_bumps_dropped", 0);
}

void MapEngine::ItemStats(std::int64_t now, StatSink sink) {
  Totals totals =
      Sum(items_, [&](const Item& item) { return Check(item, now) == Liveness::kLive; });
  // memcached lists only the classes that hold items.
  if (totals.items == 0) return;
  auto field = [&](std::string_view name, std::uint64_t value) {
    Emit(sink, "items:1:" + std::string(name), value);
  };
  std::uint64_t age =
      static_cast<std::uint64_t>(std::max<std::int64_t>(0, now - totals.oldest_access));
  field("number", totals.items);
  // New items enter memcached's hot LRU; with no LRU maintainer here they stay there.
  field("number_hot", totals.items);
  field("number_warm", 0);
  field("number_cold", 0);
  field("age_hot", 0);
  field("age_warm", 0);
  field("age", age);
  field("mem_requested", totals.bytes);
  for (std::string_view name :
       {"evicted", "evicted_nonzero", "evicted_time", "outofmemory", "tailrepairs"}) {
    field(name, 0);
  }
  field("reclaimed", counters_.reclaimed);
  field("expired_unfetched", counters_.expired_unfetched);
  for (std::string_view name : {"evicted_unfetched", "evicted_active", "crawler_reclaimed",
                                "crawler_items_checked", "lrutail_reflocked", "moves_to_cold",
                                "moves_to_warm", "moves_within_lru", "direct_reclaims"}) {
    field(name, 0);
  }
  field("hits_to_hot", counters_.get_hits);
  field("hits_to_warm", 0);
  field("hits_to_cold", 0);
  field("hits_to_temp", 0);
}

void MapEngine::SlabStats(std::int64_t now, StatSink sink) {
  Totals totals =
      Sum(items_, [&](const Item& item) { return Check(item, now) == Liveness::kLive; });
  std::uint64_t active = totals.items == 0 ? 0 : 1;
  if (active != 0) {
    auto field = [&](std::string_view name, std::uint64_t value) {
      Emit(sink, "1:" + std::string(name), value);
    };
    field("chunk_size", config_.item_size_max);
    field("chunks_per_page", 1);
    field("total_pages", totals.items);
    field("total_chunks", totals.items);
    field("used_chunks", totals.items);
    field("free_chunks", 0);
    field("free_chunks_end", 0);
    field("get_hits", counters_.get_hits);
    field("cmd_set", counters_.cmd_set);
    field("delete_hits", counters_.delete_hits);
    field("incr_hits", counters_.incr_hits);
    field("decr_hits", counters_.decr_hits);
    field("cas_hits", counters_.cas_hits);
    field("cas_badval", counters_.cas_badval);
    field("touch_hits", counters_.touch_hits);
  }
  Emit(sink, "active_slabs", active);
  Emit(sink, "total_malloced", totals.bytes);
}

}  // namespace mnemo
