#include "engines/sqlite/item_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace mnemo::sqlite {
namespace {

Row RowOf(std::string value, std::int64_t seq = 1) {
  Row row;
  row.seq = seq;
  row.value = std::move(value);
  return row;
}

TEST(ItemCacheTest, FillsAndFindsCopies) {
  ItemCache cache(1 << 20);
  ASSERT_TRUE(cache.enabled());
  EXPECT_FALSE(cache.Find("k"));
  cache.Fill("k", RowOf("v", 7), cache.Ticket("k"));
  std::optional<Row> found = cache.Find("k");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->value, "v");
  EXPECT_EQ(found->seq, 7);
  EXPECT_EQ(cache.items(), 1u);
}

// The writer's Put after a commit stands in for an invalidation: a reader's row from before
// it must not replace the committed one.
TEST(ItemCacheTest, APutVoidsTicketsTakenBeforeIt) {
  ItemCache cache(1 << 20);
  const std::uint64_t ticket = cache.Ticket("k");
  cache.Put("k", RowOf("committed", 2));
  cache.Fill("k", RowOf("read before the commit", 1), ticket);
  EXPECT_EQ(cache.Find("k")->value, "committed");
  // A row too large for the cache still drops what was cached before it.
  cache.Put("k", RowOf(std::string(1 << 20, 'x'), 3));
  EXPECT_FALSE(cache.Find("k"));
}

TEST(ItemCacheTest, AFillWithATicketFromBeforeAnInvalidationIsDropped) {
  ItemCache cache(1 << 20);
  const std::uint64_t ticket = cache.Ticket("k");
  cache.Invalidate("k");  // the writer changed the row after the reader took its ticket
  cache.Fill("k", RowOf("old"), ticket);
  EXPECT_FALSE(cache.Find("k"));
  cache.Fill("k", RowOf("new"), cache.Ticket("k"));
  EXPECT_EQ(cache.Find("k")->value, "new");
  cache.Invalidate("k");
  EXPECT_FALSE(cache.Find("k"));
}

TEST(ItemCacheTest, RefreshFoldsAnAccessIntoTheSameRowVersionAndVoidsTickets) {
  ItemCache cache(1 << 20);
  Row row = RowOf("v", 7);
  row.last_access = 100;
  cache.Fill("k", row, cache.Ticket("k"));
  const std::uint64_t ticket = cache.Ticket("k");
  cache.Refresh("k", 7, 150, true);
  std::optional<Row> found = cache.Find("k");
  EXPECT_EQ(found->last_access, 150);
  EXPECT_TRUE(found->fetched);
  cache.Refresh("k", 8, 200, true);  // another version: no change
  EXPECT_EQ(cache.Find("k")->last_access, 150);
  cache.Fill("k", RowOf("older read"), ticket);  // read before the refresh: dropped
  EXPECT_EQ(cache.Find("k")->value, "v");
}

TEST(ItemCacheTest, StaysWithinItsBytesAndDropsTheLeastRecentlyUsed) {
  constexpr std::size_t kCapacity = 64 * 1024;
  ItemCache cache(kCapacity);
  // Keys of one shard would make this exact; over all shards the total stays bounded.
  for (int i = 0; i < 1000; ++i) {
    const std::string key = "k" + std::to_string(i);
    cache.Fill(key, RowOf(std::string(500, 'x')), cache.Ticket(key));
  }
  EXPECT_LE(cache.bytes(), kCapacity);
  EXPECT_GT(cache.items(), 0u);
  EXPECT_TRUE(cache.Find("k999"));  // the newest survive
  EXPECT_FALSE(cache.Find("k0"));   // the oldest went
}

TEST(ItemCacheTest, APutOverACachedRowReplacesItAndItsSize) {
  ItemCache cache(1 << 20);
  cache.Put("k", RowOf(std::string(100, 'a'), 1));
  const std::size_t small = cache.bytes();
  cache.Put("k", RowOf(std::string(300, 'b'), 2));
  EXPECT_EQ(cache.items(), 1u);
  EXPECT_EQ(cache.bytes(), small + 200);
  EXPECT_EQ(cache.Find("k")->seq, 2);
  cache.Put("k", RowOf("c", 3));
  EXPECT_EQ(cache.bytes(), small - 99);
}

// The writer's lookups must not keep rows in the cache that no reader wants.
TEST(ItemCacheTest, APeekIsNotAUse) {
  constexpr std::size_t kCapacity = 64 * 1024;
  ItemCache cache(kCapacity);
  cache.Put("peeked", RowOf(std::string(500, 'x')));
  cache.Put("found", RowOf(std::string(500, 'x')));
  for (int i = 0; i < 1000; ++i) {
    (void)cache.Peek("peeked");
    (void)cache.Find("found");
    cache.Put("k" + std::to_string(i), RowOf(std::string(500, 'x')));
  }
  EXPECT_FALSE(cache.Peek("peeked"));
  EXPECT_TRUE(cache.Peek("found"));
}

TEST(ItemCacheTest, AnItemLargerThanAShardIsNotCached) {
  ItemCache cache(16 * 1024);
  cache.Fill("big", RowOf(std::string(8 * 1024, 'x')), cache.Ticket("big"));
  EXPECT_FALSE(cache.Find("big"));
}

TEST(ItemCacheTest, ZeroBytesDisablesIt) {
  ItemCache cache(0);
  EXPECT_FALSE(cache.enabled());
  cache.Fill("k", RowOf("v"), cache.Ticket("k"));
  EXPECT_FALSE(cache.Find("k"));
  EXPECT_EQ(cache.bytes(), 0u);
}

}  // namespace
}  // namespace mnemo::sqlite
