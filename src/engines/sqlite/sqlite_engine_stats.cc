// SqliteEngine's stats groups, in memcached's field shapes. Like the map engine, the table
// has no slabs or LRU segments: `stats items` and `stats slabs` describe everything as one
// class (1). Before measuring, the writer deletes every dead row (as memcached's crawler would
// have), so curr_items and bytes count live items only.
#include <algorithm>
#include <string>

#include "engines/sqlite/engine_state.h"
#include "engines/sqlite/reader_pool.h"
#include "engines/sqlite/row_store.h"
#include "engines/sqlite/sqlite_engine.h"
#include "engines/sqlite/write_ops.h"
#include "engines/sqlite/writer.h"

namespace mnemo {
namespace {

using sqlite::Counters;
using sqlite::Read;
using sqlite::TableStats;

void Emit(StatSink sink, std::string_view name, std::uint64_t value) {
  sink(name, std::to_string(value));
}

void GeneralStats(const TableStats& table, const sqlite::SharedState& shared, StatSink sink) {
  const Counters& c = shared.counters;
  Emit(sink, "bytes", table.totals.bytes);
  Emit(sink, "curr_items", table.totals.items);
  Emit(sink, "total_items", Read(c.total_items));
  Emit(sink, "slab_global_page_pool", 0);
  Emit(sink, "expired_unfetched", Read(c.expired_unfetched));
  Emit(sink, "evicted_unfetched", Read(c.evicted_unfetched));
  Emit(sink, "evicted_active", Read(c.evicted_active));
  Emit(sink, "evictions", Read(c.evictions));
  Emit(sink, "reclaimed", Read(c.reclaimed));
  Emit(sink, "crawler_reclaimed", Read(c.crawler_reclaimed));
  Emit(sink, "crawler_items_checked", 0);
  Emit(sink, "lrutail_reflocked", 0);
  Emit(sink, "moves_to_cold", 0);
  Emit(sink, "moves_to_warm", 0);
  Emit(sink, "moves_within_lru", 0);
  Emit(sink, "direct_reclaims", 0);
  Emit(sink, "lru_bumps_dropped", 0);
  Emit(sink, "sqlite_commits", Read(c.commits));
  Emit(sink, "sqlite_write_ops", Read(c.write_ops));
  Emit(sink, "sqlite_errors", Read(c.errors));
  Emit(sink, "sqlite_checkpoints", Read(c.checkpoints));
  Emit(sink, "sqlite_wal_syncs", Read(c.wal_syncs));
  Emit(sink, "sqlite_file_bytes", static_cast<std::uint64_t>(table.file_bytes));
  Emit(sink, "sqlite_cache_hits", Read(c.cache_hits));
  Emit(sink, "sqlite_cache_items", shared.cache.items());
  Emit(sink, "sqlite_cache_bytes", shared.cache.bytes());
  // Changes journaled and not yet folded into the items table, and the memory they hold.
  Emit(sink, "sqlite_journal_items", shared.pending.size());
  Emit(sink, "sqlite_journal_bytes", shared.pending.bytes());
}

void ItemStats(const TableStats& table, const Counters& c, std::int64_t now, StatSink sink) {
  // memcached lists only the classes that hold items.
  if (table.totals.items == 0) return;
  auto field = [&](std::string_view name, std::uint64_t value) {
    Emit(sink, "items:1:" + std::string(name), value);
  };
  field("number", table.totals.items);
  field("number_hot", table.totals.items);
  field("number_warm", 0);
  field("number_cold", 0);
  field("age_hot", 0);
  field("age_warm", 0);
  const std::int64_t oldest = table.oldest_access == INT64_MAX ? now : table.oldest_access;
  field("age", static_cast<std::uint64_t>(std::max<std::int64_t>(0, now - oldest)));
  field("mem_requested", table.totals.bytes);
  field("evicted", Read(c.evictions));
  field("evicted_nonzero", 0);
  field("evicted_time", 0);
  field("outofmemory", Read(c.outofmemory));
  field("tailrepairs", 0);
  field("reclaimed", Read(c.reclaimed));
  field("expired_unfetched", Read(c.expired_unfetched));
  field("evicted_unfetched", Read(c.evicted_unfetched));
  field("evicted_active", Read(c.evicted_active));
  field("crawler_reclaimed", Read(c.crawler_reclaimed));
  for (std::string_view name : {"crawler_items_checked", "lrutail_reflocked", "moves_to_cold",
                                "moves_to_warm", "moves_within_lru", "direct_reclaims"}) {
    field(name, 0);
  }
  field("hits_to_hot", Read(c.get_hits));
  field("hits_to_warm", 0);
  field("hits_to_cold", 0);
  field("hits_to_temp", 0);
}

void SlabStats(const TableStats& table, const Counters& c, std::size_t item_size_max,
               StatSink sink) {
  const std::uint64_t items = table.totals.items;
  if (items != 0) {
    auto field = [&](std::string_view name, std::uint64_t value) {
      Emit(sink, "1:" + std::string(name), value);
    };
    field("chunk_size", item_size_max);
    field("chunks_per_page", 1);
    field("total_pages", items);
    field("total_chunks", items);
    field("used_chunks", items);
    field("free_chunks", 0);
    field("free_chunks_end", 0);
    field("get_hits", Read(c.get_hits));
    field("cmd_set", Read(c.cmd_set));
    field("delete_hits", Read(c.delete_hits));
    field("incr_hits", Read(c.incr_hits));
    field("decr_hits", Read(c.decr_hits));
    field("cas_hits", Read(c.cas_hits));
    field("cas_badval", Read(c.cas_badval));
    field("touch_hits", Read(c.touch_hits));
  }
  Emit(sink, "active_slabs", items == 0 ? 0 : 1);
  Emit(sink, "total_malloced", static_cast<std::uint64_t>(table.file_bytes));
}

}  // namespace

bool SqliteEngine::Stats(std::string_view group, StatSink sink) {
  if (group == "sizes") {
    sink("sizes_status", "disabled");  // memcached without -o track_sizes
    return true;
  }
  if (!group.empty() && group != "items" && group != "slabs") return false;
  TableStats table;
  // The oldest access reads the whole table (no index has it): on a reader connection, after
  // the sweep has committed, so that writes do not wait for it. An in-memory database has
  // no readers: the writer reads it.
  const bool oldest_on_reader = group == "items" && !readers_->empty();
  writer_->Run([&](sqlite::WriteOps& ops) {
    Result<TableStats> swept = ops.Sweep(/*oldest_access=*/group == "items" && !oldest_on_reader);
    if (swept.ok()) table = *swept;
    return swept.ok();
  });
  if (oldest_on_reader) {
    readers_->Run([&](sqlite::RowStore& rows) {
      Result<std::int64_t> oldest = rows.OldestAccess();
      if (oldest.ok()) table.oldest_access = *oldest;
    });
  }
  // The pending rows are items too; read in memory, off the writer.
  if (group == "items") {
    table.oldest_access = std::min(table.oldest_access, shared_->pending.OldestAccess());
  }
  const Counters& counters = shared_->counters;
  if (group.empty()) {
    GeneralStats(table, *shared_, sink);
  } else if (group == "items") {
    ItemStats(table, counters, shared_->Now(), sink);
  } else {
    SlabStats(table, counters, config().item_size_max, sink);
  }
  return true;
}

}  // namespace mnemo
