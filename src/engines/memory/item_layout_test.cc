#include "engines/memory/item_layout.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mnemo::memory {
namespace {

TEST(ItemLayoutTest, HeaderIsTwentyTwoBytesForATypicalItem) {
  // 18 fixed bytes and a 1-byte value length; no flags, so none stored.
  EXPECT_EQ(EntryBytes(11, 100, false, false), 19u + 11 + 100);
  EXPECT_EQ(EntryBytes(11, 100, true, false), 23u + 11 + 100);
  EXPECT_EQ(EntryBytes(11, 1 << 20, false, true), 18u + 3 + 11 + sizeof(char*));
}

TEST(ItemLayoutTest, VarintBytes) {
  EXPECT_EQ(VarintBytes(0), 1u);
  EXPECT_EQ(VarintBytes(127), 1u);
  EXPECT_EQ(VarintBytes(128), 2u);
  EXPECT_EQ(VarintBytes(16383), 2u);
  EXPECT_EQ(VarintBytes(16384), 3u);
  EXPECT_EQ(VarintBytes(std::size_t{1} << 30), 5u);
}

struct RoundTripCase {
  std::uint32_t flags;
  std::size_t value_length;
};

class ItemLayoutRoundTrip : public ::testing::TestWithParam<RoundTripCase> {};

TEST_P(ItemLayoutRoundTrip, WriteThenRead) {
  const RoundTripCase c = GetParam();
  const std::string key = "some:key";
  const std::string value(c.value_length, 'x');
  ItemSpec spec;
  spec.cas = 0x0123456789abcdefULL;
  spec.last_access = 2'000'000'000u;  // 31 bits: the top one is the binary-key bit
  spec.deadline = 77;
  spec.bits = kStale | 2;
  spec.client_flags = c.flags;
  spec.key = key;
  spec.value_length = value.size();
  std::vector<char> buffer(EntryBytes(key.size(), value.size(), c.flags != 0, false) + 8, '\xee');
  ItemRef item = ItemRef::Write(buffer.data(), spec);
  std::copy(value.begin(), value.end(), item.mutable_value());

  EXPECT_EQ(item.cas(), spec.cas);
  EXPECT_EQ(item.last_access(), spec.last_access);
  EXPECT_EQ(item.deadline(), 77u);
  EXPECT_TRUE(item.Has(kStale));
  EXPECT_EQ(item.Has(kHasFlags), c.flags != 0);
  EXPECT_FALSE(item.Has(kExternal));
  EXPECT_EQ(item.frequency(), 2);
  EXPECT_EQ(item.client_flags(), c.flags);
  EXPECT_EQ(item.key(), key);
  EXPECT_EQ(item.value(), value);
  EXPECT_EQ(item.entry_bytes(), buffer.size() - 8);
  EXPECT_EQ(item.external(), nullptr);
  // Nothing was written past the entry.
  EXPECT_EQ(buffer.back(), '\xee');
}

INSTANTIATE_TEST_SUITE_P(Sizes, ItemLayoutRoundTrip,
                         ::testing::Values(RoundTripCase{0, 0}, RoundTripCase{0, 127},
                                           RoundTripCase{5, 128}, RoundTripCase{0xffffffff, 20000},
                                           RoundTripCase{1, 100}));

TEST(ItemLayoutTest, ExternalValueKeepsItsPointerAndLength) {
  std::string pages(300000, 'p');
  ItemSpec spec;
  spec.key = "big";
  spec.value_length = pages.size();
  spec.external = pages.data();
  std::vector<char> buffer(EntryBytes(3, pages.size(), false, true));
  ItemRef item = ItemRef::Write(buffer.data(), spec);
  EXPECT_TRUE(item.Has(kExternal));
  EXPECT_EQ(item.external(), pages.data());
  EXPECT_EQ(item.value().data(), pages.data());
  EXPECT_EQ(item.value_length(), pages.size());
  EXPECT_EQ(item.entry_bytes(), buffer.size());
}

TEST(ItemLayoutTest, BitsAndFrequencyAreIndependent) {
  ItemSpec spec;
  spec.key = "k";
  std::vector<char> buffer(EntryBytes(1, 0, false, false));
  ItemRef item = ItemRef::Write(buffer.data(), spec);
  item.set_frequency(3);
  item.Set(kFetched, true);
  item.Set(kTokenSent, true);
  EXPECT_EQ(item.frequency(), 3);
  item.set_frequency(1);
  EXPECT_TRUE(item.Has(kFetched));
  EXPECT_TRUE(item.Has(kTokenSent));
  item.Set(kTokenSent, false);
  EXPECT_FALSE(item.Has(kTokenSent));
  EXPECT_EQ(item.frequency(), 1);
  EXPECT_FALSE(item.Has(kDead));
}

// The binary-key bit shares a word with the last access; neither disturbs the other.
TEST(ItemLayoutTest, BinaryKeyAndLastAccessAreIndependent) {
  ItemSpec spec;
  spec.key = "k";
  spec.last_access = kMaxLastAccess;
  spec.binary_key = true;
  std::vector<char> buffer(EntryBytes(1, 0, false, false));
  ItemRef item = ItemRef::Write(buffer.data(), spec);
  EXPECT_TRUE(item.binary_key());
  EXPECT_EQ(item.last_access(), kMaxLastAccess);
  item.set_last_access(12);
  EXPECT_TRUE(item.binary_key());
  EXPECT_EQ(item.last_access(), 12u);
  item.set_binary_key(false);
  EXPECT_FALSE(item.binary_key());
  EXPECT_EQ(item.last_access(), 12u);
  // An access time past 31 bits (68 years of uptime) saturates instead of setting the bit.
  item.set_last_access(0xffffffffu);
  EXPECT_FALSE(item.binary_key());
  EXPECT_EQ(item.last_access(), kMaxLastAccess);
  spec.binary_key = false;
  spec.last_access = 0xffffffffu;
  EXPECT_FALSE(ItemRef::Write(buffer.data(), spec).binary_key());
}

}  // namespace
}  // namespace mnemo::memory
