// Client request encoding, checked byte for byte and by feeding the result back through the
// server parser (encode-then-parse round trip).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "meta/parse_test_util.h"
#include "mnemo/protocol/meta.h"

namespace mnemo::meta {
namespace {

TEST(MetaFlagTest, TokenKinds) {
  EXPECT_EQ(Flag('v').token(), "");
  EXPECT_EQ(Flag('O', "abc").token(), "abc");
  EXPECT_EQ(Flag('M', 'E').token(), "E");
  EXPECT_EQ(Flag('T', 30).token(), "30");
  EXPECT_EQ(Flag('T', -1).token(), "-1");
  EXPECT_EQ(Flag('C', 18446744073709551615ULL).token(), "18446744073709551615");
  EXPECT_EQ(Flag('T', std::int64_t{-9223372036854775807LL - 1}).token(), "-9223372036854775808");
  EXPECT_EQ(Flag('v').letter(), 'v');
}

TEST(MetaFlagTest, CopiesKeepTheirToken) {
  std::vector<Flag> flags;
  for (int i = 0; i < 20; ++i) flags.emplace_back('T', i * 1000);
  EXPECT_EQ(flags[7].token(), "7000");
  Flag copy = flags[19];
  EXPECT_EQ(copy.token(), "19000");
}

TEST(MetaRequestEncodeTest, Get) {
  std::string out;
  EncodeGetRequest("foo", {'v', 'c', Flag('T', 30), Flag('O', "x1")}, out);
  EXPECT_EQ(out, "mg foo v c T30 Ox1\r\n");
}

TEST(MetaRequestEncodeTest, GetWithoutFlags) {
  std::string out;
  EncodeGetRequest("foo", {}, out);
  EXPECT_EQ(out, "mg foo\r\n");
}

TEST(MetaRequestEncodeTest, BinaryKeyAddsBase64AndB) {
  std::string out;
  EncodeGetRequest(std::string_view("\0\xff \r\n", 5), {'v'}, out, KeyEncoding::kBase64);
  EXPECT_EQ(out, "mg AP8gDQo= v b\r\n");
  out.clear();
  EncodeDeleteRequest("foobar", {'b', 'q'}, out, KeyEncoding::kBase64);
  EXPECT_EQ(out, "md Zm9vYmFy b q\r\n");
}

TEST(MetaRequestEncodeTest, Set) {
  std::string out;
  EncodeSetRequest("foo", "hello", {Flag('T', 0), Flag('F', 7u), Flag('M', 'A'), 'c'}, out);
  EXPECT_EQ(out, "ms foo 5 T0 F7 MA c\r\nhello\r\n");
}

TEST(MetaRequestEncodeTest, SetEmptyAndBinaryValue) {
  std::string out;
  EncodeSetRequest("k", "", {}, out);
  EXPECT_EQ(out, "ms k 0\r\n\r\n");
  out.clear();
  const std::string value("a\r\n\0b", 5);
  EncodeSetRequest("k", value, {}, out);
  EXPECT_EQ(out, "ms k 5\r\n" + value + "\r\n");
}

TEST(MetaRequestEncodeTest, DeleteArithmeticNoopDebug) {
  std::string out;
  EncodeDeleteRequest("foo", {'I', Flag('T', 30), 'q'}, out);
  EncodeArithmeticRequest("cnt", {Flag('N', 0), Flag('J', 10), Flag('M', 'D'), 'v'}, out);
  EncodeNoopRequest(out);
  EncodeDebugRequest("foo", out);
  EncodeDebugRequest("foobar", out, KeyEncoding::kBase64);
  EXPECT_EQ(out,
            "md foo I T30 q\r\n"
            "ma cnt N0 J10 MD v\r\n"
            "mn\r\n"
            "me foo\r\n"
            "me Zm9vYmFy b\r\n");
}

TEST(MetaRequestEncodeTest, SpanOverload) {
  const std::vector<Flag> flags = {Flag('k'), Flag('O', "7")};
  std::string out;
  EncodeGetRequest("foo", flags, out);
  EXPECT_EQ(out, "mg foo k O7\r\n");
}

TEST(MetaRequestEncodeTest, RoundTripsThroughTheServerParser) {
  std::string out;
  EncodeGetRequest("alpha", {'v', Flag('T', 30), Flag('O', "op")}, out);
  EncodeSetRequest(std::string_view("\x01\x02", 2), "xyz", {Flag('F', 9u), 'q'}, out,
                   KeyEncoding::kBase64);
  EncodeDeleteRequest("gamma", {Flag('C', 12u)}, out);
  EncodeArithmeticRequest("delta", {Flag('D', 5), Flag('M', '-')}, out);
  EncodeNoopRequest(out);
  EncodeDebugRequest("eps", out, KeyEncoding::kBase64);
  auto all = test::ParseAll(out);
  ASSERT_EQ(all.size(), 6u);
  for (const auto& p : all) EXPECT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(test::Key(all[0].request), "alpha");
  EXPECT_EQ(all[0].request.meta.ttl, 30);
  EXPECT_EQ(all[0].request.meta.opaque, "op");
  EXPECT_EQ(test::Key(all[1].request), std::string("\x01\x02", 2));
  EXPECT_EQ(all[1].request.value, "xyz");
  EXPECT_EQ(all[1].request.meta.client_flags, 9u);
  EXPECT_TRUE(all[1].request.quiet);
  EXPECT_EQ(all[2].request.meta.compare_cas, 12u);
  EXPECT_EQ(all[3].request.meta.delta, 5u);
  EXPECT_EQ(all[3].request.meta.mode, '-');
  EXPECT_EQ(all[4].request.command, Command::kMetaNoop);
  EXPECT_EQ(test::Key(all[5].request), "eps");
}

}  // namespace
}  // namespace mnemo::meta
