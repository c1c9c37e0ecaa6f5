// The engine's part of `stats`: item counts and bytes, and the groups it knows.
#include "engine_test.h"
#include "mnemo/item_rules.h"

namespace mnemo::conformance {
namespace {

class StatsTest : public EngineTest {};

TEST_P(StatsTest, GeneralGroupHasTheFieldsExportersRead) {
  std::map<std::string, std::string> stats = Stats();
  for (const char* name : {"curr_items", "total_items", "bytes", "evictions", "reclaimed",
                           "expired_unfetched", "evicted_unfetched"}) {
    EXPECT_TRUE(stats.count(name)) << name;
  }
  EXPECT_EQ(Stat("curr_items"), 0u);
  EXPECT_EQ(Stat("total_items"), 0u);
  EXPECT_EQ(Stat("bytes"), 0u);
  EXPECT_EQ(Stat("evictions"), 0u);
}

TEST_P(StatsTest, CurrItemsCountsLiveItemsOnly) {
  Set("a", "1");
  Set("b", "2", 0, 10);
  Set("c", "3");
  Set("a", "again");  // an overwrite is still one item
  EXPECT_EQ(Stat("curr_items"), 3u);
  Delete("c");
  EXPECT_EQ(Stat("curr_items"), 2u);
  Advance(10);
  EXPECT_EQ(Stat("curr_items"), 1u);
  engine().FlushAll(0);
  EXPECT_EQ(Stat("curr_items"), 0u);
}

TEST_P(StatsTest, TotalItemsCountsSuccessfulStores) {
  Set("a", "1");
  Set("a", "2");
  Store("b", "1", StoreMode::kAdd);
  Store("b", "1", StoreMode::kAdd);      // not stored
  Store("c", "1", StoreMode::kReplace);  // not stored
  Store("a", "3", StoreMode::kAppend);
  Delete("a");
  EXPECT_EQ(Stat("total_items"), 4u);
}

TEST_P(StatsTest, BytesIsTheMemcachedSizeOfLiveItems) {
  Set("abc", "hello", 1);  // 71 bytes in memcached 1.6.18, flags suffix included
  Set("abd", "hello");
  EXPECT_EQ(Stat("bytes"), MemcachedItemSize(3, 5, 1) + MemcachedItemSize(3, 5));
  EXPECT_EQ(MemcachedItemSize(3, 5, 1), 71u);
  Delete("abc");
  EXPECT_EQ(Stat("bytes"), MemcachedItemSize(3, 5));
}

TEST_P(StatsTest, KnownAndUnknownGroups) {
  auto sink = [](std::string_view, std::string_view) {};
  EXPECT_TRUE(engine().Stats("", sink));
  EXPECT_TRUE(engine().Stats("items", sink));
  EXPECT_TRUE(engine().Stats("slabs", sink));
  EXPECT_FALSE(engine().Stats("no_such_group", sink));
}

MNEMO_ENGINE_SUITE(StatsTest);

}  // namespace
}  // namespace mnemo::conformance
