// Shard: one lock's worth of the memory engine. It owns a slice of the keys (picked by hash
// bits), their index, and the two S3-FIFO queues, each a log of fixed-size segments that new
// items are appended to. Eviction works on whole segments at a log's head: every item there
// is judged by the policy and either dropped or copied to main's tail, and the emptied
// segment is reused; the logs are therefore the FIFO queues themselves, and items need no
// list pointers. Memory of deleted, replaced and expired items is reclaimed by merging two
// neighbouring segments whose live bytes fit in one, before any live item is evicted.
//
// Thread safety: mu() guards everything; every method but mu() and segments_held() REQUIRES
// it. ItemRefs and slots returned stay valid until the next call that may allocate or evict
// (NewItem, or anything that makes room).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "engines/memory/index_table.h"
#include "engines/memory/item_layout.h"
#include "engines/memory/memory_budget.h"
#include "engines/memory/s3fifo.h"
#include "mnemo/engine.h"
#include "mnemo/function_ref.h"
#include "mnemo/key.h"
#include "mnemo/protocol/response.h"

namespace mnemo::memory {

// flush_all's state, in seconds since the engine epoch. It is written only while every
// shard's mutex is held, so reading it under any one of them is race-free.
struct FlushState {
  std::int64_t settled = -1;     // items last accessed at or before this second are flushed
  std::int64_t pending = -1;     // a delayed flush's moment, once reached; -1 = none
  std::int64_t cas_second = -1;  // an immediate flush's second and the last CAS handed out
  std::uint64_t cas = 0;         // before it: that second's earlier items are flushed too
  std::uint64_t sweeps = 0;      // counts flushes that took effect (see Shard::Settle)
};

struct ShardConfig {
  std::size_t segment_bytes = 0;
  std::size_t inline_max = 0;  // larger items keep their value in pages of its own
  bool evict = true;
  std::size_t shards = 1;  // shards sharing the limit: sizes this one's index (GrowIndex)
};

enum class Liveness : std::uint8_t { kLive, kExpired, kFlushed };
enum class UnlinkReason : std::uint8_t { kRemoved, kReclaimed, kCrawled, kEvicted };

// Size classes for `stats items` and `stats slabs`: class c holds items whose total size
// (entry plus external pages) is in (32 << (c-1), 64 << (c-1)]. Items are packed exactly, so
// a class is only a size bucket, not a chunk size.
inline constexpr std::size_t kClasses = 32;
std::size_t ClassOf(std::size_t bytes);
inline std::size_t ClassChunkSize(std::size_t cls) { return std::size_t{64} << (cls - 1); }

struct ClassCounters {
  std::uint64_t number = 0, number_small = 0, bytes = 0;
  std::uint64_t evicted = 0, evicted_nonzero = 0, evicted_unfetched = 0;
  std::int64_t evicted_time = 0;  // seconds between last access and eviction, latest eviction
  std::uint64_t reclaimed = 0, expired_unfetched = 0, crawler_reclaimed = 0, outofmemory = 0;
  std::uint64_t get_hits = 0, cmd_set = 0, delete_hits = 0, incr_hits = 0, decr_hits = 0;
  std::uint64_t cas_hits = 0, cas_badval = 0, touch_hits = 0;
};

struct ShardStats {
  std::array<ClassCounters, kClasses> classes;
  std::uint64_t total_items = 0;
  std::uint64_t crawler_items_checked = 0;
  std::uint64_t memcached_bytes = 0;  // MemcachedItemSize() of every item, for `bytes`
  std::uint64_t promotions = 0;       // small -> main
  std::uint64_t reinsertions = 0;     // main -> main, spending frequency
};

class Shard {
 public:
  struct Found {
    std::uint64_t* slot = nullptr;
    ItemRef item;
    explicit operator bool() const { return slot != nullptr; }
  };

  // `evictions`: who is told of each eviction (null: nobody), shared by the engine's shards.
  Shard(const ShardConfig& config, MemoryBudget& budget, const FlushState& flush,
        const std::atomic<EvictionListener*>& evictions);
  ~Shard();
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  std::mutex& mu() { return mu_; }
  // Segments this shard holds; read without the mutex to pick a shard to take memory from.
  std::size_t segments_held() const { return held_.load(std::memory_order_relaxed); }

  Found Find(const HashedKey& key);
  Liveness Check(ItemRef item, std::uint32_t now) const;
  // The key's live item; a dead one is unlinked (reclaimed) and its kind reported in *miss.
  Found FindLive(const HashedKey& key, std::uint32_t now, GetStatus* miss = nullptr);

  // An item made by NewItem and not linked yet.
  struct NewItemRef {
    ItemRef item;
    std::uint64_t location = 0;
    explicit operator bool() const { return location != 0; }
  };

  // An unlinked item with header and key written; its value_length bytes are to be filled
  // through mutable_value(). Making room may move or drop any other item: Find again whatever
  // was found before. Returns an empty ref when no room could be made (see shortfall()).
  NewItemRef NewItem(const ItemSpec& spec, std::uint32_t now);
  // Links an item from NewItem under its key, replacing the key's current item if any.
  void Link(const HashedKey& key, const NewItemRef& item);
  // Drops an item from NewItem that will not be linked.
  void Abandon(const NewItemRef& item);
  void Unlink(Found found, UnlinkReason reason, std::uint32_t now);
  // Gives a linked item a new deadline (seconds since the epoch, 0 = never).
  void SetDeadline(Found found, std::uint32_t deadline);

  // Bytes the last failed NewItem lacked after evicting all it could here.
  std::size_t shortfall() const { return shortfall_; }
  // Evicts and releases at least `bytes` to the budget if it can, for another shard or a
  // lower limit. Returns the bytes released.
  std::size_t Shed(std::size_t bytes, std::uint32_t now);

  // Unlinks every expired or flushed item, so that the counters describe live items only:
  // a walk of the segments whose deadline bound has passed, and of all of them once after a
  // flush.
  void Settle(std::uint32_t now);
  // Calls visit for each live item until it returns false; returns false if stopped.
  bool ForEachLive(std::uint32_t now, FunctionRef<bool(ItemRef)> visit);
  // The last access of the item next in line for eviction, or -1 when the shard is empty.
  std::int64_t OldestAccess();
  ShardStats& stats() { return stats_; }
  ClassCounters& counters_for(ItemRef item);

 private:
  struct Segment {
    char* data = nullptr;
    std::uint32_t used = 0;  // bytes appended
    std::uint32_t live = 0;  // bytes of linked items
    std::uint32_t next = 0;  // the next segment of its log, 0 = none
    // No item here expires before this (0 = none has a deadline). Every deadline written
    // goes through NoteDeadline, so the bound is never late, only sometimes early.
    std::uint32_t min_deadline = 0;
    Queue queue = Queue::kSmall;
  };
  struct Log {
    std::uint32_t head = 0, tail = 0;
    std::size_t count = 0;
  };

  ItemRef At(std::uint64_t location) {
    return ItemRef(segments_[IndexTable::SegmentOf(location)].data +
                   IndexTable::OffsetOf(location));
  }
  std::size_t TotalBytes(ItemRef item) const;         // entry plus external pages
  void Retire(ItemRef item, std::uint64_t location);  // the bookkeeping of an unlink
  void ScanExpired(std::size_t slots, std::uint32_t now);
  bool EnsureIndexRoom(std::uint32_t now);
  bool GrowIndex(std::uint32_t now);
  std::size_t PlannedBuckets() const;

  // shard_space.cc: segments, logs, eviction and reclaim.
  std::uint64_t Allocate(Queue queue, std::size_t bytes, std::uint32_t now);
  std::uint32_t AcquireSegment(std::uint32_t now);
  bool Reserve(std::size_t bytes, std::uint32_t now);
  void ReleaseBytes(std::size_t bytes);
  bool FreeSomething(std::uint32_t now);
  bool ProcessHead(Queue queue, std::uint32_t now);
  bool MoveOut(std::uint32_t from, ItemRef item, std::uint64_t* slot);
  // Calls visit with every linked item of segment id and its index slot, in order.
  void ForEachLinked(std::uint32_t id, FunctionRef<void(ItemRef, std::uint64_t*)> visit);
  // shard_reclaim.cc: dead and expired bytes back without evicting.
  bool Reclaim(std::uint32_t now);
  bool SweepDead(std::uint32_t now, UnlinkReason reason);
  bool DropDead(std::uint32_t now, UnlinkReason reason, bool every_segment);
  void NoteDeadline(std::uint32_t id, std::uint32_t deadline);
  bool MergeOnce(Queue queue, std::uint32_t now);
  void Compact(std::uint32_t id, std::uint32_t into, std::uint32_t* write, std::uint32_t now);
  std::uint32_t NewSegmentId();
  void Recycle(std::uint32_t id);
  void ReleaseSpare();
  void Unmap(std::uint32_t id);  // returns the segment's memory to the kernel and the budget
  void PushTail(Queue queue, std::uint32_t id);
  std::uint32_t PopHead(Queue queue);
  std::size_t EvictionBound() const;

  const ShardConfig config_;
  MemoryBudget& budget_;
  const FlushState& flush_;
  const std::atomic<EvictionListener*>& evictions_;

  std::mutex mu_;
  // Everything below is guarded by mu_.
  IndexTable index_;
  S3Fifo policy_;
  std::vector<Segment> segments_;            // by id; id 0 is never used
  std::vector<std::uint32_t> unmapped_ids_;  // ids free for reuse, no memory
  std::uint32_t spare_ = 0;                  // a mapped, empty segment in no log
  Log logs_[2];                              // by Queue
  std::atomic<std::size_t> held_{0};         // mapped segments, the spare included
  std::size_t scan_cursor_ = 0;              // the expiry scan's next index slot
  std::uint64_t swept_ = 0;                  // flush_.sweeps at the last Settle
  std::int64_t swept_pending_ = -1;          // the delayed flush moment last settled
  std::size_t shortfall_ = 0;
  std::size_t released_ = 0;  // bytes ever released to the budget (Shed measures with it)
  ShardStats stats_;
};

}  // namespace mnemo::memory
