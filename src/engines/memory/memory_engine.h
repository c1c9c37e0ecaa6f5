// MemoryEngine: the engine mnemod runs by default. A hash-sharded, memory-limited cache with
// memcached 1.6.18 item semantics (the MapEngine's, which the conformance suite pins down)
// and S3-FIFO eviction. Items are packed into fixed-size segments that double as the
// eviction queues (see shard.h); each item is one contiguous header + key + value of 19 to
// 27 header bytes, plus about 11 bytes of index. Every byte mapped for items, the index and
// the ghost is charged against memory_limit_bytes before it is mapped, so the accounted size
// never exceeds the limit and RSS stays close to it. Keys must carry HashedKey's own hash
// (its one-argument constructor, as every protocol handler builds them): items store no
// hash, and eviction rehashes their keys that way to find their index slots.
//
// Thread safety: every public method is safe to call concurrently. Keys are spread over
// shards with one mutex each; a request locks only its key's shard, except FlushAll (every
// shard), ForEach and Stats (one shard at a time) and a store that must take memory from
// other shards (one at a time, never two at once). Visitors and stat sinks run with a shard
// mutex held and must not call back into the engine.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "engines/memory/memory_budget.h"
#include "engines/memory/shard.h"
#include "mnemo/engine.h"

namespace mnemo {

struct MemoryEngineConfig {
  // memcached -m: the bytes items, their index and the eviction ghost may use together.
  std::size_t memory_limit_bytes = 64 * 1024 * 1024;
  // memcached -I: the largest item (header + key + value) accepted, see ItemFits().
  std::size_t item_size_max = 1024 * 1024;
  // false = memcached -M: a store that does not fit answers kNoMemory instead of evicting.
  bool evict = true;
  // 0 = derived from the limit (see README.md). Shards: a power of two up to 256.
  // Segments: a power of two from 16 KiB to 1 MiB; values over a quarter of a segment are
  // stored in pages of their own.
  std::size_t shards = 0;
  std::size_t segment_bytes = 0;
};

class MemoryEngine final : public Engine {
 public:
  // `clock` must outlive the engine.
  MemoryEngine(const Clock& clock, MemoryEngineConfig config);
  ~MemoryEngine() override;

  MemoryEngine(const MemoryEngine&) = delete;
  MemoryEngine& operator=(const MemoryEngine&) = delete;

  GetStatus Get(const GetRequest& request, ItemVisitor on_hit) override;
  StoreResult Store(const StoreRequest& request) override;
  DeleteStatus Delete(const DeleteRequest& request) override;
  ArithResult Arithmetic(const ArithRequest& request) override;
  TouchStatus Touch(const HashedKey& key, std::int64_t exptime) override;
  void FlushAll(std::int64_t delay) override;
  void ForEach(FunctionRef<bool(const ItemView&)> visit) override;
  bool Stats(std::string_view group, StatSink sink) override;
  std::int64_t Now() const override { return clock_.Now(); }
  void SetEvictionListener(EvictionListener* listener) override {
    evictions_.store(listener, std::memory_order_release);
  }

  // memcached's cache_memlimit. Lowering the limit evicts at once until the accounted bytes
  // fit (as far as eviction can: the index never shrinks).
  void SetMemoryLimit(std::size_t bytes);
  std::size_t memory_limit() const { return budget_.limit(); }
  // Everything charged against the limit: segments, external values, index and ghost.
  std::size_t accounted_bytes() const { return budget_.used(); }
  std::size_t shard_count() const { return shards_.size(); }
  // Warm restart (snapshot.h): the last CAS handed out, and a way to move it past the CAS
  // values of reloaded items so that none of them is handed out again. Never lowers it.
  std::uint64_t cas_counter() const { return last_cas_.load(std::memory_order_relaxed); }
  void RaiseCasCounter(std::uint64_t at_least);
  std::size_t segment_bytes() const { return shard_config_.segment_bytes; }

 private:
  using Shard = memory::Shard;

  Shard& ShardFor(const HashedKey& key) { return *shards_[ShardIndex(key)]; }
  std::size_t ShardIndex(const HashedKey& key) const {
    return static_cast<std::size_t>(key.hash() >> 32) & (shards_.size() - 1);
  }
  // Runs op(shard, last) under the key's shard mutex. op returns nullopt when the shard could
  // not make room (never when `last`); memory is then taken from other shards and op retried.
  template <class Result, class Op>
  Result WithRoom(const HashedKey& key, Op op);
  bool TakeFromOtherShards(std::size_t self, std::size_t bytes);

  // Times are kept in 32 bits as seconds since epoch_.
  std::uint32_t Rel(std::int64_t time) const;
  std::uint32_t RelDeadline(std::int64_t deadline) const;
  std::int64_t Abs(std::uint32_t rel) const { return epoch_ + rel; }
  std::int64_t AbsDeadline(std::uint32_t rel) const;
  std::uint64_t NextCas(std::uint64_t requested);
  ItemView View(memory::ItemRef item) const;
  memory::ItemSpec NewSpec(const HashedKey& key, std::int64_t now) const;
  void Bump(memory::ItemRef item, std::int64_t now) const;

  GetStatus Hit(Shard& shard, Shard::Found found, const GetRequest& request, std::int64_t now,
                ItemVisitor on_hit);
  std::optional<GetStatus> Vivify(Shard& shard, const GetRequest& request, std::int64_t now,
                                  ItemVisitor on_hit, bool last);
  std::optional<StoreResult> StoreLocked(Shard& shard, const StoreRequest& request, StoreMode mode,
                                         std::int64_t now, bool last);
  // The outcome decided before any memory is touched, or nullopt to go on storing `spec`.
  std::optional<StoreResult> CheckMissing(const StoreRequest& request, StoreMode mode,
                                          std::int64_t now, memory::ItemSpec* spec) const;
  std::optional<StoreResult> CheckExisting(Shard& shard, const StoreRequest& request,
                                           StoreMode mode, memory::ItemRef old, std::int64_t now,
                                           memory::ItemSpec* spec);
  std::optional<ArithResult> ApplyDelta(Shard& shard, const ArithRequest& request,
                                        memory::ItemRef item, std::int64_t now, bool last);
  std::optional<ArithResult> CreateCounter(Shard& shard, const ArithRequest& request,
                                           std::int64_t now, bool last);
  // Writes `value` into a new item based on spec and links it; nullopt when out of memory.
  std::optional<memory::ItemRef> Replace(Shard& shard, const HashedKey& key, memory::ItemSpec spec,
                                         std::string_view value, std::uint64_t new_cas,
                                         std::int64_t now);

  void GeneralStats(StatSink sink);
  void ItemStats(StatSink sink);
  void SlabStats(StatSink sink);

  const Clock& clock_;
  const MemoryEngineConfig config_;
  const std::int64_t epoch_;
  const memory::ShardConfig shard_config_;
  memory::MemoryBudget budget_;
  memory::FlushState flush_;  // written only with every shard mutex held
  std::atomic<EvictionListener*> evictions_{nullptr};
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<std::uint64_t> last_cas_{0};  // the first CAS handed out is 1
};

template <class Result, class Op>
Result MemoryEngine::WithRoom(const HashedKey& key, Op op) {
  // A few rounds: each takes at least the missing bytes from the other shards (without
  // eviction, only their spare segments and dead bytes). Other threads' stores may take what a
  // round freed before this one gets to it; memcached, too, gives up after 10 tries
  // (do_item_alloc_pull), which made a failed store rare enough under contention here (4 made
  // about one run in 400 of MemoryEngineConcurrencyTest's eviction test fail one store).
  constexpr int kAttempts = 10;
  const std::size_t index = ShardIndex(key);
  bool last = false;
  for (int attempt = 1;; ++attempt) {
    std::size_t shortfall = 0;
    {
      std::lock_guard lock(shards_[index]->mu());
      std::optional<Result> result = op(*shards_[index], last);
      if (result) return *result;
      shortfall = shards_[index]->shortfall();
    }
    last = attempt + 1 >= kAttempts || !TakeFromOtherShards(index, shortfall);
  }
}

}  // namespace mnemo
