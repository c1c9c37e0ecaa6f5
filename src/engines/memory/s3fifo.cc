#include "engines/memory/s3fifo.h"

#include <cstring>
#include <utility>

namespace mnemo::memory {

MappedBlock GhostFifo::Reset(MappedBlock memory) {
  MappedBlock old = std::exchange(memory_, std::move(memory));
  const std::size_t old_buckets = std::exchange(buckets_, memory_.size() / kBucketBytes);
  // Oldest way first across all buckets, so that each new bucket stays roughly in FIFO order.
  const auto* entries = reinterpret_cast<const std::uint16_t*>(old.data());
  for (std::size_t way = kWays; way-- > 0;) {
    for (std::size_t b = 0; b < old_buckets; ++b) {
      const std::uint16_t fp = entries[b * kWays + way];
      if (fp == 0) continue;
      if (const std::uint32_t tag = TagOf(b, old_buckets, fp); tag != kNoTag) Insert(tag);
    }
  }
  return old;
}

// A bucket holds the tags t with t * buckets >> 24 == b, a range narrower than 2^16 once
// there are more than 256 buckets: then the fingerprint (t's low 16 bits) and the range give
// back t's high 8 bits, at most two candidates of which one lies in the range.
std::uint32_t GhostFifo::TagOf(std::size_t b, std::size_t buckets, std::uint16_t fp) {
  constexpr std::uint64_t kTags = std::uint64_t{1} << 24;
  if (buckets <= 256) return kNoTag;
  const std::uint64_t first = (b * kTags + buckets - 1) / buckets;
  const std::uint64_t end = ((b + 1) * kTags + buckets - 1) / buckets;
  for (std::uint64_t high : {first >> 16, (end - 1) >> 16}) {
    const std::uint64_t tag = (high << 16) | fp;
    if (tag >= first && tag < end) return static_cast<std::uint32_t>(tag);
  }
  return kNoTag;
}

std::uint16_t* GhostFifo::Bucket(std::uint32_t tag) const {
  // The bucket comes from the tag's high bits, the fingerprint from its low ones.
  const auto b = static_cast<std::size_t>((static_cast<std::uint64_t>(tag) * buckets_) >> 24);
  return reinterpret_cast<std::uint16_t*>(memory_.data()) + b * kWays;
}

void GhostFifo::Insert(std::uint32_t tag) {
  if (buckets_ == 0) return;
  std::uint16_t* bucket = Bucket(tag);
  std::memmove(bucket + 1, bucket, (kWays - 1) * sizeof(std::uint16_t));
  bucket[0] = Fingerprint(tag);
}

bool GhostFifo::Take(std::uint32_t tag) {
  if (buckets_ == 0) return false;
  std::uint16_t* bucket = Bucket(tag);
  const std::uint16_t fp = Fingerprint(tag);
  for (std::size_t i = 0; i < kWays; ++i) {
    if (bucket[i] != fp) continue;
    std::memmove(bucket + i, bucket + i + 1, (kWays - 1 - i) * sizeof(std::uint16_t));
    bucket[kWays - 1] = 0;
    return true;
  }
  return false;
}

Queue S3Fifo::Admit(std::uint32_t tag) { return ghost_.Take(tag) ? Queue::kMain : Queue::kSmall; }

bool S3Fifo::Keep(Queue from, std::uint8_t* freq, std::uint32_t tag) {
  if (from == Queue::kSmall) {
    if (*freq > 0) {
      *freq = 0;
      return true;
    }
    ghost_.Insert(tag);
    return false;
  }
  if (*freq > 0) {
    --*freq;
    return true;
  }
  return false;
}

Queue S3Fifo::VictimQueue(std::size_t small_size, std::size_t main_size) const {
  if (small_size == 0) return Queue::kMain;
  if (main_size == 0) return Queue::kSmall;
  const std::size_t total = small_size + main_size;
  return small_size * 100 > total * small_percent_ ? Queue::kSmall : Queue::kMain;
}

}  // namespace mnemo::memory
