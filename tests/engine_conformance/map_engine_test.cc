// MapEngine specifics the conformance suite leaves to each engine: the CAS sequence, the
// configured size limit and the shapes of `stats items` / `stats slabs`.
#include "engines/map/map_engine.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "manual_clock.h"
#include "mnemo/item_rules.h"

namespace mnemo {
namespace {

class MapEngineTest : public ::testing::Test {
 protected:
  StoreResult Set(MapEngine& engine, std::string_view key, std::string_view value) {
    StoreRequest request{HashedKey(key)};
    request.value = value;
    return engine.Store(request);
  }
  std::map<std::string, std::string> Stats(std::string_view group) {
    std::map<std::string, std::string> stats;
    engine_.Stats(group, [&](std::string_view name, std::string_view value) {
      stats[std::string(name)] = std::string(value);
    });
    return stats;
  }

  testing::ManualClock clock_;
  MapEngine engine_{clock_};
};

TEST_F(MapEngineTest, CasCountsFromOne) {
  EXPECT_EQ(Set(engine_, "a", "1").cas, 1u);
  EXPECT_EQ(Set(engine_, "b", "1").cas, 2u);
  EXPECT_EQ(Set(engine_, "a", "2").cas, 3u);
}

TEST_F(MapEngineTest, ItemSizeMaxIsConfigurable) {
  MapEngine small(clock_, MapEngineConfig{.item_size_max = 1024});
  const std::size_t largest = 1024 - MemcachedItemSize(1, 0);
  EXPECT_EQ(Set(small, "k", std::string(largest, 'x')).status, StoreStatus::kStored);
  EXPECT_EQ(Set(small, "k", std::string(largest + 1, 'x')).status, StoreStatus::kTooLarge);
}

TEST_F(MapEngineTest, EmptyEngineHasNoItemClassesAndNoActiveSlabs) {
  EXPECT_TRUE(Stats("items").empty());
  std::map<std::string, std::string> slabs = Stats("slabs");
  EXPECT_EQ(slabs["active_slabs"], "0");
  EXPECT_EQ(slabs.count("1:chunk_size"), 0u);
}

TEST_F(MapEngineTest, ItemsAndSlabsDescribeOneClass) {
  Set(engine_, "abc", "hello");
  Set(engine_, "abd", "hello");
  clock_.Advance(7);
  std::map<std::string, std::string> items = Stats("items");
  EXPECT_EQ(items["items:1:number"], "2");
  EXPECT_EQ(items["items:1:age"], "7");
  EXPECT_EQ(items["items:1:mem_requested"], std::to_string(2 * MemcachedItemSize(3, 5)));
  EXPECT_EQ(items["items:1:evicted"], "0");
  EXPECT_TRUE(items.count("items:1:hits_to_temp"));
  std::map<std::string, std::string> slabs = Stats("slabs");
  EXPECT_EQ(slabs["1:used_chunks"], "2");
  EXPECT_EQ(slabs["1:cmd_set"], "2");
  EXPECT_EQ(slabs["active_slabs"], "1");
  EXPECT_TRUE(slabs.count("total_malloced"));
}

TEST_F(MapEngineTest, ReclaimingAnUnfetchedExpiredItemIsCounted) {
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

TEST_F(MapEngineTest, SizesGroupReportsTrackingDisabled) {
  EXPECT_EQ(Stats("sizes")["sizes_status"], "disabled");
}

}  // namespace
}  // namespace mnemo
