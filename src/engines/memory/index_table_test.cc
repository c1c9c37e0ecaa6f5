#include "engines/memory/index_table.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <utility>

namespace mnemo::memory {
namespace {

// Grows the table like a shard does: whenever it wants to.
void InsertGrowing(IndexTable& table, std::uint32_t tag, std::uint64_t location) {
  if (table.WantsGrowth()) {
    table.Rebuild(MappedBlock::Map(IndexTable::BytesFor(table.NextBuckets())));
  }
  ASSERT_TRUE(table.CanInsert());
  table.Insert(tag, location);
}

TEST(IndexTableTest, FindsWhatWasInsertedAcrossGrowth) {
  IndexTable table;
  std::mt19937_64 rng(7);
  std::map<std::uint64_t, std::uint32_t> inserted;  // location -> tag
  for (std::uint32_t i = 1; i <= 20000; ++i) {
    const std::uint32_t tag = static_cast<std::uint32_t>(rng() >> 40);
    const std::uint64_t location = IndexTable::Location(i, i % 1000);
    InsertGrowing(table, tag, location);
    inserted[location] = tag;
  }
  EXPECT_EQ(table.size(), inserted.size());
  EXPECT_GT(table.capacity(), table.size());
  for (const auto& [location, tag] : inserted) {
    std::uint64_t* slot = table.FindLocation(tag, location);
    ASSERT_NE(slot, nullptr);
    EXPECT_EQ(IndexTable::LocationOf(*slot), location);
    EXPECT_EQ(IndexTable::TagOfEntry(*slot), tag);
  }
  EXPECT_EQ(table.FindLocation(123, IndexTable::Location(99999, 1)), nullptr);
}

TEST(IndexTableTest, CollidingTagsOverflowAndEraseCleanly) {
  IndexTable table;
  table.Rebuild(MappedBlock::Map(IndexTable::BytesFor(64)));
  // Sixty entries with one tag share a home bucket: they overflow through many buckets.
  for (std::uint32_t i = 1; i <= 60; ++i) table.Insert(0x123456, IndexTable::Location(i, 0));
  for (std::uint32_t i = 1; i <= 60; i += 2) {
    std::uint64_t* slot = table.FindLocation(0x123456, IndexTable::Location(i, 0));
    ASSERT_NE(slot, nullptr);
    table.Erase(slot);
  }
  EXPECT_EQ(table.size(), 30u);
  for (std::uint32_t i = 1; i <= 60; ++i) {
    const bool present = table.FindLocation(0x123456, IndexTable::Location(i, 0)) != nullptr;
    EXPECT_EQ(present, i % 2 == 0) << i;
  }
  // Erasing the rest leaves no overflow behind: a lookup in the home bucket stops at once,
  // and the table refills to the same state.
  for (std::uint32_t i = 2; i <= 60; i += 2) {
    table.Erase(table.FindLocation(0x123456, IndexTable::Location(i, 0)));
  }
  EXPECT_EQ(table.size(), 0u);
  for (std::size_t i = 0; i < table.capacity(); ++i) EXPECT_EQ(*table.slot_at(i), 0u);
  table.Insert(0x123456, IndexTable::Location(5, 5));
  EXPECT_NE(table.FindLocation(0x123456, IndexTable::Location(5, 5)), nullptr);
}

TEST(IndexTableTest, RelocateKeepsTheTag) {
  IndexTable table;
  table.Rebuild(MappedBlock::Map(IndexTable::BytesFor(64)));
  table.Insert(42, IndexTable::Location(1, 10));
  std::uint64_t* slot = table.FindLocation(42, IndexTable::Location(1, 10));
  ASSERT_NE(slot, nullptr);
  IndexTable::Relocate(slot, IndexTable::Location(7, 300));
  EXPECT_EQ(table.FindLocation(42, IndexTable::Location(1, 10)), nullptr);
  EXPECT_EQ(table.FindLocation(42, IndexTable::Location(7, 300)), slot);
  EXPECT_EQ(IndexTable::SegmentOf(IndexTable::LocationOf(*slot)), 7u);
  EXPECT_EQ(IndexTable::OffsetOf(IndexTable::LocationOf(*slot)), 300u);
}

TEST(IndexTableTest, FindComparesThroughTheMatch) {
  IndexTable table;
  table.Rebuild(MappedBlock::Map(IndexTable::BytesFor(64)));
  table.Insert(9, IndexTable::Location(1, 1));
  table.Insert(9, IndexTable::Location(2, 2));
  std::uint64_t* slot =
      table.Find(9, [](std::uint64_t location) { return IndexTable::SegmentOf(location) == 2; });
  ASSERT_NE(slot, nullptr);
  EXPECT_EQ(IndexTable::OffsetOf(IndexTable::LocationOf(*slot)), 2u);
  EXPECT_EQ(table.Find(9, [](std::uint64_t) { return false; }), nullptr);
}

}  // namespace
}  // namespace mnemo::memory
