#include "engines/memory/s3fifo.h"

#include <cstring>
#include <utility>

namespace mnemo::memory {

MappedBlock GhostFifo::Reset(MappedBlock memory) {
  MappedBlock old = std::exchange(memory_, std::move(memory));
  buckets_ = memory_.size() / (kWays * sizeof(std::uint16_t));
  return old;
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
