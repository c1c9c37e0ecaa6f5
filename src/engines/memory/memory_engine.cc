#include "engines/memory/memory_engine.h"

#include <algorithm>
#include <bit>
#include <limits>
#include <mutex>

#include "mnemo/item_rules.h"

namespace mnemo {
namespace {

using memory::ItemBit;
using memory::ItemRef;

constexpr std::size_t kMinSegment = 16 * 1024;
constexpr std::size_t kMaxSegment = std::size_t{1} << memory::IndexTable::kOffsetBits;
// Each shard leaves the tails of its two logs partly filled: small segments and few shards
// keep that slack small (at -m 64, 256 KiB x 16 shards held 9% fewer items than 64 KiB x 4;
// hit ratio -0.0025 in the Zipf benchmark, docs/BENCHMARKS.md).
constexpr std::size_t kDefaultSegment = 64 * 1024;
// Segments are at most the limit / this, so that the small queue's 10% is a segment.
constexpr std::size_t kSegmentsPerShard = 16;
// A shard is given at least this many segments before the limit is split further.
constexpr std::size_t kSegmentsPerDefaultShard = 256;
constexpr std::size_t kMaxDefaultShards = 16;
constexpr std::size_t kMaxShards = 256;

std::size_t PlanShardCount(const MemoryEngineConfig& config, std::size_t segment) {
  std::size_t shards = config.shards;
  if (shards == 0) {
    shards = std::clamp<std::size_t>(
        std::bit_floor(config.memory_limit_bytes / (segment * kSegmentsPerDefaultShard)), 1,
        kMaxDefaultShards);
  }
  return std::clamp<std::size_t>(std::bit_floor(shards), 1, kMaxShards);
}

memory::ShardConfig PlanShard(const MemoryEngineConfig& config) {
  std::size_t segment = config.segment_bytes;
  if (segment == 0) {
    segment = std::clamp(std::bit_floor(config.memory_limit_bytes / kSegmentsPerShard), kMinSegment,
                         kDefaultSegment);
  }
  segment = std::clamp(std::bit_floor(segment), kMinSegment, kMaxSegment);
  return {segment, segment / 4, config.evict, PlanShardCount(config, segment)};
}

}  // namespace

MemoryEngine::MemoryEngine(const Clock& clock, MemoryEngineConfig config)
    : clock_(clock),
      config_(config),
      // One second back, so that every time from now on is at least 1 and 0 can mean "never".
      epoch_(clock.Now() - 1),
      shard_config_(PlanShard(config)),
      budget_(config.memory_limit_bytes) {
  shards_.reserve(shard_config_.shards);
  for (std::size_t i = 0; i < shard_config_.shards; ++i) {
    shards_.push_back(std::make_unique<Shard>(shard_config_, budget_, flush_, evictions_));
  }
}

MemoryEngine::~MemoryEngine() = default;

std::uint32_t MemoryEngine::Rel(std::int64_t time) const {
  constexpr std::int64_t kMax = std::numeric_limits<std::uint32_t>::max();
  return static_cast<std::uint32_t>(std::clamp<std::int64_t>(time - epoch_, 0, kMax));
}

std::uint32_t MemoryEngine::RelDeadline(std::int64_t deadline) const {
  if (deadline == 0) return 0;
  // Deadlines from before the engine existed have passed: 1 keeps them apart from "never".
  return std::max<std::uint32_t>(Rel(deadline), 1);
}

std::int64_t MemoryEngine::AbsDeadline(std::uint32_t rel) const {
  // No deadline set after the engine started maps to 1 (ToDeadline's "already passed" value),
  // so 1 maps back to it.
  return rel <= 1 ? rel : epoch_ + rel;
}

std::uint64_t MemoryEngine::NextCas(std::uint64_t requested) {
  if (requested != 0) return requested;
  return last_cas_.fetch_add(1, std::memory_order_relaxed) + 1;
}

void MemoryEngine::RaiseCasCounter(std::uint64_t at_least) {
  std::uint64_t last = last_cas_.load(std::memory_order_relaxed);
  while (last < at_least && !last_cas_.compare_exchange_weak(last, at_least)) {
  }
}

ItemView MemoryEngine::View(ItemRef item) const {
  ItemView view;
  view.key = item.key();
  view.value = item.value();
  view.client_flags = item.client_flags();
  view.cas = item.cas();
  view.deadline = AbsDeadline(item.deadline());
  view.last_access = Abs(item.last_access());
  view.fetched = item.Has(memory::kFetched);
  view.stale = item.Has(memory::kStale);
  view.deadline_before = view.deadline;
  view.binary_key = item.binary_key();
  return view;
}

memory::ItemSpec MemoryEngine::NewSpec(const HashedKey& key, std::int64_t now) const {
  memory::ItemSpec spec;
  spec.last_access = Rel(now);
  spec.tag = memory::IndexTable::TagOf(key.hash());
  spec.key = key.key();
  return spec;
}

void MemoryEngine::Bump(ItemRef item, std::int64_t now) const {
  item.Set(memory::kFetched, true);
  item.set_last_access(Rel(now));
  item.set_frequency(memory::S3Fifo::Accessed(item.frequency()));
}

GetStatus MemoryEngine::Get(const GetRequest& request, ItemVisitor on_hit) {
  const std::int64_t now = clock_.Now();
  return WithRoom<GetStatus>(request.key, [&](Shard& shard, bool last) {
    GetStatus miss = GetStatus::kMiss;
    Shard::Found found = shard.FindLive(request.key, Rel(now), &miss);
    if (found) return std::optional<GetStatus>(Hit(shard, found, request, now, on_hit));
    if (!request.vivify_exptime || request.peek) return std::optional<GetStatus>(miss);
    return Vivify(shard, request, now, on_hit, last);
  });
}

GetStatus MemoryEngine::Hit(Shard& shard, Shard::Found found, const GetRequest& request,
                            std::int64_t now, ItemVisitor on_hit) {
  ItemRef item = found.item;
  ItemView view = View(item);  // access state from before this request
  view.lost = item.Has(memory::kTokenSent);
  if (request.peek) {
    on_hit(view);
    return GetStatus::kHit;
  }
  memory::ClassCounters& counters = shard.counters_for(item);
  if (request.touch_exptime) {
    shard.SetDeadline(found, RelDeadline(ToDeadline(*request.touch_exptime, now)));
    ++counters.touch_hits;
  }
  // One recache token per item: the first fetcher of a stale item, or the first to see the
  // remaining TTL under its R threshold, wins (W); later fetchers see it taken (Z).
  const bool token_free = !item.Has(memory::kTokenSent);
  bool won = token_free && item.Has(memory::kStale);
  if (token_free && request.recache_ttl && item.deadline() != 0 &&
      AbsDeadline(item.deadline()) < ToDeadline(*request.recache_ttl, now)) {
    won = true;
  }
  if (won) item.Set(memory::kTokenSent, true);
  view.win = won;
  view.deadline = AbsDeadline(item.deadline());
  if (request.bump) Bump(item, now);
  ++counters.get_hits;
  on_hit(view);
  return GetStatus::kHit;
}

std::optional<GetStatus> MemoryEngine::Vivify(Shard& shard, const GetRequest& request,
                                              std::int64_t now, ItemVisitor on_hit, bool last) {
  memory::ItemSpec spec = NewSpec(request.key, now);
  spec.deadline = RelDeadline(ToDeadline(*request.vivify_exptime, now));
  spec.bits = memory::kTokenSent;  // this caller wins; everyone else sees Z until a real store
  Shard::NewItemRef created = shard.NewItem(spec, Rel(now));
  if (!created) {
    if (!last) return std::nullopt;
    return GetStatus::kMiss;
  }
  created.item.set_cas(NextCas(0));
  shard.Link(request.key, created);
  ItemView view = View(created.item);
  view.win = true;
  view.vivified = true;
  if (request.bump) Bump(created.item, now);
  on_hit(view);
  return GetStatus::kHit;
}

DeleteStatus MemoryEngine::Delete(const DeleteRequest& request) {
  const std::int64_t now = clock_.Now();
  Shard& shard = ShardFor(request.key);
  std::lock_guard lock(shard.mu());
  Shard::Found found = shard.FindLive(request.key, Rel(now));
  if (!found) return DeleteStatus::kNotFound;
  ItemRef item = found.item;
  if (request.compare_cas != 0 && request.compare_cas != item.cas()) return DeleteStatus::kExists;
  ++shard.counters_for(item).delete_hits;
  if (request.invalidate) {
    // The item stays, served as stale, and the next fetcher may win the token again.
    if (request.invalidate_exptime) {
      shard.SetDeadline(found, RelDeadline(ToDeadline(*request.invalidate_exptime, now)));
    }
    item.Set(memory::kStale, true);
    item.Set(memory::kTokenSent, false);
    item.set_cas(NextCas(request.new_cas));
  } else {
    shard.Unlink(found, memory::UnlinkReason::kRemoved, Rel(now));
  }
  return DeleteStatus::kDeleted;
}

TouchStatus MemoryEngine::Touch(const HashedKey& key, std::int64_t exptime) {
  const std::int64_t now = clock_.Now();
  Shard& shard = ShardFor(key);
  std::lock_guard lock(shard.mu());
  Shard::Found found = shard.FindLive(key, Rel(now));
  if (!found) return TouchStatus::kNotFound;
  shard.SetDeadline(found, RelDeadline(ToDeadline(exptime, now)));
  Bump(found.item, now);
  ++shard.counters_for(found.item).touch_hits;
  return TouchStatus::kTouched;
}

void MemoryEngine::FlushAll(std::int64_t delay) {
  std::vector<std::unique_lock<std::mutex>> locks;
  locks.reserve(shards_.size());
  for (auto& shard : shards_) locks.emplace_back(shard->mu());
  const std::int64_t now = clock_.Now();
  const std::int64_t rel_now = Rel(now);
  // A delayed flush whose moment has come stays in force; a later flush cannot undo it. It
  // caught the items stored so far; during its own second, later ones survive this call.
  if (flush_.pending >= 0 && rel_now >= flush_.pending) {
    if (rel_now > flush_.pending) {
      flush_.settled = std::max(flush_.settled, flush_.pending);
    } else {
      flush_.settled = std::max(flush_.settled, flush_.pending - 1);
      flush_.cas_second = flush_.pending;
      flush_.cas = last_cas_.load(std::memory_order_relaxed);
    }
    ++flush_.sweeps;
  }
  flush_.pending = -1;
  if (delay > 0) {
    // memcached's oldest_live is one second before the requested moment, and it applies
    // once the clock reaches it; a moment already reached flushes right away.
    const std::int64_t moment = ToDeadline(delay, now) - 1;
    if (moment > now) {
      flush_.pending = Rel(moment);
      return;
    }
  }
  // Immediate: everything stored so far is gone, including items stored earlier this second,
  // told apart from later ones by their CAS (as memcached does).
  flush_.settled = std::max(flush_.settled, rel_now - 1);
  flush_.cas_second = rel_now;
  flush_.cas = last_cas_.load(std::memory_order_relaxed);
  ++flush_.sweeps;
}

void MemoryEngine::ForEach(FunctionRef<bool(const ItemView&)> visit) {
  const std::uint32_t now = Rel(clock_.Now());
  for (auto& shard : shards_) {
    std::lock_guard lock(shard->mu());
    if (!shard->ForEachLive(now, [&](ItemRef item) { return visit(View(item)); })) return;
  }
}

void MemoryEngine::SetMemoryLimit(std::size_t bytes) {
  budget_.set_limit(bytes);
  const std::uint32_t now = Rel(clock_.Now());
  for (bool progress = true; progress && budget_.used() > bytes;) {
    progress = false;
    for (auto& shard : shards_) {
      if (budget_.used() <= bytes) break;
      std::lock_guard lock(shard->mu());
      if (shard->Shed(shard_config_.segment_bytes, now) > 0) progress = true;
    }
  }
}

// Takes memory from the shards holding the most segments, one shard mutex at a time (the
// caller holds none), until `bytes` were released or nothing more can be.
bool MemoryEngine::TakeFromOtherShards(std::size_t self, std::size_t bytes) {
  const std::uint32_t now = Rel(clock_.Now());
  bytes = std::max(bytes, shard_config_.segment_bytes);
  std::size_t taken = 0;
  for (std::size_t round = 0; round < shards_.size() && taken < bytes; ++round) {
    std::size_t victim = self;
    std::size_t most = 0;
    for (std::size_t i = 0; i < shards_.size(); ++i) {
      if (i != self && shards_[i]->segments_held() > most) {
        victim = i;
        most = shards_[i]->segments_held();
      }
    }
    if (victim == self) break;
    std::lock_guard lock(shards_[victim]->mu());
    const std::size_t shed = shards_[victim]->Shed(bytes - taken, now);
    if (shed == 0) break;
    taken += shed;
  }
  return taken > 0;
}

}  // namespace mnemo
