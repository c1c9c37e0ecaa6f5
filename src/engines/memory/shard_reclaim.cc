// Reclaiming dead bytes without evicting live items: expired items are found through each
// segment's earliest-deadline bound, flushed ones by one sweep after each flush, and
// neighbouring segments whose live bytes fit in one are merged.
#include <cstring>

#include "engines/memory/shard.h"

namespace mnemo::memory {
namespace {

constexpr std::uint32_t kNoSegment = 0;

int Of(Queue queue) { return static_cast<int>(queue); }

}  // namespace

// Returns true if anything was freed: dead bytes merged away or expired items dropped.
bool Shard::Reclaim(std::uint32_t now) {
  if (MergeOnce(Queue::kMain, now) || MergeOnce(Queue::kSmall, now)) return true;
  const bool dropped = SweepDead(now, UnlinkReason::kReclaimed);
  return MergeOnce(Queue::kMain, now) || MergeOnce(Queue::kSmall, now) || dropped;
}

// Unlinks the dead items of every segment whose bound says it holds an expired one (or of
// every segment). The walk is sequential, recomputes the bound, and so visits a segment
// again only once its next deadline has passed.
bool Shard::DropDead(std::uint32_t now, UnlinkReason reason, bool every_segment) {
  bool dropped = false;
  for (Queue queue : {Queue::kMain, Queue::kSmall}) {
    for (std::uint32_t id = logs_[Of(queue)].head; id != kNoSegment; id = segments_[id].next) {
      const std::uint32_t bound = segments_[id].min_deadline;
      if (!every_segment && (bound == 0 || bound > now)) continue;
      segments_[id].min_deadline = 0;
      ForEachLinked(id, [&](ItemRef item, std::uint64_t* slot) {
        if (Check(item, now) == Liveness::kLive) {
          NoteDeadline(id, item.deadline());
          return;
        }
        Unlink({slot, item}, reason, now);
        dropped = true;
      });
    }
  }
  return dropped;
}

void Shard::Settle(std::uint32_t now) { SweepDead(now, UnlinkReason::kCrawled); }

// Drops what expired (segments whose bound has passed) and, once after each flush that took
// effect, everything flushed (every segment).
bool Shard::SweepDead(std::uint32_t now, UnlinkReason reason) {
  const bool pending_due = flush_.pending >= 0 && now >= flush_.pending;
  const bool flushed = swept_ != flush_.sweeps || (pending_due && swept_pending_ != flush_.pending);
  const bool dropped = DropDead(now, reason, flushed);
  swept_ = flush_.sweeps;
  // Items stored during the flush moment's own second are flushed too: sweep again until
  // that second is over.
  if (pending_due && now > flush_.pending) swept_pending_ = flush_.pending;
  return dropped;
}

void Shard::NoteDeadline(std::uint32_t id, std::uint32_t deadline) {
  std::uint32_t& earliest = segments_[id].min_deadline;
  if (deadline != 0 && (earliest == 0 || deadline < earliest)) earliest = deadline;
}

// Merges the neighbouring pair of sealed segments with the fewest live bytes, if they fit in
// one: the later one's items follow the earlier one's, so FIFO order is kept, and one segment
// is freed without evicting anything.
bool Shard::MergeOnce(Queue queue, std::uint32_t now) {
  Log& log = logs_[Of(queue)];
  std::uint32_t best = kNoSegment;
  std::size_t best_live = config_.segment_bytes + 1;
  for (std::uint32_t a = log.head; a != kNoSegment; a = segments_[a].next) {
    const std::uint32_t b = segments_[a].next;
    if (b == kNoSegment || b == log.tail) break;
    const std::size_t live = std::size_t{segments_[a].live} + segments_[b].live;
    if (live < best_live) {
      best = a;
      best_live = live;
    }
  }
  if (best == kNoSegment) return false;
  const std::uint32_t later = segments_[best].next;
  std::uint32_t write = 0;
  segments_[best].min_deadline = 0;  // recomputed from what stays
  Compact(best, best, &write, now);
  Compact(later, best, &write, now);
  segments_[best].used = write;
  segments_[best].next = segments_[later].next;
  --log.count;
  Recycle(later);
  return true;
}

void Shard::Compact(std::uint32_t id, std::uint32_t into, std::uint32_t* write, std::uint32_t now) {
  ForEachLinked(id, [&](ItemRef item, std::uint64_t* slot) {
    if (Check(item, now) != Liveness::kLive) {
      Unlink({slot, item}, UnlinkReason::kReclaimed, now);
      return;
    }
    const auto bytes = static_cast<std::uint32_t>(item.entry_bytes());
    std::memmove(segments_[into].data + *write, item.data(), bytes);
    IndexTable::Relocate(slot, IndexTable::Location(into, *write));
    NoteDeadline(into, item.deadline());
    *write += bytes;
    if (id != into) {
      segments_[id].live -= bytes;
      segments_[into].live += bytes;
    }
  });
}

}  // namespace mnemo::memory
