// MemoryEngine's stats groups in memcached's field shapes. Size classes are buckets of item
// size (see ClassOf): items are packed exactly into segments, so a class has no chunks of its
// own; `stats slabs` reports a class's items as its used chunks and none as free. The S3-FIFO
// small queue is reported as "hot" and main as "cold"; promotions count as moves_to_warm and
// main reinsertions as moves_within_lru. Machinery the engine lacks reports 0.
#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engines/memory/memory_engine.h"

namespace mnemo {
namespace {

using memory::ClassCounters;
using memory::ShardStats;

constexpr std::uint64_t ClassCounters::*kSummed[] = {
    &ClassCounters::number,
    &ClassCounters::number_small,
    &ClassCounters::bytes,
    &ClassCounters::evicted,
    &ClassCounters::evicted_nonzero,
    &ClassCounters::evicted_unfetched,
    &ClassCounters::reclaimed,
    &ClassCounters::expired_unfetched,
    &ClassCounters::crawler_reclaimed,
    &ClassCounters::outofmemory,
    &ClassCounters::get_hits,
    &ClassCounters::cmd_set,
    &ClassCounters::delete_hits,
    &ClassCounters::incr_hits,
    &ClassCounters::decr_hits,
    &ClassCounters::cas_hits,
    &ClassCounters::cas_badval,
    &ClassCounters::touch_hits,
};

void Add(const ShardStats& from, ShardStats* into) {
  for (std::size_t c = 0; c < memory::kClasses; ++c) {
    for (auto field : kSummed) into->classes[c].*field += from.classes[c].*field;
    into->classes[c].evicted_time =
        std::max(into->classes[c].evicted_time, from.classes[c].evicted_time);
  }
  into->total_items += from.total_items;
  into->memcached_bytes += from.memcached_bytes;
  into->crawler_items_checked += from.crawler_items_checked;
  into->promotions += from.promotions;
  into->reinsertions += from.reinsertions;
}

std::uint64_t Sum(const ShardStats& stats, std::uint64_t ClassCounters::*field) {
  std::uint64_t total = 0;
  for (const ClassCounters& counters : stats.classes) total += counters.*field;
  return total;
}

void Emit(StatSink sink, std::string_view name, std::uint64_t value) {
  sink(name, std::to_string(value));
}

// Sums every shard's counters, taking one shard mutex at a time; *oldest gets the earliest
// access among the items next in line for eviction (-1 if there are none).
ShardStats Collect(std::vector<std::unique_ptr<memory::Shard>>& shards, std::uint32_t now,
                   std::int64_t* oldest) {
  ShardStats totals;
  *oldest = -1;
  for (auto& shard : shards) {
    std::lock_guard lock(shard->mu());
    shard->Settle(now);  // counters then describe live items only, as memcached's crawler does
    Add(shard->stats(), &totals);
    const std::int64_t access = shard->OldestAccess();
    if (access >= 0 && (*oldest < 0 || access < *oldest)) *oldest = access;
  }
  return totals;
}

}  // namespace

bool MemoryEngine::Stats(std::string_view group, StatSink sink) {
  if (group.empty()) {
    GeneralStats(sink);
  } else if (group == "items") {
    ItemStats(sink);
  } else if (group == "slabs") {
    SlabStats(sink);
  } else if (group == "sizes") {
    sink("sizes_status", "disabled");  // memcached without -o track_sizes
  } else {
    return false;
  }
  return true;
}

void MemoryEngine::GeneralStats(StatSink sink) {
  std::int64_t oldest = 0;
  const ShardStats totals = Collect(shards_, Rel(clock_.Now()), &oldest);
  Emit(sink, "limit_maxbytes", budget_.limit());
  Emit(sink, "bytes", totals.memcached_bytes);  // memcached's item size, as clients expect
  Emit(sink, "curr_items", Sum(totals, &ClassCounters::number));
  Emit(sink, "total_items", totals.total_items);
  Emit(sink, "slab_global_page_pool", 0);
  Emit(sink, "expired_unfetched", Sum(totals, &ClassCounters::expired_unfetched));
  Emit(sink, "evicted_unfetched", Sum(totals, &ClassCounters::evicted_unfetched));
  Emit(sink, "evicted_active", 0);
  Emit(sink, "evictions", Sum(totals, &ClassCounters::evicted));
  Emit(sink, "reclaimed", Sum(totals, &ClassCounters::reclaimed));
  Emit(sink, "crawler_reclaimed", Sum(totals, &ClassCounters::crawler_reclaimed));
  Emit(sink, "crawler_items_checked", totals.crawler_items_checked);
  Emit(sink, "lrutail_reflocked", 0);
  Emit(sink, "moves_to_cold", 0);
  Emit(sink, "moves_to_warm", totals.promotions);
  Emit(sink, "moves_within_lru", totals.reinsertions);
  Emit(sink, "direct_reclaims", 0);
  Emit(sink, "lru_bumps_dropped", 0);
}

void MemoryEngine::ItemStats(StatSink sink) {
  std::int64_t oldest = 0;
  const ShardStats totals = Collect(shards_, Rel(clock_.Now()), &oldest);
  const std::int64_t now = clock_.Now();
  const std::uint64_t age = oldest < 0 ? 0 : std::max<std::int64_t>(0, now - Abs(oldest));
  for (std::size_t c = 1; c < memory::kClasses; ++c) {
    const ClassCounters& k = totals.classes[c];
    if (k.number == 0) continue;  // memcached lists only the classes that hold items
    const std::string prefix = "items:" + std::to_string(c) + ":";
    auto field = [&](std::string_view name, std::uint64_t value) {
      Emit(sink, prefix + std::string(name), value);
    };
    field("number", k.number);
    field("number_hot", k.number_small);
    field("number_warm", 0);
    field("number_cold", k.number - k.number_small);
    field("age_hot", 0);
    field("age_warm", 0);
    field("age", age);
    field("mem_requested", k.bytes);
    field("evicted", k.evicted);
    field("evicted_nonzero", k.evicted_nonzero);
    field("evicted_time", static_cast<std::uint64_t>(std::max<std::int64_t>(0, k.evicted_time)));
    field("outofmemory", k.outofmemory);
    field("tailrepairs", 0);
    field("reclaimed", k.reclaimed);
    field("expired_unfetched", k.expired_unfetched);
    field("evicted_unfetched", k.evicted_unfetched);
    field("evicted_active", 0);
    field("crawler_reclaimed", k.crawler_reclaimed);
    for (std::string_view name :
         {"crawler_items_checked", "lrutail_reflocked", "moves_to_cold", "moves_to_warm",
          "moves_within_lru", "direct_reclaims", "hits_to_hot", "hits_to_warm"}) {
      field(name, 0);
    }
    field("hits_to_cold", k.get_hits);
    field("hits_to_temp", 0);
  }
}

void MemoryEngine::SlabStats(StatSink sink) {
  std::int64_t oldest = 0;
  const ShardStats totals = Collect(shards_, Rel(clock_.Now()), &oldest);
  const std::size_t segment = shard_config_.segment_bytes;
  std::uint64_t active = 0;
  for (std::size_t c = 1; c < memory::kClasses; ++c) {
    const ClassCounters& k = totals.classes[c];
    if (k.number == 0) continue;
    ++active;
    const std::string prefix = std::to_string(c) + ":";
    auto field = [&](std::string_view name, std::uint64_t value) {
      Emit(sink, prefix + std::string(name), value);
    };
    const std::size_t chunk = memory::ClassChunkSize(c);
    field("chunk_size", chunk);
    field("chunks_per_page", std::max<std::size_t>(1, segment / chunk));
    field("total_pages", (k.bytes + segment - 1) / segment);
    field("total_chunks", k.number);
    field("used_chunks", k.number);
    field("free_chunks", 0);
    field("free_chunks_end", 0);
    field("get_hits", k.get_hits);
    field("cmd_set", k.cmd_set);
    field("delete_hits", k.delete_hits);
    field("incr_hits", k.incr_hits);
    field("decr_hits", k.decr_hits);
    field("cas_hits", k.cas_hits);
    field("cas_badval", k.cas_badval);
    field("touch_hits", k.touch_hits);
  }
  Emit(sink, "active_slabs", active);
  Emit(sink, "total_malloced", budget_.used());
}

}  // namespace mnemo
