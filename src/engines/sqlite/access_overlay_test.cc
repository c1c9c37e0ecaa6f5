#include "engines/sqlite/access_overlay.h"

#include <gtest/gtest.h>

namespace mnemo::sqlite {
namespace {

TEST(AccessOverlayTest, RecordsTheLatestAccessOfOneRowVersion) {
  AccessOverlay overlay;
  overlay.Bump("k", 7, 100);
  overlay.Bump("k", 7, 105);
  overlay.Bump("k", 7, 103);  // out of order: the latest time stays
  auto access = overlay.Find("k", 7);
  ASSERT_TRUE(access);
  EXPECT_EQ(access->last_access, 105);
  EXPECT_TRUE(access->fetched);
  EXPECT_FALSE(overlay.Find("k", 8));  // another version of the row
  EXPECT_FALSE(overlay.Find("other", 7));
  EXPECT_EQ(overlay.size(), 1u);
}

TEST(AccessOverlayTest, ANewerRowVersionReplacesTheEntryAndAnOlderOneIsIgnored) {
  AccessOverlay overlay;
  overlay.Bump("k", 7, 100);
  overlay.Bump("k", 9, 101);
  EXPECT_FALSE(overlay.Find("k", 7));
  overlay.Bump("k", 7, 200);
  EXPECT_FALSE(overlay.Find("k", 7));
  EXPECT_EQ(overlay.Find("k", 9)->last_access, 101);
}

TEST(AccessOverlayTest, MergeFoldsTheAccessIntoAMatchingRow) {
  AccessOverlay overlay;
  overlay.Bump("k", 3, 50);
  Row row;
  row.seq = 3;
  row.last_access = 40;
  EXPECT_TRUE(overlay.Merge("k", row));
  EXPECT_EQ(row.last_access, 50);
  EXPECT_TRUE(row.fetched);
  Row other;
  other.seq = 4;
  other.last_access = 40;
  EXPECT_FALSE(overlay.Merge("k", other));
  EXPECT_EQ(other.last_access, 40);
  EXPECT_FALSE(other.fetched);
}

TEST(AccessOverlayTest, ForgetKeepsEntriesThatChangedSinceTheyWereTaken) {
  AccessOverlay overlay;
  for (int i = 0; i < 40; ++i) overlay.Bump("k" + std::to_string(i), 1, 10);
  std::vector<AccessOverlay::Entry> taken = overlay.Take(100);
  ASSERT_EQ(taken.size(), 40u);
  overlay.Bump("k5", 1, 11);  // a newer access after the writer took the entry
  overlay.Forget(taken);
  EXPECT_EQ(overlay.size(), 1u);
  EXPECT_EQ(overlay.Find("k5", 1)->last_access, 11);
}

TEST(AccessOverlayTest, TakeIsBoundedAndEventuallyVisitsEveryEntry) {
  AccessOverlay overlay;
  for (int i = 0; i < 100; ++i) overlay.Bump("k" + std::to_string(i), 1, 10);
  std::size_t rounds = 0;
  while (overlay.size() > 0 && rounds < 100) {
    std::vector<AccessOverlay::Entry> taken = overlay.Take(7);
    EXPECT_LE(taken.size(), 7u);
    overlay.Forget(taken);
    ++rounds;
  }
  EXPECT_EQ(overlay.size(), 0u);
  EXPECT_GE(rounds, 100u / 7);
}

}  // namespace
}  // namespace mnemo::sqlite
