// S3-FIFO, the memory engine's eviction policy (Yang et al., SOSP 2023), kept apart from the
// storage so that it can be tested on its own. Three FIFO queues: a small one (about 10% of
// the cache) that every new item enters, a main one for items that proved useful, and a ghost
// that remembers the hashes of items recently evicted from the small queue.
//   * An access only raises a 2-bit frequency (no list moves, so hits take no queue lock).
//   * The small queue's oldest item moves to main if it was accessed while there, else it is
//     evicted and its hash goes into the ghost: a one-pass scan churns through the small
//     queue and never reaches main, which is what makes the policy scan-resistant.
//   * Main's oldest item is reinserted at main's tail while its frequency is positive (each
//     reinsertion spends one), and evicted once it is zero.
//   * A new item whose hash is in the ghost goes straight to main: it was evicted too early.
// The queues themselves belong to the caller (the memory engine keeps them as logs of
// segments); this class makes the decisions and owns the ghost.
//
// Thread safety: none; the owning shard's mutex guards it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engines/memory/mapped_block.h"

namespace mnemo::memory {

enum class Queue : std::uint8_t { kSmall = 0, kMain = 1 };

// The ghost FIFO: 16-bit fingerprints of 24-bit hash tags in buckets of eight, each bucket a
// FIFO of its own (newest first; an insert pushes the oldest out). With the buckets picked by
// hash, the whole approximates one FIFO of capacity() entries at 2 bytes an entry.
class GhostFifo {
 public:
  static constexpr std::size_t kWays = 8;

  // Adopts `memory` (zero-filled) as the ghost's storage and returns the previous storage.
  // Remembered hashes move over (as many as fit, the newest kept), so that growing the ghost
  // with the index does not forget which keys were evicted too early.
  MappedBlock Reset(MappedBlock memory);

  void Insert(std::uint32_t tag);
  // Forgets tag and returns true if it was remembered.
  bool Take(std::uint32_t tag);

  std::size_t capacity() const { return buckets_ * kWays; }
  std::size_t bytes() const { return memory_.size(); }

 private:
  static constexpr std::size_t kBucketBytes = kWays * sizeof(std::uint16_t);
  static constexpr std::uint32_t kNoTag = 0xffffffff;

  std::uint16_t* Bucket(std::uint32_t tag) const;
  // The tag whose fingerprint fp sits in bucket b of `buckets`, or kNoTag if ambiguous.
  static std::uint32_t TagOf(std::size_t b, std::size_t buckets, std::uint16_t fp);
  static std::uint16_t Fingerprint(std::uint32_t tag) {
    auto fp = static_cast<std::uint16_t>(tag);
    return fp == 0 ? 1 : fp;
  }

  MappedBlock memory_;
  std::size_t buckets_ = 0;
};

class S3Fifo {
 public:
  static constexpr std::uint8_t kMaxFrequency = 3;

  explicit S3Fifo(unsigned small_percent = 10) : small_percent_(small_percent) {}

  // The queue a newly stored item enters: main when the ghost remembers its tag, else small.
  Queue Admit(std::uint32_t tag);

  // The frequency after one more access.
  static std::uint8_t Accessed(std::uint8_t freq) {
    return freq < kMaxFrequency ? static_cast<std::uint8_t>(freq + 1) : kMaxFrequency;
  }

  // Decides the fate of the oldest item of `from`: true = it stays and moves to main's tail
  // (from small: it was accessed, and starts main at frequency 0; from main: it spends one),
  // false = evict it (from small: its tag is remembered in the ghost).
  bool Keep(Queue from, std::uint8_t* freq, std::uint32_t tag);

  // The queue to take the next victim from, given both queue sizes in one unit: small while
  // it holds more than its share, else main (and whichever is not empty).
  Queue VictimQueue(std::size_t small_size, std::size_t main_size) const;

  GhostFifo& ghost() { return ghost_; }

 private:
  unsigned small_percent_;
  GhostFifo ghost_;
};

}  // namespace mnemo::memory
