// mnemo-bench's RESP: the requests' bytes, each reply kind, replies split anywhere, bad input.
#include "resp.h"

#include <gtest/gtest.h>

#include <string>

namespace mnemo::bench::resp {
namespace {

TEST(RespTest, EncodesGetAndSetAsArraysOfBulkStrings) {
  std::string out;
  AppendGet("key:0000001", out);
  EXPECT_EQ(out, "*2\r\n$3\r\nGET\r\n$11\r\nkey:0000001\r\n");
  out.clear();
  AppendSet("k", std::string("a\r\nb", 4), out);
  EXPECT_EQ(out, std::string("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\na\r\nb\r\n"));
}

TEST(RespTest, ParsesEachReplyKind) {
  Reply reply;
  ParseResult r = ParseReply("+OK\r\nrest", reply);
  EXPECT_EQ(r.status, ParseStatus::kOk);
  EXPECT_EQ(r.consumed, 5u);
  EXPECT_EQ(reply.kind, ReplyKind::kSimple);
  EXPECT_EQ(reply.text, "OK");

  r = ParseReply("-ERR wrong\r\n", reply);
  EXPECT_EQ(r.status, ParseStatus::kOk);
  EXPECT_EQ(reply.kind, ReplyKind::kError);
  EXPECT_EQ(reply.text, "ERR wrong");

  r = ParseReply(":42\r\n", reply);
  EXPECT_EQ(r.status, ParseStatus::kOk);
  EXPECT_EQ(reply.kind, ReplyKind::kInteger);

  r = ParseReply("$-1\r\n", reply);
  EXPECT_EQ(r.status, ParseStatus::kOk);
  EXPECT_EQ(r.consumed, 5u);
  EXPECT_EQ(reply.kind, ReplyKind::kNil);

  // A bulk string holds any bytes, CR LF included.
  r = ParseReply(std::string("$4\r\na\r\nb\r\n+OK\r\n"), reply);
  EXPECT_EQ(r.status, ParseStatus::kOk);
  EXPECT_EQ(r.consumed, 10u);
  EXPECT_EQ(reply.kind, ReplyKind::kBulk);
  EXPECT_EQ(reply.text, "a\r\nb");

  r = ParseReply("$0\r\n\r\n", reply);
  EXPECT_EQ(r.status, ParseStatus::kOk);
  EXPECT_EQ(reply.kind, ReplyKind::kBulk);
  EXPECT_EQ(reply.text, "");
}

TEST(RespTest, EveryPrefixOfAReplyIsIncomplete) {
  for (const std::string whole :
       {"+OK\r\n", "-ERR x\r\n", ":7\r\n", "$-1\r\n", "$5\r\nhello\r\n"}) {
    for (std::size_t n = 0; n < whole.size(); ++n) {
      Reply reply;
      EXPECT_EQ(ParseReply(std::string_view(whole).substr(0, n), reply).status,
                ParseStatus::kIncomplete)
          << whole << " cut at " << n;
    }
    Reply reply;
    EXPECT_EQ(ParseReply(whole, reply).consumed, whole.size()) << whole;
  }
}

TEST(RespTest, RejectsWhatGetAndSetNeverGet) {
  for (const std::string bad : {"*1\r\n$2\r\nOK\r\n", "OK\r\n", "x", "$abc\r\n", "$\r\n", "$-2\r\n",
                                ":1x\r\n", "$2\r\nabc\r\n"}) {
    Reply reply;
    EXPECT_EQ(ParseReply(bad, reply).status, ParseStatus::kInvalid) << bad;
  }
}

}  // namespace
}  // namespace mnemo::bench::resp
