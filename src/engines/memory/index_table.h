// IndexTable: a shard's hash index from key to item location. Open addressing over 64-byte
// buckets of seven 8-byte entries (one cache line), probing bucket by bucket; each bucket
// counts the entries that overflowed past it, so a lookup stops at the first bucket whose
// count is zero and an erase needs no tombstones. An entry is the key's 24-bit hash tag and a
// 40-bit location (segment id, offset): the tag filters candidates without touching items,
// and because the home bucket is computed from the tag alone the table grows without reading
// a single key. Lookups compare keys through a caller-supplied match on the location.
//
// Thread safety: none; the owning shard's mutex guards it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engines/memory/mapped_block.h"

namespace mnemo::memory {

class IndexTable {
 public:
  static constexpr std::size_t kSlotsPerBucket = 7;
  static constexpr int kOffsetBits = 20;  // segments are at most 1 MiB
  static constexpr int kLocationBits = 40;

  static std::uint32_t TagOf(std::uint64_t hash) { return static_cast<std::uint32_t>(hash >> 40); }
  static std::uint64_t Location(std::uint32_t segment, std::uint32_t offset) {
    return (static_cast<std::uint64_t>(segment) << kOffsetBits) | offset;
  }
  static std::uint32_t SegmentOf(std::uint64_t location) {
    return static_cast<std::uint32_t>(location >> kOffsetBits);
  }
  static std::uint32_t OffsetOf(std::uint64_t location) {
    return static_cast<std::uint32_t>(location & ((1u << kOffsetBits) - 1));
  }
  static std::uint64_t LocationOf(std::uint64_t entry) {
    return entry & ((std::uint64_t{1} << kLocationBits) - 1);
  }
  static std::uint32_t TagOfEntry(std::uint64_t entry) {
    return static_cast<std::uint32_t>(entry >> kLocationBits);
  }

  static std::size_t BytesFor(std::size_t buckets) { return buckets * sizeof(Bucket); }
  // The bucket count the table grows to next (about 1.5x, at least one page).
  std::size_t NextBuckets() const;

  // Moves every entry into `memory` (zero-filled) and adopts it; returns the old memory.
  MappedBlock Rebuild(MappedBlock memory);

  // The slot whose tag is `tag` and whose location satisfies match(location), or nullptr.
  template <class Match>
  std::uint64_t* Find(std::uint32_t tag, const Match& match) {
    if (buckets_ == 0) return nullptr;
    for (std::size_t b = Home(tag);; b = Next(b)) {
      Bucket& bucket = table()[b];
      for (std::uint64_t& slot : bucket.slots) {
        if (slot != 0 && TagOfEntry(slot) == tag && match(LocationOf(slot))) return &slot;
      }
      if (bucket.overflow == 0) return nullptr;
    }
  }
  std::uint64_t* FindLocation(std::uint32_t tag, std::uint64_t location) {
    return Find(tag, [location](std::uint64_t at) { return at == location; });
  }

  // REQUIRES: CanInsert(), and no entry for the same key.
  void Insert(std::uint32_t tag, std::uint64_t location);
  void Erase(std::uint64_t* slot);
  static void Relocate(std::uint64_t* slot, std::uint64_t location) {
    *slot = (*slot & ~((std::uint64_t{1} << kLocationBits) - 1)) | location;
  }

  std::size_t size() const { return size_; }
  std::size_t capacity() const { return buckets_ * kSlotsPerBucket; }
  std::size_t bytes() const { return memory_.size(); }
  // Past this load lookups slow down: grow if memory allows.
  bool WantsGrowth() const { return (size_ + 1) * 8 > capacity() * 7; }
  // The hard limit on load, so that probing always ends quickly.
  bool CanInsert() const { return (size_ + 1) * 16 <= capacity() * 15; }

  // Slot i of capacity(), for walks that must survive erasures (erasing never moves entries).
  std::uint64_t* slot_at(std::size_t i) {
    return &table()[i / kSlotsPerBucket].slots[i % kSlotsPerBucket];
  }

 private:
  struct alignas(64) Bucket {
    std::uint64_t slots[kSlotsPerBucket];
    std::uint32_t overflow;  // entries whose probe passed through this bucket
    std::uint32_t unused;
  };
  static_assert(sizeof(Bucket) == 64, "a bucket is one cache line");

  Bucket* table() { return reinterpret_cast<Bucket*>(memory_.data()); }
  // Range reduction on the tag alone (not the full hash), so Rebuild can re-home entries.
  std::size_t Home(std::uint32_t tag) const {
    return static_cast<std::size_t>((static_cast<std::uint64_t>(tag) * buckets_) >> 24);
  }
  std::size_t Next(std::size_t b) const { return b + 1 == buckets_ ? 0 : b + 1; }
  void Place(std::uint64_t entry);

  MappedBlock memory_;
  std::size_t buckets_ = 0;
  std::size_t size_ = 0;
};

}  // namespace mnemo::memory
