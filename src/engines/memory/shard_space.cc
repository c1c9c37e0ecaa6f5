// The memory side of Shard: segments, the two logs and eviction at a log's head.
#include <cassert>
#include <cstring>
#include <utility>

#include "engines/memory/shard.h"
#include "mnemo/key.h"

namespace mnemo::memory {
namespace {

constexpr std::uint32_t kNoSegment = 0;
// Ids must fit the index's location field.
constexpr std::size_t kMaxSegments = std::size_t{1}
                                     << (IndexTable::kLocationBits - IndexTable::kOffsetBits);

int Of(Queue queue) { return static_cast<int>(queue); }

}  // namespace

std::uint64_t Shard::Allocate(Queue queue, std::size_t bytes, std::uint32_t now) {
  std::uint32_t tail = logs_[Of(queue)].tail;
  if (tail == kNoSegment || segments_[tail].used + bytes > config_.segment_bytes) {
    const std::uint32_t fresh = AcquireSegment(now);
    if (fresh == kNoSegment) return 0;
    // Making room may have compacted survivors into a new, partly filled tail of this queue
    // (main): fill that first. Pushing the fresh segment behind it would strand its free
    // bytes until it reached the head (at -m 64, 12% fewer items in the Zipf benchmark).
    tail = logs_[Of(queue)].tail;
    if (tail != kNoSegment && segments_[tail].used + bytes <= config_.segment_bytes) {
      Recycle(fresh);
    } else {
      tail = fresh;
      PushTail(queue, tail);
    }
  }
  Segment& segment = segments_[tail];
  const std::uint32_t at = segment.used;
  segment.used += static_cast<std::uint32_t>(bytes);
  return IndexTable::Location(tail, at);
}

std::uint32_t Shard::AcquireSegment(std::uint32_t now) {
  for (std::size_t round = 0, bound = EvictionBound(); round < bound; ++round) {
    if (spare_ != kNoSegment) return std::exchange(spare_, kNoSegment);
    if (budget_.TryCharge(config_.segment_bytes)) {
      const std::uint32_t id = NewSegmentId();
      MappedBlock block =
          id != kNoSegment ? MappedBlock::Map(config_.segment_bytes) : MappedBlock();
      if (!block) {
        if (id != kNoSegment) unmapped_ids_.push_back(id);
        ReleaseBytes(config_.segment_bytes);
        break;
      }
      segments_[id].data = block.Release();
      held_.fetch_add(1, std::memory_order_relaxed);
      return id;
    }
    if (!FreeSomething(now)) break;
  }
  shortfall_ = config_.segment_bytes;
  return kNoSegment;
}

bool Shard::Reserve(std::size_t bytes, std::uint32_t now) {
  for (std::size_t round = 0, bound = EvictionBound(); round < bound; ++round) {
    if (budget_.TryCharge(bytes)) return true;
    if (spare_ != kNoSegment) {
      ReleaseSpare();
    } else if (!FreeSomething(now)) {
      break;
    }
  }
  shortfall_ = bytes;
  return false;
}

std::size_t Shard::Shed(std::size_t bytes, std::uint32_t now) {
  const std::size_t start = released_;
  for (std::size_t round = 0, bound = EvictionBound(); round < bound; ++round) {
    if (released_ - start >= bytes) break;
    if (spare_ != kNoSegment) {
      ReleaseSpare();
    } else if (!FreeSomething(now)) {
      break;
    }
  }
  return released_ - start;
}

void Shard::ReleaseBytes(std::size_t bytes) {
  budget_.Release(bytes);
  released_ += bytes;
}

// One step towards free memory; false when nothing is left to try. Dead and expired bytes
// are reclaimed first; only then does S3-FIFO evict, from the queue it picks.
bool Shard::FreeSomething(std::uint32_t now) {
  if (Reclaim(now)) return true;
  if (!config_.evict) return false;
  const std::size_t small = logs_[Of(Queue::kSmall)].count;
  const std::size_t main = logs_[Of(Queue::kMain)].count;
  if (small + main == 0) return false;
  ProcessHead(policy_.VictimQueue(small, main), now);
  return true;
}

// Judges every item of the queue's head segment: dead and expired ones are dropped, the
// policy evicts or keeps the rest. Kept items go to main's tail; once that is full they are
// compacted at the start of the head segment itself, which then becomes main's tail, so
// eviction never needs memory it does not have. Returns true if the segment was freed.
bool Shard::ProcessHead(Queue queue, std::uint32_t now) {
  const std::uint32_t id = PopHead(queue);
  if (id == kNoSegment) return false;
  std::uint32_t write = 0;
  bool compacting = false;
  segments_[id].min_deadline = 0;  // recomputed from what stays
  ForEachLinked(id, [&](ItemRef item, std::uint64_t* slot) {
    if (Check(item, now) != Liveness::kLive) {
      Unlink({slot, item}, UnlinkReason::kReclaimed, now);
      return;
    }
    std::uint8_t freq = item.frequency();
    if (!policy_.Keep(queue, &freq, IndexTable::TagOfEntry(*slot))) {
      Unlink({slot, item}, UnlinkReason::kEvicted, now);
      return;
    }
    item.set_frequency(freq);
    if (queue == Queue::kSmall) {
      --counters_for(item).number_small;
      ++stats_.promotions;
    } else {
      ++stats_.reinsertions;
    }
    if (!compacting && MoveOut(id, item, slot)) return;
    compacting = true;
    const auto bytes = static_cast<std::uint32_t>(item.entry_bytes());
    std::memmove(segments_[id].data + write, item.data(), bytes);
    IndexTable::Relocate(slot, IndexTable::Location(id, write));
    NoteDeadline(id, item.deadline());
    write += bytes;
  });
  if (!compacting) {
    Recycle(id);
    return true;
  }
  segments_[id].used = write;
  PushTail(Queue::kMain, id);
  return false;
}

bool Shard::MoveOut(std::uint32_t from, ItemRef item, std::uint64_t* slot) {
  const std::uint32_t tail = logs_[Of(Queue::kMain)].tail;
  if (tail == kNoSegment) return false;
  Segment& target = segments_[tail];
  const auto bytes = static_cast<std::uint32_t>(item.entry_bytes());
  if (target.used + bytes > config_.segment_bytes) return false;
  std::memcpy(target.data + target.used, item.data(), bytes);
  IndexTable::Relocate(slot, IndexTable::Location(tail, target.used));
  target.used += bytes;
  target.live += bytes;
  segments_[from].live -= bytes;
  NoteDeadline(tail, item.deadline());
  return true;
}

// The walk reads each item's size before visiting it, so visit may move the item to an
// earlier offset of the same segment, or elsewhere.
void Shard::ForEachLinked(std::uint32_t id, FunctionRef<void(ItemRef, std::uint64_t*)> visit) {
  for (std::uint32_t at = 0, used = segments_[id].used; at < used;) {
    ItemRef item(segments_[id].data + at);
    const std::uint32_t from = at;
    at += static_cast<std::uint32_t>(item.entry_bytes());
    if (item.Has(kDead)) continue;
    // Items carry no hash: the key's own (HashedKey's) hash finds its slot.
    const std::uint32_t tag = IndexTable::TagOf(HashedKey(item.key()).hash());
    std::uint64_t* slot = index_.FindLocation(tag, IndexTable::Location(id, from));
    assert(slot != nullptr && "a live item is always indexed");
    visit(item, slot);
  }
}

std::uint32_t Shard::NewSegmentId() {
  if (!unmapped_ids_.empty()) {
    const std::uint32_t id = unmapped_ids_.back();
    unmapped_ids_.pop_back();
    return id;
  }
  if (segments_.size() >= kMaxSegments) return kNoSegment;
  segments_.emplace_back();
  return static_cast<std::uint32_t>(segments_.size() - 1);
}

// An emptied segment becomes the spare, or goes back to the kernel if there is one already.
void Shard::Recycle(std::uint32_t id) {
  Segment& segment = segments_[id];
  segment.used = 0;
  segment.live = 0;
  segment.next = kNoSegment;
  segment.min_deadline = 0;
  if (spare_ == kNoSegment) {
    spare_ = id;
  } else {
    Unmap(id);
  }
}

void Shard::ReleaseSpare() { Unmap(std::exchange(spare_, kNoSegment)); }

void Shard::Unmap(std::uint32_t id) {
  Segment& segment = segments_[id];
  MappedBlock::Unmap(segment.data, config_.segment_bytes);
  segment.data = nullptr;
  unmapped_ids_.push_back(id);
  held_.fetch_sub(1, std::memory_order_relaxed);
  ReleaseBytes(config_.segment_bytes);
}

void Shard::PushTail(Queue queue, std::uint32_t id) {
  Log& log = logs_[Of(queue)];
  segments_[id].next = kNoSegment;
  segments_[id].queue = queue;
  if (log.tail == kNoSegment) {
    log.head = id;
  } else {
    segments_[log.tail].next = id;
  }
  log.tail = id;
  ++log.count;
}

std::uint32_t Shard::PopHead(Queue queue) {
  Log& log = logs_[Of(queue)];
  const std::uint32_t id = log.head;
  if (id == kNoSegment) return kNoSegment;
  log.head = segments_[id].next;
  if (log.head == kNoSegment) log.tail = kNoSegment;
  --log.count;
  segments_[id].next = kNoSegment;
  return id;
}

// Enough steps for every item to spend its whole frequency; a loop that needs more is stuck.
std::size_t Shard::EvictionBound() const { return 4 * (logs_[0].count + logs_[1].count + 2) + 8; }

}  // namespace mnemo::memory
