// memcached's item rules: exptime conversion, the incr/decr counter format and the item size
// limit. Expected values follow memcached 1.6.18 (the counter forms were checked live).
#include "mnemo/item_rules.h"

#include <gtest/gtest.h>

#include <string>

namespace mnemo {
namespace {

constexpr std::int64_t kNow = 1'700'000'000;

TEST(ToDeadlineTest, ZeroNeverExpires) {
  EXPECT_EQ(ToDeadline(0, kNow), 0);
  EXPECT_FALSE(IsExpired(ToDeadline(0, kNow), kNow + 1'000'000'000));
}

TEST(ToDeadlineTest, UpToThirtyDaysIsRelative) {
  EXPECT_EQ(ToDeadline(1, kNow), kNow + 1);
  EXPECT_EQ(ToDeadline(2592000, kNow), kNow + 2592000);
  EXPECT_EQ(kMaxRelativeExptime, 2592000);
}

TEST(ToDeadlineTest, AboveThirtyDaysIsAbsolute) {
  EXPECT_EQ(ToDeadline(kNow + 10, kNow), kNow + 10);
  // 2592001 is a unix time in January 1970: already past.
  EXPECT_TRUE(IsExpired(ToDeadline(2592001, kNow), kNow));
  EXPECT_TRUE(IsExpired(ToDeadline(kNow, kNow), kNow));
  EXPECT_TRUE(IsExpired(ToDeadline(kNow - 1, kNow), kNow));
  EXPECT_NE(ToDeadline(kNow - 1, kNow), 0);
}

TEST(ToDeadlineTest, NegativeIsAlreadyExpired) {
  for (std::int64_t exptime : {-1LL, -100LL, -2592001LL}) {
    std::int64_t deadline = ToDeadline(exptime, kNow);
    EXPECT_NE(deadline, 0) << exptime;
    EXPECT_TRUE(IsExpired(deadline, kNow)) << exptime;
  }
}

TEST(IsExpiredTest, ExpiresAtTheDeadlineSecond) {
  EXPECT_FALSE(IsExpired(kNow + 1, kNow));
  EXPECT_TRUE(IsExpired(kNow, kNow));
  EXPECT_TRUE(IsExpired(kNow - 1, kNow));
  EXPECT_FALSE(IsExpired(0, kNow));
}

TEST(ParseCounterTest, PlainNumbers) {
  EXPECT_EQ(ParseCounter("0"), 0u);
  EXPECT_EQ(ParseCounter("42"), 42u);
  EXPECT_EQ(ParseCounter("18446744073709551615"), 18446744073709551615ULL);
}

TEST(ParseCounterTest, PaddingAndLeadingWhitespace) {
  EXPECT_EQ(ParseCounter("12   "), 12u);
  EXPECT_EQ(ParseCounter(" 12"), 12u);
  EXPECT_EQ(ParseCounter("\t12"), 12u);
  EXPECT_EQ(ParseCounter("\n5"), 5u);
  EXPECT_EQ(ParseCounter("12\r"), 12u);
}

TEST(ParseCounterTest, WhatFollowsWhitespaceIsIgnored) {
  EXPECT_EQ(ParseCounter("12 ab"), 12u);
  EXPECT_EQ(ParseCounter("12\tz"), 12u);
  EXPECT_EQ(ParseCounter(std::string("12\0z", 4)), 12u);
}

TEST(ParseCounterTest, SignsAsStrtoull) {
  EXPECT_EQ(ParseCounter("+12"), 12u);
  EXPECT_EQ(ParseCounter("-0"), 0u);
  EXPECT_EQ(ParseCounter("-1"), std::nullopt);
  EXPECT_EQ(ParseCounter("-18446744073709551615"), 1u);  // strtoull negates modulo 2^64
  EXPECT_EQ(ParseCounter("+"), std::nullopt);
  EXPECT_EQ(ParseCounter("--1"), std::nullopt);
}

TEST(ParseCounterTest, LeadingZerosOfAnyLength) {
  EXPECT_EQ(ParseCounter("00000000000000000001"), 1u);
  EXPECT_EQ(ParseCounter("0000000000000000000000000000001"), 1u);
}

TEST(ParseCounterTest, NonNumeric) {
  for (const char* value : {"", " ", "   ", "abc", "12ab", "x1", "1.5", "0x10"}) {
    EXPECT_EQ(ParseCounter(value), std::nullopt) << '"' << value << '"';
  }
}

TEST(ParseCounterTest, OverflowIsNonNumeric) {
  EXPECT_EQ(ParseCounter("18446744073709551616"), std::nullopt);
  EXPECT_EQ(ParseCounter("99999999999999999999"), std::nullopt);
  EXPECT_EQ(ParseCounter("-18446744073709551616"), std::nullopt);
}

TEST(FormatCounterTest, PadsShorterResultsToTheOldLength) {
  EXPECT_EQ(FormatCounter(99, 3), "99 ");
  EXPECT_EQ(FormatCounter(0, 2), "0 ");
  EXPECT_EQ(FormatCounter(1, 20), "1" + std::string(19, ' '));
}

TEST(FormatCounterTest, EqualOrLongerResultsAreBareDigits) {
  EXPECT_EQ(FormatCounter(100, 2), "100");
  EXPECT_EQ(FormatCounter(12, 2), "12");
  EXPECT_EQ(FormatCounter(7, 0), "7");
  EXPECT_EQ(FormatCounter(18446744073709551615ULL, 0), "18446744073709551615");
}

TEST(FormatCounterTest, RoundTripsThroughParseCounter) {
  for (std::uint64_t n : {0ULL, 1ULL, 99ULL, 18446744073709551615ULL}) {
    EXPECT_EQ(ParseCounter(FormatCounter(n, 25)), n);
  }
}

// memcached 1.6.18 with -I 1m: a 1-byte key takes at most 1048516 value bytes, 4 fewer with
// nonzero flags, and `stats bytes` is 71 for key "abc", flags 1, value "hello" (all live).
TEST(ItemSizeTest, MatchesMemcachedAccounting) {
  EXPECT_EQ(MemcachedItemSize(3, 5, 1), 71u);
  EXPECT_EQ(MemcachedItemSize(3, 5), 67u);
  EXPECT_EQ(MemcachedItemSize(1, 1048516), 1048576u);
}

TEST(ItemSizeTest, ItemFitsAtTheLimit) {
  constexpr std::size_t kMax = 1024 * 1024;
  EXPECT_TRUE(ItemFits(1, 1048516, kMax));
  EXPECT_FALSE(ItemFits(1, 1048517, kMax));
  EXPECT_TRUE(ItemFits(1, 1048512, kMax, 1));
  EXPECT_FALSE(ItemFits(1, 1048513, kMax, 1));
  EXPECT_FALSE(ItemFits(250, 1048516, kMax));
}

}  // namespace
}  // namespace mnemo
