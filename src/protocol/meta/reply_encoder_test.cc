// Server reply rendering: return flags in request order, reflected O/k, quiet rules. Expected
// bytes have the shapes memcached 1.6.18 sends for the same request lines.
#include <gtest/gtest.h>

#include <string>

#include "mnemo/protocol/meta.h"

namespace mnemo::meta {
namespace {

// Parses one request whose views stay valid while `line` lives.
Request Parse(const std::string& line) {
  Request request;
  ParseResult result = ParseRequest(line, ParserLimits{}, request);
  EXPECT_EQ(result.status, ParseStatus::kOk) << line;
  return request;
}

std::string GetHit(const std::string& line, const ItemFacts& item, std::string_view value) {
  std::string out;
  EncodeGetHit(Parse(line), item, value, out);
  return out;
}

ItemFacts Facts() {
  ItemFacts item;
  item.cas = 48;
  item.client_flags = 5;
  item.ttl = 30;
  item.idle = 2;
  item.fetched = true;
  return item;
}

TEST(MetaEncodeTest, GetHitWithValue) {
  EXPECT_EQ(GetHit("mg a v\r\n", Facts(), "xy"), "VA 2\r\nxy\r\n");
}

TEST(MetaEncodeTest, GetHitWithoutValue) {
  EXPECT_EQ(GetHit("mg a\r\n", Facts(), "xy"), "HD\r\n");
  EXPECT_EQ(GetHit("mg a q u\r\n", Facts(), "xy"), "HD\r\n");
}

TEST(MetaEncodeTest, GetHitFlagsFollowRequestOrder) {
  EXPECT_EQ(GetHit("mg a s t c f l h O9 k v\r\n", Facts(), "xy"),
            "VA 2 s2 t30 c48 f5 l2 h1 O9 ka\r\nxy\r\n");
  EXPECT_EQ(GetHit("mg a k O9 h l f c t s\r\n", Facts(), "xy"), "HD ka O9 h1 l2 f5 c48 t30 s2\r\n");
}

TEST(MetaEncodeTest, GetHitSilentFlagsAddNothing) {
  EXPECT_EQ(GetHit("mg a q u T5 N5 R5 P1 L1 I MS F1 C1 D1 J1 E1\r\n", Facts(), "xy"), "HD\r\n");
}

TEST(MetaEncodeTest, GetHitNeverExpiresAndNotFetched) {
  ItemFacts item = Facts();
  item.ttl = -1;
  item.fetched = false;
  EXPECT_EQ(GetHit("mg a t h\r\n", item, ""), "HD t-1 h0\r\n");
}

TEST(MetaEncodeTest, GetHitWinLostStaleInMemcachedOrder) {
  ItemFacts item = Facts();
  item.win = true;
  EXPECT_EQ(GetHit("mg a c v\r\n", item, ""), "VA 0 c48 W\r\n\r\n");
  item.win = false;
  item.lost = true;
  EXPECT_EQ(GetHit("mg a c v\r\n", item, ""), "VA 0 c48 Z\r\n\r\n");
  item.stale = true;
  EXPECT_EQ(GetHit("mg a c\r\n", item, ""), "HD c48 Z X\r\n");
  item.lost = false;
  item.win = true;
  EXPECT_EQ(GetHit("mg a c\r\n", item, ""), "HD c48 X W\r\n");
}

TEST(MetaEncodeTest, GetHitBase64KeyIsReencoded) {
  ItemFacts binary = Facts();
  binary.binary_key = true;
  EXPECT_EQ(GetHit("mg Zm9vYg==Zm9v b k\r\n", binary, ""), "HD kZm9vYg== b\r\n");
  EXPECT_EQ(GetHit("mg Zm9vYmFy k b O1\r\n", binary, ""), "HD kZm9vYmFy b O1\r\n");
}

// On a hit the item decides: 1.6.18 remembers whether the key was stored through `b`.
TEST(MetaEncodeTest, GetHitKeyEncodingFollowsTheItem) {
  ItemFacts binary = Facts();
  binary.binary_key = true;
  EXPECT_EQ(GetHit("mg foobar O1 k s\r\n", binary, "x"), "HD O1 kZm9vYmFy b s1\r\n");
  EXPECT_EQ(GetHit("mg Zm9vYmFy b O1 k s\r\n", Facts(), "x"), "HD O1 kfoobar s1\r\n");
  // A binary key stored plain (an autovivified stub) comes back raw.
  EXPECT_EQ(GetHit("mg AAEC/w== b k\r\n", Facts(), ""), std::string("HD k\0\1\2\xff\r\n", 10));
}

TEST(MetaEncodeTest, StatusReflectsOpaqueAndKey) {
  std::string out;
  EncodeStatus(Parse("mg nokey k O1 v c t\r\n"), ReplyCode::kEn, out);
  EXPECT_EQ(out, "EN knokey O1\r\n");
  out.clear();
  EncodeStatus(Parse("mg Zm9vYmFy b k O9 v\r\n"), ReplyCode::kEn, out);
  EXPECT_EQ(out, "EN kZm9vYmFy b O9\r\n");
  out.clear();
  EncodeStatus(Parse("md a s t c O2 k\r\n"), ReplyCode::kNf, out);
  EXPECT_EQ(out, "NF O2 ka\r\n");
  out.clear();
  EncodeStatus(Parse("mg a\r\n"), ReplyCode::kEn, out);
  EXPECT_EQ(out, "EN\r\n");
}

TEST(MetaEncodeTest, StoreReplyFlags) {
  std::string out;
  EncodeStoreReply(Parse("ms a 1 k O5 c s t f T1\r\nx\r\n"), ReplyCode::kHd, 13, out);
  EXPECT_EQ(out, "HD ka O5 c13\r\n");
  out.clear();
  EncodeStoreReply(Parse("ms bXNi 1 b O1 c k\r\nx\r\n"), ReplyCode::kNs, 0, out);
  EXPECT_EQ(out, "NS O1 c0 kbXNi b\r\n");
  out.clear();
  EncodeStoreReply(Parse("ms a 1\r\nx\r\n"), ReplyCode::kEx, 0, out);
  EXPECT_EQ(out, "EX\r\n");
}

TEST(MetaEncodeTest, ArithmeticReply) {
  std::string out;
  EncodeArithmeticReply(Parse("ma a t c v k O1\r\n"), 7, 41, 50, out);
  EXPECT_EQ(out, "VA 1 t50 c41 ka O1\r\n7\r\n");
  out.clear();
  EncodeArithmeticReply(Parse("ma a N0 J5\r\n"), 18446744073709551615ULL, 1, -1, out);
  EXPECT_EQ(out, "HD\r\n");
  out.clear();
  EncodeArithmeticReply(Parse("ma a v t\r\n"), 18446744073709551615ULL, 1, -1, out);
  EXPECT_EQ(out, "VA 20 t-1\r\n18446744073709551615\r\n");
}

TEST(MetaEncodeTest, DebugReply) {
  DebugFacts facts;
  facts.exp = -100;
  facts.cas = 5;
  facts.size = 70;
  std::string out;
  EncodeDebugReply(Parse("me metest\r\n"), facts, out);
  EXPECT_EQ(out, "ME metest exp=-100 la=0 cas=5 fetch=no cls=1 size=70\r\n");
  out.clear();
  facts.exp = -1;
  facts.la = 3;
  facts.fetched = true;
  EncodeDebugReply(Parse("me Zm9vYmFy b\r\n"), facts, out);
  EXPECT_EQ(out, "ME foobar exp=-1 la=3 cas=5 fetch=yes cls=1 size=70\r\n");
  // The item's encoding decides, not the request's.
  facts.binary_key = true;
  out.clear();
  EncodeDebugReply(Parse("me Zm9vYmFy b\r\n"), facts, out);
  EXPECT_EQ(out, "ME Zm9vYmFy exp=-1 la=3 cas=5 fetch=yes cls=1 size=70\r\n");
  out.clear();
  EncodeDebugReply(Parse("me foobar\r\n"), facts, out);
  EXPECT_EQ(out, "ME Zm9vYmFy exp=-1 la=3 cas=5 fetch=yes cls=1 size=70\r\n");
}

TEST(MetaEncodeTest, Noop) {
  std::string out;
  EncodeNoopReply(out);
  EXPECT_EQ(out, "MN\r\n");
}

TEST(MetaEncodeTest, ReplyCodeText) {
  EXPECT_EQ(ReplyCodeText(ReplyCode::kHd), "HD");
  EXPECT_EQ(ReplyCodeText(ReplyCode::kVa), "VA");
  EXPECT_EQ(ReplyCodeText(ReplyCode::kEn), "EN");
  EXPECT_EQ(ReplyCodeText(ReplyCode::kNs), "NS");
  EXPECT_EQ(ReplyCodeText(ReplyCode::kEx), "EX");
  EXPECT_EQ(ReplyCodeText(ReplyCode::kNf), "NF");
  EXPECT_EQ(ReplyCodeText(ReplyCode::kMn), "MN");
  EXPECT_EQ(ReplyCodeText(ReplyCode::kMe), "ME");
  EXPECT_EQ(ReplyCodeText(ReplyCode::kError), "");
}

TEST(MetaQuietTest, WithoutQNothingIsHidden) {
  for (std::string line : {"mg a\r\n", "md a\r\n", "ma a\r\n"}) {
    for (ReplyCode code : {ReplyCode::kHd, ReplyCode::kEn, ReplyCode::kVa}) {
      EXPECT_FALSE(QuietHides(Parse(line), code)) << line;
    }
  }
}

TEST(MetaQuietTest, GetHidesOnlyTheMiss) {
  const std::string line = "mg a q\r\n";
  EXPECT_TRUE(QuietHides(Parse(line), ReplyCode::kEn));
  EXPECT_FALSE(QuietHides(Parse(line), ReplyCode::kHd));
  EXPECT_FALSE(QuietHides(Parse(line), ReplyCode::kVa));
}

TEST(MetaQuietTest, SetAndDeleteHideOnlySuccess) {
  const std::string set = "ms a 1 q\r\nx\r\n";
  EXPECT_TRUE(QuietHides(Parse(set), ReplyCode::kHd));
  for (ReplyCode code : {ReplyCode::kNs, ReplyCode::kEx, ReplyCode::kNf}) {
    EXPECT_FALSE(QuietHides(Parse(set), code));
  }
  const std::string del = "md a q\r\n";
  EXPECT_TRUE(QuietHides(Parse(del), ReplyCode::kHd));
  EXPECT_FALSE(QuietHides(Parse(del), ReplyCode::kNf));
  EXPECT_FALSE(QuietHides(Parse(del), ReplyCode::kEx));
}

TEST(MetaQuietTest, ArithmeticHidesSuccessUnlessCreated) {
  const std::string line = "ma a q v\r\n";
  EXPECT_TRUE(QuietHides(Parse(line), ReplyCode::kHd));
  EXPECT_TRUE(QuietHides(Parse(line), ReplyCode::kVa));
  EXPECT_FALSE(QuietHides(Parse(line), ReplyCode::kVa, /*created=*/true));
  EXPECT_FALSE(QuietHides(Parse(line), ReplyCode::kNf));
  EXPECT_FALSE(QuietHides(Parse(line), ReplyCode::kEx));
}

}  // namespace
}  // namespace mnemo::meta
