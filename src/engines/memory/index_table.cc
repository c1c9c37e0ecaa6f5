#include "engines/memory/index_table.h"

#include <algorithm>
#include <utility>

namespace mnemo::memory {

std::size_t IndexTable::NextBuckets() const {
  const std::size_t page_buckets = RoundUpToPages(1) / sizeof(Bucket);
  return std::max(page_buckets, buckets_ + buckets_ / 2);
}

MappedBlock IndexTable::Rebuild(MappedBlock memory) {
  MappedBlock old = std::exchange(memory_, std::move(memory));
  const std::size_t old_buckets = std::exchange(buckets_, memory_.size() / sizeof(Bucket));
  size_ = 0;
  const Bucket* old_table = reinterpret_cast<const Bucket*>(old.data());
  for (std::size_t b = 0; b < old_buckets; ++b) {
    for (std::uint64_t entry : old_table[b].slots) {
      if (entry != 0) Place(entry);
    }
  }
  return old;
}

void IndexTable::Insert(std::uint32_t tag, std::uint64_t location) {
  Place((static_cast<std::uint64_t>(tag) << kLocationBits) | location);
}

void IndexTable::Place(std::uint64_t entry) {
  for (std::size_t b = Home(TagOfEntry(entry));; b = Next(b)) {
    Bucket& bucket = table()[b];
    for (std::uint64_t& slot : bucket.slots) {
      if (slot == 0) {
        slot = entry;
        ++size_;
        return;
      }
    }
    ++bucket.overflow;
  }
}

void IndexTable::Erase(std::uint64_t* slot) {
  const auto offset = reinterpret_cast<char*>(slot) - memory_.data();
  const std::size_t target = static_cast<std::size_t>(offset) / sizeof(Bucket);
  for (std::size_t b = Home(TagOfEntry(*slot)); b != target; b = Next(b)) --table()[b].overflow;
  *slot = 0;
  --size_;
}

}  // namespace mnemo::memory
