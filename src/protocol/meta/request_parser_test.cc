// Well-formed meta requests, each parsed at every fragment size (parse_test_util.h).
#include <gtest/gtest.h>

#include <string>

#include "meta/parse_test_util.h"
#include "mnemo/protocol/meta.h"

namespace mnemo::meta {
namespace {

using test::Key;
using test::ParseAll;
using test::ParseOne;

TEST(IsMetaCommandTest, AcceptsTheSixVerbsFollowedBySpaceOrLineEnd) {
  for (std::string_view verb : {"mg", "ms", "md", "ma", "mn", "me"}) {
    EXPECT_TRUE(IsMetaCommand(std::string(verb) + " k\r\n")) << verb;
    EXPECT_TRUE(IsMetaCommand(std::string(verb) + "\r\n")) << verb;
    EXPECT_TRUE(IsMetaCommand(std::string(verb) + "\n")) << verb;
  }
}

TEST(IsMetaCommandTest, RejectsEverythingElse) {
  EXPECT_FALSE(IsMetaCommand("mg"));  // cannot tell yet
  EXPECT_FALSE(IsMetaCommand("mx foo\r\n"));
  EXPECT_FALSE(IsMetaCommand("mget foo\r\n"));
  EXPECT_FALSE(IsMetaCommand("mg\tfoo\r\n"));  // tabs do not separate tokens
  EXPECT_FALSE(IsMetaCommand("MG foo\r\n"));
  EXPECT_FALSE(IsMetaCommand("get foo\r\n"));
  EXPECT_FALSE(IsMetaCommand(" mg foo\r\n"));
  EXPECT_FALSE(IsMetaCommand(""));
}

TEST(MetaParseTest, GetWithValueFlag) {
  auto p = ParseOne("mg foo v\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.consumed, 10u);
  EXPECT_EQ(p.request.protocol, Protocol::kMeta);
  EXPECT_EQ(p.request.command, Command::kMetaGet);
  EXPECT_EQ(p.request.key, "foo");
  EXPECT_EQ(p.request.raw_key, "foo");
  EXPECT_EQ(p.request.meta.tokens, "v");
  EXPECT_EQ(p.request.meta.present, MetaFlags::Bit('v'));
  EXPECT_FALSE(p.request.quiet);
}

TEST(MetaParseTest, GetWithoutFlags) {
  auto p = ParseOne("mg foo\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.request.key, "foo");
  EXPECT_EQ(p.request.meta.present, 0u);
  EXPECT_EQ(p.request.meta.tokens, "");
}

TEST(MetaParseTest, BareNewlineAndRepeatedSpaces) {
  auto p = ParseOne("mg  foo   v  k \n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.consumed, 16u);
  EXPECT_EQ(p.request.key, "foo");
  EXPECT_TRUE(p.request.meta.Has('v'));
  EXPECT_TRUE(p.request.meta.Has('k'));
}

TEST(MetaParseTest, GetFlagTokens) {
  auto p = ParseOne("mg foo s t c f h l k u v T30 N-1 R+15 Oab12 q P/x L/y\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  const MetaFlags& m = p.request.meta;
  for (char c : std::string_view("stcfhlkuvTNROqPL")) EXPECT_TRUE(m.Has(c)) << c;
  EXPECT_FALSE(m.Has('b'));
  EXPECT_EQ(m.ttl, 30);
  EXPECT_EQ(m.vivify_ttl, -1);
  EXPECT_EQ(m.recache_ttl, 15);
  EXPECT_EQ(m.opaque, "ab12");
  EXPECT_TRUE(p.request.quiet);
  EXPECT_EQ(p.request.exptime, 30);
  EXPECT_EQ(m.tokens, "s t c f h l k u v T30 N-1 R+15 Oab12 q P/x L/y");
}

TEST(MetaParseTest, OnlyTheFirstCharacterOfAFlagCounts) {
  auto p = ParseOne("mg foo vxyz kabc\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.request.meta.present, MetaFlags::Bit('v') | MetaFlags::Bit('k'));
}

TEST(MetaParseTest, EmptyOpaqueIsAllowed) {
  auto p = ParseOne("mg foo O\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_TRUE(p.request.meta.Has('O'));
  EXPECT_EQ(p.request.meta.opaque, "");
}

TEST(MetaParseTest, OpaqueOfThirtyOneBytesIsAllowed) {
  auto p = ParseOne("mg foo O1234567890123456789012345678901\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.request.meta.opaque.size(), 31u);
}

// 1.6.18 reads T, N, R with strtol into a 32-bit int: out-of-range values wrap.
TEST(MetaParseTest, TtlTokensWrapToThirtyTwoBits) {
  auto p = ParseOne("mg foo T4294967326 N4294967296 R2147483648\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.request.meta.ttl, 30);
  EXPECT_EQ(p.request.meta.vivify_ttl, 0);
  EXPECT_EQ(p.request.meta.recache_ttl, -2147483648LL);
}

TEST(MetaParseTest, Base64Key) {
  auto p = ParseOne("mg Zm9vYmFy b k v\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(Key(p.request), "foobar");
  EXPECT_EQ(p.request.raw_key, "Zm9vYmFy");
  EXPECT_TRUE(p.request.meta.Has('b'));
}

TEST(MetaParseTest, Base64KeyDecodesLikeMemcached) {
  auto p = ParseOne("mg Zm9vYg==Zm9v b\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(Key(p.request), "foob");
  auto q = ParseOne("mg Zm9v!YmFy b\r\n");
  ASSERT_EQ(q.status, ParseStatus::kOk);
  EXPECT_EQ(Key(q.request), "foobar");
}

TEST(MetaParseTest, BinaryKeyBytes) {
  auto p = ParseOne("md AP8gDQo= b q\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(Key(p.request), std::string("\0\xff \r\n", 5));
}

TEST(MetaParseTest, KeyOfTwoHundredFiftyBytes) {
  const std::string key(250, 'k');
  auto p = ParseOne("mg " + key + " v\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.request.key, key);
}

TEST(MetaParseTest, SeventeenFlagsAreAllowedOnMg) {
  auto p = ParseOne("mg Zm9v b c f h k l O s t u v P L q N1 R1 T1\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(__builtin_popcountll(p.request.meta.present), 17);
}

TEST(MetaParseTest, SetWithValue) {
  auto p = ParseOne("ms foo 5 T30 F7 c\r\nhello\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.consumed, 26u);
  EXPECT_EQ(p.request.command, Command::kMetaSet);
  EXPECT_EQ(p.request.key, "foo");
  EXPECT_EQ(p.request.value, "hello");
  EXPECT_EQ(p.request.meta.ttl, 30);
  EXPECT_EQ(p.request.meta.client_flags, 7u);
  EXPECT_EQ(p.request.client_flags, 7u);
  EXPECT_EQ(p.request.exptime, 30);
  EXPECT_EQ(p.request.meta.tokens, "T30 F7 c");
  EXPECT_FALSE(p.request.oversize);
}

TEST(MetaParseTest, SetEmptyValue) {
  auto p = ParseOne("ms foo 0\r\n\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.consumed, 12u);
  EXPECT_EQ(p.request.value, "");
}

TEST(MetaParseTest, SetValueMayHoldLineBreaksAndAnyByte) {
  const std::string value("a\r\nb\n\0\xff", 7);
  auto p = ParseOne("ms foo 7\r\n" + value + "\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.request.value, value);
}

TEST(MetaParseTest, SetValueLongerThanTheLineLimit) {
  const std::string value(5000, 'x');
  auto p = ParseOne("ms foo 5000\r\n" + value + "\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.request.value.size(), 5000u);
}

// Verified on 1.6.18: datalen is read like T (32-bit wrap), and a plus sign is fine.
TEST(MetaParseTest, SetDatalenQuirks) {
  auto p = ParseOne("ms foo 4294967298\r\nhi\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.request.value, "hi");
  auto q = ParseOne("ms foo +2\r\nhi\r\n");
  ASSERT_EQ(q.status, ParseStatus::kOk);
  EXPECT_EQ(q.request.value, "hi");
}

TEST(MetaParseTest, SetModes) {
  for (char mode : std::string_view("EAPRS")) {
    auto p = ParseOne(std::string("ms foo 1 M") + mode + "\r\nx\r\n");
    ASSERT_EQ(p.status, ParseStatus::kOk) << mode;
    EXPECT_EQ(p.request.meta.mode, mode);
  }
}

TEST(MetaParseTest, SetCompareInvalidateAndClientFlagsWrap) {
  auto p = ParseOne("ms foo 1 C18446744073709551615 I F4294967297 E9\r\nx\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.request.meta.compare_cas, 18446744073709551615ULL);
  EXPECT_EQ(p.request.cas, 18446744073709551615ULL);
  EXPECT_TRUE(p.request.meta.Has('I'));
  EXPECT_EQ(p.request.meta.client_flags, 1u);  // 1.6.18 truncates to 32 bits
  EXPECT_EQ(p.request.meta.new_cas, 9u);
}

TEST(MetaParseTest, SetBase64Key) {
  auto p = ParseOne("ms Zm9v 2 b\r\nhi\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(Key(p.request), "foo");
  EXPECT_EQ(p.request.value, "hi");
}

TEST(MetaParseTest, Delete) {
  auto p = ParseOne("md foo q I T30 C5 k O1\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.request.command, Command::kMetaDelete);
  EXPECT_TRUE(p.request.quiet);
  EXPECT_TRUE(p.request.meta.Has('I'));
  EXPECT_EQ(p.request.meta.ttl, 30);
  EXPECT_EQ(p.request.meta.compare_cas, 5u);
}

TEST(MetaParseTest, ArithmeticDefaults) {
  auto p = ParseOne("ma cnt\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.request.command, Command::kMetaArithmetic);
  EXPECT_EQ(p.request.meta.delta, 1u);
  EXPECT_EQ(p.request.meta.initial, 0u);
  EXPECT_EQ(p.request.meta.mode, 0);
}

TEST(MetaParseTest, ArithmeticTokens) {
  auto p = ParseOne("ma cnt N0 J18446744073709551615 D20 MD v t c\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.request.meta.vivify_ttl, 0);
  EXPECT_TRUE(p.request.meta.Has('N'));
  EXPECT_EQ(p.request.meta.initial, 18446744073709551615ULL);
  EXPECT_EQ(p.request.meta.delta, 20u);
  EXPECT_EQ(p.request.delta, 20u);
  EXPECT_EQ(p.request.meta.mode, 'D');
}

TEST(MetaParseTest, ArithmeticModes) {
  for (char mode : std::string_view("I+D-")) {
    auto p = ParseOne(std::string("ma cnt M") + mode + "\r\n");
    ASSERT_EQ(p.status, ParseStatus::kOk) << mode;
    EXPECT_EQ(p.request.meta.mode, mode);
  }
}

// mg ignores M and I (they only mean something to ms/md/ma).
TEST(MetaParseTest, ForeignFlagsAreAcceptedOnMg) {
  auto p = ParseOne("mg foo MX I F5 J1 D2 C3\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.request.meta.mode, 'X');
}

TEST(MetaParseTest, NoopIgnoresTokens) {
  auto p = ParseOne("mn a 1 2 3\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.request.command, Command::kMetaNoop);
  auto q = ParseOne("mn\r\n");
  ASSERT_EQ(q.status, ParseStatus::kOk);
  EXPECT_EQ(q.consumed, 4u);
}

TEST(MetaParseTest, Debug) {
  auto p = ParseOne("me foo\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.request.command, Command::kMetaDebug);
  EXPECT_EQ(p.request.key, "foo");
  EXPECT_FALSE(p.request.meta.Has('b'));
}

TEST(MetaParseTest, DebugBase64OnlyRightAfterTheKey) {
  auto p = ParseOne("me bWV0ZXN0 b\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(Key(p.request), "metest");
  // 1.6.18 looks up "bWV0ZXN0" literally here.
  auto q = ParseOne("me bWV0ZXN0 k b\r\n");
  ASSERT_EQ(q.status, ParseStatus::kOk);
  EXPECT_EQ(Key(q.request), "bWV0ZXN0");
  // ...and ignores every other token, even unknown or repeated ones.
  auto r = ParseOne("me foo 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 v v\r\n");
  ASSERT_EQ(r.status, ParseStatus::kOk);
}

TEST(MetaParseTest, PipelinedRequests) {
  auto all = ParseAll("mg a v\r\nms b 2\r\nhi\r\nmd c\r\nma d\r\nmn\r\nme e\r\n");
  ASSERT_EQ(all.size(), 6u);
  const Command expected[] = {Command::kMetaGet,        Command::kMetaSet,  Command::kMetaDelete,
                              Command::kMetaArithmetic, Command::kMetaNoop, Command::kMetaDebug};
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].status, ParseStatus::kOk);
    EXPECT_EQ(all[i].request.command, expected[i]);
  }
  EXPECT_EQ(all[1].request.value, "hi");
}

TEST(MetaParseTest, IncompleteUntilTheDataBlockArrives) {
  Request r;
  const ParserLimits limits;
  EXPECT_EQ(ParseRequest("mg foo v", limits, r).status, ParseStatus::kIncomplete);
  EXPECT_EQ(ParseRequest("ms foo 5\r\nhel", limits, r).status, ParseStatus::kIncomplete);
  EXPECT_EQ(ParseRequest("ms foo 5\r\nhello\r", limits, r).status, ParseStatus::kIncomplete);
  Request done;
  ParseResult result = ParseRequest("ms foo 5\r\nhello\r\n", limits, done);
  EXPECT_EQ(result.status, ParseStatus::kOk);
  EXPECT_EQ(result.consumed, 17u);
}

TEST(MetaParseTest, OversizeValueIsSkippedNotBuffered) {
  ParserLimits limits;
  limits.max_value_bytes = 10;
  const std::string input = "ms foo 11 T5\r\n" + std::string(11, 'x') + "\r\nmn\r\n";
  auto all = ParseAll(input, limits);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].status, ParseStatus::kOk);
  EXPECT_EQ(all[0].consumed, 14u);
  EXPECT_TRUE(all[0].request.oversize);
  EXPECT_EQ(all[0].request.skip_bytes, 13u);
  EXPECT_TRUE(all[0].request.error.empty());
  EXPECT_EQ(all[1].request.command, Command::kMetaNoop);
}

TEST(MetaParseTest, ValueAtTheLimitIsBuffered) {
  ParserLimits limits;
  limits.max_value_bytes = 10;
  auto all = ParseAll("ms foo 10\r\n" + std::string(10, 'x') + "\r\n", limits);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_FALSE(all[0].request.oversize);
  EXPECT_EQ(all[0].request.value.size(), 10u);
}

}  // namespace
}  // namespace mnemo::meta
