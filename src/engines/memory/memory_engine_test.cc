// MemoryEngine specifics the conformance suite leaves to each engine: the CAS sequence, the
// size limit, values kept outside segments, in-place counters, and the shapes of `stats items`
// and `stats slabs`. The item semantics themselves are tested by tests/engine_conformance.
#include "engines/memory/memory_engine.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "manual_clock.h"
#include "mnemo/item_rules.h"

namespace mnemo {
namespace {

class MemoryEngineTest : public ::testing::Test {
 protected:
  StoreResult Set(std::string_view key, std::string_view value, std::uint32_t flags = 0) {
    StoreRequest request{HashedKey(key)};
    request.value = value;
    request.client_flags = flags;
    return engine_.Store(request);
  }
  StoreResult Append(std::string_view key, std::string_view value) {
    StoreRequest request{HashedKey(key)};
    request.mode = StoreMode::kAppend;
    request.value = value;
    return engine_.Store(request);
  }
  std::optional<std::string> Get(std::string_view key) {
    std::optional<std::string> value;
    engine_.Get(GetRequest{HashedKey(key)},
                [&](const ItemView& view) { value = std::string(view.value); });
    return value;
  }
  std::map<std::string, std::string> Stats(std::string_view group) {
    std::map<std::string, std::string> stats;
    engine_.Stats(group, [&](std::string_view name, std::string_view value) {
      stats[std::string(name)] = std::string(value);
    });
    return stats;
  }

  testing::ManualClock clock_;
  MemoryEngine engine_{clock_, MemoryEngineConfig{}};
};

TEST_F(MemoryEngineTest, CasCountsFromOne) {
  EXPECT_EQ(Set("a", "1").cas, 1u);
  EXPECT_EQ(Set("b", "1").cas, 2u);
  EXPECT_EQ(Set("a", "2").cas, 3u);
}

TEST_F(MemoryEngineTest, DefaultsDeriveShardsAndSegmentsFromTheLimit) {
  EXPECT_EQ(engine_.memory_limit(), 64u << 20);
  EXPECT_EQ(engine_.segment_bytes(), 64u << 10);
  EXPECT_EQ(engine_.shard_count(), 4u);
  MemoryEngine large(clock_, MemoryEngineConfig{.memory_limit_bytes = std::size_t{1} << 30});
  EXPECT_EQ(large.segment_bytes(), 64u << 10);
  EXPECT_EQ(large.shard_count(), 16u);
  MemoryEngine small(clock_, MemoryEngineConfig{.memory_limit_bytes = 1 << 20});
  EXPECT_EQ(small.segment_bytes(), 64u << 10);
  EXPECT_EQ(small.shard_count(), 1u);
  MemoryEngine chosen(clock_, MemoryEngineConfig{.shards = 6, .segment_bytes = 100000});
  EXPECT_EQ(chosen.shard_count(), 4u) << "rounded down to a power of two";
  EXPECT_EQ(chosen.segment_bytes(), 64u << 10);
}

TEST_F(MemoryEngineTest, ItemSizeMaxIsConfigurable) {
  MemoryEngine small(clock_, MemoryEngineConfig{.item_size_max = 1024});
  const std::size_t largest = 1024 - MemcachedItemSize(1, 0);
  StoreRequest request{HashedKey("k")};
  const std::string fits(largest, 'x'), too_big(largest + 1, 'x');
  request.value = fits;
  EXPECT_EQ(small.Store(request).status, StoreStatus::kStored);
  request.value = too_big;
  EXPECT_EQ(small.Store(request).status, StoreStatus::kTooLarge);
}

TEST_F(MemoryEngineTest, LargeValuesLiveInTheirOwnPagesAndAreCharged) {
  const std::size_t before = engine_.accounted_bytes();
  const std::string big(600 * 1024, 'b');  // over a quarter of a 256 KiB segment
  ASSERT_EQ(Set("big", big, 9).status, StoreStatus::kStored);
  EXPECT_GE(engine_.accounted_bytes() - before, big.size());
  EXPECT_EQ(Get("big"), big);
  ASSERT_EQ(Append("big", "tail").status, StoreStatus::kStored);
  EXPECT_EQ(Get("big"), big + "tail");
  DeleteRequest erase{HashedKey("big")};
  EXPECT_EQ(engine_.Delete(erase), DeleteStatus::kDeleted);
  EXPECT_LT(engine_.accounted_bytes() - before, big.size()) << "the pages went back";
}

TEST_F(MemoryEngineTest, CountersGrowInPlaceOrIntoANewItem) {
  ASSERT_EQ(Set("n", "98", 3).status, StoreStatus::kStored);
  ArithRequest incr{HashedKey("n")};
  incr.delta = 1;
  EXPECT_EQ(engine_.Arithmetic(incr).value, 99u);
  EXPECT_EQ(Get("n"), "99");
  EXPECT_EQ(engine_.Arithmetic(incr).value, 100u);  // one digit longer: a new item
  EXPECT_EQ(Get("n"), "100");
  std::uint32_t flags = 0;
  engine_.Get(GetRequest{HashedKey("n")}, [&](const ItemView& view) { flags = view.client_flags; });
  EXPECT_EQ(flags, 3u);
}

TEST_F(MemoryEngineTest, EmptyEngineHasNoItemClassesAndNoActiveSlabs) {
  EXPECT_TRUE(Stats("items").empty());
  std::map<std::string, std::string> slabs = Stats("slabs");
  EXPECT_EQ(slabs["active_slabs"], "0");
  EXPECT_EQ(slabs.count("1:chunk_size"), 0u);
  EXPECT_EQ(Stats("")["limit_maxbytes"], std::to_string(64 << 20));
}

TEST_F(MemoryEngineTest, ItemsAndSlabsDescribeSizeClasses) {
  Set("abc", "hello");  // 19 + 3 + 5 = 27 bytes: class 1 (up to 64)
  Set("abd", "hello");
  Set("big", std::string(100, 'x'));  // 19 + 3 + 100 = 122 bytes: class 2 (65 to 128)
  clock_.Advance(7);
  std::map<std::string, std::string> items = Stats("items");
  EXPECT_EQ(items["items:1:number"], "2");
  EXPECT_EQ(items["items:1:number_hot"], "2") << "new items sit in the small queue";
  EXPECT_EQ(items["items:1:mem_requested"], "54");
  EXPECT_EQ(items["items:2:number"], "1");
  EXPECT_EQ(items["items:2:mem_requested"], "122");
  EXPECT_EQ(items["items:1:age"], "7");
  EXPECT_EQ(items["items:1:evicted"], "0");
  EXPECT_TRUE(items.count("items:1:hits_to_temp"));
  std::map<std::string, std::string> slabs = Stats("slabs");
  EXPECT_EQ(slabs["1:chunk_size"], "64");
  EXPECT_EQ(slabs["2:chunk_size"], "128");
  EXPECT_EQ(slabs["1:used_chunks"], "2");
  EXPECT_EQ(slabs["1:cmd_set"], "2");
  EXPECT_EQ(slabs["active_slabs"], "2");
  EXPECT_EQ(slabs["total_malloced"], std::to_string(engine_.accounted_bytes()));
  EXPECT_EQ(Stats("")["bytes"],
            std::to_string(2 * MemcachedItemSize(3, 5) + MemcachedItemSize(3, 100)));
}

TEST_F(MemoryEngineTest, StatsReclaimExpiredItemsLikeACrawler) {
  StoreRequest request{HashedKey("k")};
  request.value = "v";
  request.exptime = 5;
  engine_.Store(request);
  clock_.Advance(5);
  std::map<std::string, std::string> stats = Stats("");
  EXPECT_EQ(stats["curr_items"], "0");
  EXPECT_EQ(stats["crawler_reclaimed"], "1");
  EXPECT_EQ(stats["expired_unfetched"], "1");
}

TEST_F(MemoryEngineTest, ReclaimingAnUnfetchedExpiredItemOnAccessIsCounted) {
  StoreRequest request{HashedKey("k")};
  request.value = "v";
  request.exptime = 5;
  engine_.Store(request);
  clock_.Advance(5);
  EXPECT_EQ(engine_.Get(GetRequest{HashedKey("k")}, [](const ItemView&) {}), GetStatus::kExpired);
  std::map<std::string, std::string> stats = Stats("");
  EXPECT_EQ(stats["reclaimed"], "1");
  EXPECT_EQ(stats["expired_unfetched"], "1");
}

TEST_F(MemoryEngineTest, SizesGroupReportsTrackingDisabled) {
  EXPECT_EQ(Stats("sizes")["sizes_status"], "disabled");
}

// Items store no hash: eviction finds each item's index slot by rehashing its key. Keys of
// every byte value and length, through many evictions (and promotions of the hot keys, which
// are read), must stay findable, and what the index holds must be exactly what the stats
// count.
TEST_F(MemoryEngineTest, EvictionRehashesKeysOfAnyBytesAndLength) {
  MemoryEngine small(clock_, MemoryEngineConfig{.memory_limit_bytes = 2 << 20, .shards = 2});
  auto key_of = [](std::size_t i) {  // i's four bytes (NULs included), then 0 to 246 more
    std::string key(4 + i % (kMaxKeyLength - 3), static_cast<char>(i * 7));
    for (std::size_t b = 0; b < 4; ++b) key[b] = static_cast<char>(i >> (8 * b));
    return key;
  };
  auto hit = [&](std::size_t i, std::string* value) {
    const std::string key = key_of(i);
    return small.Get(GetRequest{HashedKey(key)}, [&](const ItemView& view) {
      *value = std::string(view.value);
    }) == GetStatus::kHit;
  };
  constexpr std::size_t kKeys = 30000;
  std::string value;
  for (std::size_t i = 0; i < kKeys; ++i) {
    const std::string key = key_of(i);
    StoreRequest request{HashedKey(key)};
    const std::string stored = std::to_string(i) + std::string(64, 'v');
    request.value = stored;
    ASSERT_EQ(small.Store(request).status, StoreStatus::kStored) << i;
    for (std::size_t hot = 0; hot < 8; ++hot) hit(hot, &value);  // the hot set: read often
  }
  std::size_t hits = 0;
  for (std::size_t i = 0; i < kKeys; ++i) {
    if (!hit(i, &value)) continue;
    ++hits;
    EXPECT_EQ(value, std::to_string(i) + std::string(64, 'v')) << i;
  }
  std::map<std::string, std::string> stats;
  small.Stats("", [&](std::string_view name, std::string_view text) {
    stats[std::string(name)] = std::string(text);
  });
  EXPECT_GT(std::stoull(stats["evictions"]), 0u);
  EXPECT_EQ(std::to_string(hits), stats["curr_items"]);
  EXPECT_LT(hits, kKeys);
  for (std::size_t hot = 0; hot < 8; ++hot) EXPECT_TRUE(hit(hot, &value)) << hot;
  EXPECT_TRUE(hit(kKeys - 1, &value)) << "the newest item";
}

}  // namespace
}  // namespace mnemo
