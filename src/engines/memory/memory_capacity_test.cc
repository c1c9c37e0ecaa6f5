// How much of the memory limit the engine spends on items once it is full: the index and the
// ghost grow only as far as the shard's share of the limit can fill (Shard::GrowIndex), so
// neither they nor an index growth that had to evict items leave the limit underused. The
// hit ratio at equal memory follows from this count (docs/BENCHMARKS.md, section 2).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "engines/memory/item_layout.h"
#include "engines/memory/memory_engine.h"
#include "manual_clock.h"

namespace mnemo {
namespace {

constexpr std::size_t kMiB = 1024 * 1024;
constexpr std::size_t kValueBytes = 100;

class MemoryCapacityTest : public ::testing::TestWithParam<std::size_t> {
 protected:
  void Make(std::size_t limit, bool evict) {
    engine_ = std::make_unique<MemoryEngine>(
        clock_,
        MemoryEngineConfig{.memory_limit_bytes = limit, .evict = evict, .shards = GetParam()});
  }
  static std::string Key(std::size_t i) {
    char key[32];
    const int length = std::snprintf(key, sizeof(key), "key:%07zu", i);
    return std::string(key, static_cast<std::size_t>(length));
  }
  StoreStatus Set(std::size_t i) {
    const std::string key = Key(i);  // HashedKey borrows it
    StoreRequest request{HashedKey(key)};
    request.value = std::string_view(value_);
    return engine_->Store(request).status;
  }
  bool Has(std::size_t i) {
    const std::string key = Key(i);
    return engine_->Get(GetRequest{HashedKey(key)}, [](const ItemView&) {}) == GetStatus::kHit;
  }
  std::size_t Items() {
    std::size_t items = 0;
    (void)engine_->Stats("", [&](std::string_view stat, std::string_view text) {
      if (stat == "curr_items") items = std::stoull(std::string(text));
    });
    return items;
  }
  // The share of the limit that the items' own bytes (header, key, value) take.
  double ItemShare(std::size_t items) const {
    const std::size_t entry = memory::EntryBytes(Key(1).size(), kValueBytes, false, false);
    return static_cast<double>(items * entry) / static_cast<double>(engine_->memory_limit());
  }

  testing::ManualClock clock_;
  std::unique_ptr<MemoryEngine> engine_;
  const std::string value_ = std::string(kValueBytes, 'v');
};

// Index (8 bytes a slot, 7 slots a 64-byte bucket, at most 7/8 full) and ghost cost about 11
// bytes an item beside the 130-byte entry, the partly filled log tails a few segments: items
// take over 88% of the limit. Before the index was sized to the limit, one shard at 64 MiB
// kept only 81% (an index growth evicted 7 MiB of items, then found it no longer had to grow).
TEST_P(MemoryCapacityTest, FullCacheSpendsItsLimitOnItems) {
  Make(16 * kMiB, true);
  const std::size_t keys = 3 * 16 * kMiB / kValueBytes;
  for (std::size_t i = 1; i <= keys; ++i) ASSERT_EQ(Set(i), StoreStatus::kStored) << i;
  EXPECT_LE(engine_->accounted_bytes(), engine_->memory_limit());
  const std::size_t items = Items();
  EXPECT_GT(ItemShare(items), 0.88) << items << " items";
  EXPECT_TRUE(Has(keys)) << "the newest item is there";
  EXPECT_FALSE(Has(1)) << "the oldest was evicted";
}

// -M: index growth cannot evict to pay for itself, so the index fills to its hard load limit
// and then stores fail with kNoMemory; nothing stored before is lost. Fullness is per shard
// (as memcached's is per slab class): the refused key is refused again, while a key of a
// shard with room left might still fit, so the retry uses the same key.
TEST_P(MemoryCapacityTest, WithoutEvictionStoresFailOnceFullAndKeepEverything) {
  Make(4 * kMiB, false);
  std::size_t stored = 0;
  StoreStatus status = StoreStatus::kStored;
  while ((status = Set(stored + 1)) == StoreStatus::kStored) ++stored;
  EXPECT_EQ(status, StoreStatus::kNoMemory);
  EXPECT_EQ(Set(stored + 1), StoreStatus::kNoMemory) << "still full";
  EXPECT_LE(engine_->accounted_bytes(), engine_->memory_limit());
  EXPECT_EQ(Items(), stored);
  EXPECT_GT(ItemShare(stored), 0.85) << stored << " items";
  for (std::size_t i = 1; i <= stored; ++i) ASSERT_TRUE(Has(i)) << i;
}

INSTANTIATE_TEST_SUITE_P(Shards, MemoryCapacityTest, ::testing::Values(1, 4),
                         [](const auto& info) { return std::to_string(info.param) + "Shards"; });

}  // namespace
}  // namespace mnemo
