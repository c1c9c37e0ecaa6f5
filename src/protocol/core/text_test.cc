// Text helpers: line framing, tokenising and memcached's numeric token rules. The numeric
// cases follow memcached 1.6.18's safe_strto* helpers, checked live through set/touch/mg.
#include "core/text.h"

#include <gtest/gtest.h>

#include <string>

namespace mnemo::text {
namespace {

TEST(FindLineTest, WaitsForANewline) {
  EXPECT_EQ(FindLine(""), std::nullopt);
  EXPECT_EQ(FindLine("get a"), std::nullopt);
  EXPECT_EQ(FindLine("get a\r"), std::nullopt);
}

TEST(FindLineTest, StripsCrLfOrABareLf) {
  auto crlf = FindLine("get a\r\nget b\r\n");
  ASSERT_TRUE(crlf);
  EXPECT_EQ(crlf->line, "get a");
  EXPECT_EQ(crlf->length, 7u);
  auto lf = FindLine("get a\nrest");
  ASSERT_TRUE(lf);
  EXPECT_EQ(lf->line, "get a");
  EXPECT_EQ(lf->length, 6u);
}

TEST(FindLineTest, OnlyOneCarriageReturnBelongsToTheTerminator) {
  auto line = FindLine("a\r\r\n");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->line, "a\r");
  EXPECT_EQ(line->length, 4u);
}

TEST(FindLineTest, EmptyLine) {
  auto line = FindLine("\r\n");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->line, "");
  EXPECT_EQ(line->length, 2u);
}

TEST(TokenizerTest, SplitsOnRunsOfSpaces) {
  Tokenizer t("  get  a b   ");
  EXPECT_EQ(t.Next(), "get");
  EXPECT_EQ(t.Next(), "a");
  EXPECT_FALSE(t.Done());
  EXPECT_EQ(t.Next(), "b");
  EXPECT_TRUE(t.Done());
  EXPECT_EQ(t.Next(), "");
  EXPECT_EQ(t.Next(), "");
}

TEST(TokenizerTest, TabsAreNotSeparators) {
  Tokenizer t("get a\tb");
  EXPECT_EQ(t.Next(), "get");
  EXPECT_EQ(t.Next(), "a\tb");
  EXPECT_TRUE(t.Done());
}

TEST(TokenizerTest, RestSkipsLeadingSpacesOnly) {
  Tokenizer t("mg key  v  c ");
  EXPECT_EQ(t.Next(), "mg");
  EXPECT_EQ(t.Rest(), "key  v  c ");
  EXPECT_EQ(t.Next(), "key");
  EXPECT_EQ(t.Rest(), "v  c ");
}

TEST(CountTokensTest, CountsWhatNextReturns) {
  EXPECT_EQ(CountTokens(""), 0u);
  EXPECT_EQ(CountTokens("   "), 0u);
  EXPECT_EQ(CountTokens("set k 0 0 1"), 5u);
  EXPECT_EQ(CountTokens(" a  b "), 2u);
}

TEST(ParseU64Test, Decimal) {
  EXPECT_EQ(ParseU64("0"), 0u);
  EXPECT_EQ(ParseU64("123"), 123u);
  EXPECT_EQ(ParseU64("18446744073709551615"), 18446744073709551615ULL);
  EXPECT_EQ(ParseU64("+7"), 7u);
  EXPECT_EQ(ParseU64("007"), 7u);
}

TEST(ParseU64Test, Rejects) {
  for (const char* token : {"", "abc", "1x", "x1", "-", "+", " ", "18446744073709551616", "-1",
                            "-9223372036854775808", "1.0"}) {
    EXPECT_EQ(ParseU64(token), std::nullopt) << '"' << token << '"';
  }
}

TEST(ParseU64Test, MinusIsRejectedOnlyWhenTheResultLooksNegative) {
  EXPECT_EQ(ParseU64("-0"), 0u);
  EXPECT_EQ(ParseU64("-18446744073709551615"), 1u);
  EXPECT_EQ(ParseU64("9223372036854775808"), 9223372036854775808ULL);
}

// `set k 1\tx 0 1` stores flags 1 on memcached 1.6.18: the number may be followed by a
// whitespace byte, and anything after that is ignored.
TEST(ParseU64Test, TrailingWhitespaceEndsTheNumber) {
  EXPECT_EQ(ParseU64("1\t"), 1u);
  EXPECT_EQ(ParseU64("1\tx"), 1u);
  EXPECT_EQ(ParseU64("\t1"), 1u);
  EXPECT_EQ(ParseU64("1\v"), 1u);
  EXPECT_EQ(ParseU64(std::string("1\0x", 3)), 1u);
  EXPECT_EQ(ParseU64(std::string("\0"
                                 "1",
                                 2)),
            std::nullopt);
}

TEST(ParseU64Test, LongTokensOfLeadingZeros) {
  EXPECT_EQ(ParseU64(std::string(100, '0') + "5"), 5u);
}

// memcached 1.6.18 accepts `set k 4294967296 0 1` and stores flags 0.
TEST(ParseU32Test, TruncatesValuesThatFitIn64Bits) {
  EXPECT_EQ(ParseU32("4294967295"), 4294967295u);
  EXPECT_EQ(ParseU32("4294967296"), 0u);
  EXPECT_EQ(ParseU32("4294967297"), 1u);
  EXPECT_EQ(ParseU32("18446744073709551616"), std::nullopt);
  EXPECT_EQ(ParseU32("-1"), std::nullopt);
  EXPECT_EQ(ParseU32("-0"), 0u);
  EXPECT_EQ(ParseU32("1\t"), 1u);
  EXPECT_EQ(ParseU32("abc"), std::nullopt);
}

TEST(ParseI64Test, SignedRange) {
  EXPECT_EQ(ParseI64("-1"), -1);
  EXPECT_EQ(ParseI64("+5"), 5);
  EXPECT_EQ(ParseI64("9223372036854775807"), 9223372036854775807LL);
  EXPECT_EQ(ParseI64("-9223372036854775808"), (-9223372036854775807LL - 1));
  EXPECT_EQ(ParseI64("9223372036854775808"), std::nullopt);
  EXPECT_EQ(ParseI64("-9223372036854775809"), std::nullopt);
  EXPECT_EQ(ParseI64("12x"), std::nullopt);
  EXPECT_EQ(ParseI64(""), std::nullopt);
  EXPECT_EQ(ParseI64("-5 "), -5);
}

// safe_strtol stores a long into an int32_t: `set k 0 4294967297 1` has exptime 1,
// `set k 0 -4294967296 1` never expires, `set k 0 2147483648 1` is already expired (live).
TEST(ParseI32Test, TruncatesValuesThatFitIn64Bits) {
  EXPECT_EQ(ParseI32("2147483647"), 2147483647);
  EXPECT_EQ(ParseI32("-2147483648"), (-2147483647 - 1));
  EXPECT_EQ(ParseI32("4294967297"), 1);
  EXPECT_EQ(ParseI32("-4294967296"), 0);
  EXPECT_EQ(ParseI32("2147483648"), (-2147483647 - 1));
  EXPECT_EQ(ParseI32("-2147483649"), 2147483647);
  EXPECT_EQ(ParseI32("9223372036854775808"), std::nullopt);
  EXPECT_EQ(ParseI32("-1"), -1);
  EXPECT_EQ(ParseI32("1x"), std::nullopt);
}

}  // namespace
}  // namespace mnemo::text
