// Client reply parsing at every fragment size. Inputs are replies memcached 1.6.18 sent.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "fragments.h"
#include "mnemo/protocol/meta.h"

namespace mnemo::meta {
namespace {

struct ParsedReply {
  ParseStatus status;
  std::size_t consumed;
  Reply reply;
  std::shared_ptr<const std::string> bytes;  // what the reply's views point into
};

// Feeds `input` `fragment` bytes at a time, as ParseStream does for requests.
std::vector<ParsedReply> ParseReplies(std::string_view input, std::size_t fragment) {
  std::vector<ParsedReply> out;
  std::string buffer;
  std::size_t fed = 0;
  if (fragment == 0) fragment = std::max<std::size_t>(1, input.size());
  while (true) {
    while (!buffer.empty()) {
      Reply probe;
      ParseResult r = ParseReply(buffer, probe);
      if (r.status == ParseStatus::kIncomplete) break;
      ParsedReply p{r.status, r.consumed, Reply{}, std::make_shared<const std::string>(buffer)};
      ParseReply(*p.bytes, p.reply);
      buffer.erase(0, r.consumed);
      const bool fatal = r.status == ParseStatus::kFatal;
      out.push_back(std::move(p));
      if (fatal) return out;
    }
    if (fed == input.size()) break;
    const std::size_t n = std::min(fragment, input.size() - fed);
    buffer.append(input.substr(fed, n));
    fed += n;
  }
  return out;
}

std::string Describe(const ParsedReply& p) {
  const Reply& r = p.reply;
  std::string s = std::to_string(static_cast<int>(p.status)) + " " + std::to_string(p.consumed);
  s += " code=" + std::to_string(static_cast<int>(r.code)) + " line=" + std::string(r.line);
  s += " value=" + std::string(r.value) + " error=" + std::string(r.error);
  s += " debug=" + std::string(r.debug) + " flags=" + std::to_string(r.flag_count);
  return s;
}

// Every fragment size must agree; returns the whole-input run.
std::vector<ParsedReply> ParseAllReplies(std::string_view input) {
  std::vector<ParsedReply> whole = ParseReplies(input, 0);
  for (std::size_t fragment : testing::kFragmentSizes) {
    std::vector<ParsedReply> got = ParseReplies(input, fragment);
    EXPECT_EQ(got.size(), whole.size()) << fragment;
    for (std::size_t i = 0; i < got.size() && i < whole.size(); ++i) {
      EXPECT_EQ(Describe(got[i]), Describe(whole[i])) << fragment << " #" << i;
    }
  }
  return whole;
}

TEST(MetaReplyParseTest, ValueWithFlags) {
  auto all = ParseAllReplies("VA 2 c48 t30 f0 kfoo O1 W\r\nhi\r\n");
  ASSERT_EQ(all.size(), 1u);
  const Reply& r = all[0].reply;
  EXPECT_EQ(all[0].status, ParseStatus::kOk);
  EXPECT_EQ(all[0].consumed, 31u);
  EXPECT_EQ(r.code, ReplyCode::kVa);
  EXPECT_EQ(r.value, "hi");
  EXPECT_EQ(r.flag_count, 6u);
  EXPECT_EQ(r.Find('c'), "48");
  EXPECT_EQ(r.Find('t'), "30");
  EXPECT_EQ(r.Find('O'), "1");
  EXPECT_EQ(r.Find('W'), "");
  EXPECT_EQ(r.Find('Z'), std::nullopt);
  EXPECT_EQ(r.flags[0].letter, 'c');
  EXPECT_EQ(r.flags[5].letter, 'W');
  EXPECT_EQ(r.key, "foo");
}

TEST(MetaReplyParseTest, ValueHoldingLineBreaks) {
  auto all = ParseAllReplies(std::string("VA 5\r\na\r\n\0b\r\nMN\r\n", 17));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].reply.value, std::string("a\r\n\0b", 5));
  EXPECT_EQ(all[1].reply.code, ReplyCode::kMn);
}

TEST(MetaReplyParseTest, EmptyValue) {
  auto all = ParseAllReplies("VA 0 c48 t30 W\r\n\r\n");
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].reply.value, "");
  EXPECT_EQ(all[0].consumed, 18u);
}

TEST(MetaReplyParseTest, StatusCodes) {
  auto all = ParseAllReplies("HD\r\nEN\r\nNS\r\nEX\r\nNF\r\nMN\r\nHD c13 kmsb O2\r\n");
  const ReplyCode expected[] = {ReplyCode::kHd, ReplyCode::kEn, ReplyCode::kNs, ReplyCode::kEx,
                                ReplyCode::kNf, ReplyCode::kMn, ReplyCode::kHd};
  ASSERT_EQ(all.size(), 7u);
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].reply.code, expected[i]) << i;
  EXPECT_EQ(all[6].reply.key, "msb");
  EXPECT_EQ(all[6].reply.Find('c'), "13");
}

TEST(MetaReplyParseTest, Base64KeyIsDecoded) {
  auto all = ParseAllReplies("EN kZm9vYmFy b O9\r\n");
  ASSERT_EQ(all.size(), 1u);
  // The key view points into key_storage, which moved with the reply: rebuild it.
  const Reply& r = all[0].reply;
  EXPECT_EQ(std::string(r.key_storage.data(), r.key.size()), "foobar");
  EXPECT_EQ(r.Find('k'), "Zm9vYmFy");
}

TEST(MetaReplyParseTest, Debug) {
  auto all = ParseAllReplies("ME metest exp=-100 la=0 cas=5 fetch=no cls=1 size=70\r\n");
  ASSERT_EQ(all.size(), 1u);
  const Reply& r = all[0].reply;
  EXPECT_EQ(r.code, ReplyCode::kMe);
  EXPECT_EQ(r.key, "metest");
  EXPECT_EQ(r.DebugField("exp"), "-100");
  EXPECT_EQ(r.DebugField("fetch"), "no");
  EXPECT_EQ(r.DebugField("size"), "70");
  EXPECT_EQ(r.DebugField("cl"), std::nullopt);
  EXPECT_EQ(r.DebugField("missing"), std::nullopt);
}

TEST(MetaReplyParseTest, ErrorLines) {
  auto all = ParseAllReplies(
      "ERROR\r\nCLIENT_ERROR bad command line format\r\n"
      "SERVER_ERROR object too large for cache\r\n");
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].reply.code, ReplyCode::kError);
  EXPECT_EQ(all[0].reply.error, "");
  EXPECT_EQ(all[1].reply.code, ReplyCode::kClientError);
  EXPECT_EQ(all[1].reply.error, "bad command line format");
  EXPECT_EQ(all[2].reply.code, ReplyCode::kServerError);
  EXPECT_EQ(all[2].reply.error, "object too large for cache");
}

TEST(MetaReplyParseTest, IncompleteUntilTheValueArrives) {
  Reply r;
  EXPECT_EQ(ParseReply("VA 5 c1", r).status, ParseStatus::kIncomplete);
  EXPECT_EQ(ParseReply("VA 5 c1\r\nhel", r).status, ParseStatus::kIncomplete);
  EXPECT_EQ(ParseReply("VA 5 c1\r\nhello\r", r).status, ParseStatus::kIncomplete);
  ParseResult done = ParseReply("VA 5 c1\r\nhello\r\n", r);
  EXPECT_EQ(done.status, ParseStatus::kOk);
  EXPECT_EQ(r.flag_count, 1u);  // reused object, not accumulated
}

TEST(MetaReplyParseTest, BrokenStreamsAreFatal) {
  for (std::string_view bad : {"XX\r\n", "VA\r\n", "VA abc\r\n", "VA -1\r\n", "VA 1\r\nxyz\r\n",
                               "HD kZm9 b\r\n", "ME\r\n", "STORED\r\n", "HDX\r\n"}) {
    auto all = ParseAllReplies(bad);
    ASSERT_EQ(all.size(), 1u) << bad;
    EXPECT_EQ(all[0].status, ParseStatus::kFatal) << bad;
  }
}

TEST(MetaReplyParseTest, TooManyFlagsIsFatal) {
  std::string line = "HD";
  for (std::size_t i = 0; i <= Reply::kMaxFlags; ++i) line += " O" + std::to_string(i);
  auto all = ParseAllReplies(line + "\r\n");
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].status, ParseStatus::kFatal);
}

TEST(MetaReplyParseTest, EndlessLineIsFatal) {
  Reply r;
  EXPECT_EQ(ParseReply(std::string(kMaxReplyLineBytes, 'H'), r).status, ParseStatus::kIncomplete);
  EXPECT_EQ(ParseReply(std::string(kMaxReplyLineBytes + 1, 'H'), r).status, ParseStatus::kFatal);
}

TEST(MetaReplyParseTest, RoundTripsServerEncoders) {
  std::string line = "mg Zm9v b k c t v O5\r\n";
  Request request;
  ASSERT_EQ(ParseRequest(line, ParserLimits{}, request).status, ParseStatus::kOk);
  ItemFacts facts;
  facts.cas = 9;
  facts.ttl = 12;
  facts.win = true;
  std::string bytes;
  EncodeGetHit(request, facts, "value", bytes);
  Reply reply;
  ParseResult result = ParseReply(bytes, reply);
  ASSERT_EQ(result.status, ParseStatus::kOk);
  EXPECT_EQ(result.consumed, bytes.size());
  EXPECT_EQ(reply.key, "foo");
  EXPECT_EQ(reply.value, "value");
  EXPECT_EQ(reply.Find('c'), "9");
  EXPECT_EQ(reply.Find('t'), "12");
  EXPECT_EQ(reply.Find('O'), "5");
  EXPECT_TRUE(reply.Find('W').has_value());
}

}  // namespace
}  // namespace mnemo::meta
