// The client direction: request encoders (checked byte for byte and by parsing them back with
// the server parser) and the incremental reply parser, fed at every fragment size.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "ascii/test_util.h"
#include "mnemo/protocol/ascii.h"

namespace mnemo::ascii {
namespace {

// Feeds `input` to ParseReply `fragment` bytes at a time (0 = whole), like fragments.h does
// for requests. Each reply is described as text so results compare across fragment sizes.
std::vector<std::string> ReplyStream(std::string_view input, std::size_t fragment) {
  std::vector<std::string> out;
  std::string buffer;
  std::size_t fed = 0;
  if (fragment == 0) fragment = std::max<std::size_t>(1, input.size());
  while (true) {
    while (!buffer.empty()) {
      Reply reply;
      ParseResult r = ParseReply(buffer, reply);
      if (r.status == ParseStatus::kIncomplete) break;
      if (r.status != ParseStatus::kOk) {
        out.push_back("fatal");
        return out;
      }
      std::string d = std::to_string(static_cast<int>(reply.kind)) + "|" + std::string(reply.key) +
                      "|" + std::to_string(reply.client_flags) + "|" + std::to_string(reply.cas) +
                      "|" + std::to_string(reply.has_cas) + "|" + std::string(reply.data) + "|" +
                      std::to_string(reply.number) + "|" + std::string(reply.name) + "|" +
                      std::string(reply.value) + "|" + std::string(reply.message) + "|" +
                      std::to_string(r.consumed);
      out.push_back(d);
      buffer.erase(0, r.consumed);
    }
    if (fed == input.size()) break;
    std::size_t n = std::min(fragment, input.size() - fed);
    buffer.append(input.substr(fed, n));
    fed += n;
  }
  return out;
}

std::vector<std::string> ReplyAll(std::string_view input) {
  std::vector<std::string> whole = ReplyStream(input, 0);
  for (std::size_t fragment : testing::kFragmentSizes) {
    EXPECT_EQ(ReplyStream(input, fragment), whole) << "fragment " << fragment;
  }
  return whole;
}

// `in` must outlive the returned views (the tests pass literals).
Reply ParseWhole(std::string_view in, ParseStatus expected = ParseStatus::kOk) {
  Reply reply;
  EXPECT_EQ(ParseReply(in, reply).status, expected) << in;
  return reply;
}

TEST(AsciiRequestEncoderTest, Retrieval) {
  std::string out;
  EncodeGetRequest(GetKind::kGet, {"a", "b"}, out);
  EncodeGetRequest(GetKind::kGets, {"c"}, out);
  EncodeGatRequest(GetKind::kGet, 30, {"a"}, out);
  EncodeGatRequest(GetKind::kGets, -1, {"a", "b"}, out);
  EXPECT_EQ(out, "get a b\r\ngets c\r\ngat 30 a\r\ngats -1 a b\r\n");
}

TEST(AsciiRequestEncoderTest, Storage) {
  std::string out;
  EncodeStoreRequest(StoreMode::kSet, "k", 5, 100, "abc", 0, false, out);
  EncodeStoreRequest(StoreMode::kCas, "k", 0, 0, "", 42, true, out);
  EncodeStoreRequest(StoreMode::kPrepend, "k", 0, 0, "x", 7, false, out);
  EXPECT_EQ(out, "set k 5 100 3\r\nabc\r\ncas k 0 0 0 42 noreply\r\n\r\nprepend k 0 0 1\r\nx\r\n");
}

TEST(AsciiRequestEncoderTest, OtherCommands) {
  std::string out;
  EncodeDeleteRequest("k", true, out);
  EncodeArithmeticRequest(true, "n", 18446744073709551615ULL, false, out);
  EncodeArithmeticRequest(false, "n", 1, true, out);
  EncodeTouchRequest("k", 10, false, out);
  EncodeFlushAllRequest(std::nullopt, false, out);
  EncodeFlushAllRequest(30, true, out);
  EncodeStatsRequest("", out);
  EncodeStatsRequest("cachedump 1 0", out);
  EncodeVersionRequest(out);
  EncodeVerbosityRequest(1, false, out);
  EncodeQuitRequest(out);
  EXPECT_EQ(out,
            "delete k noreply\r\nincr n 18446744073709551615\r\ndecr n 1 noreply\r\n"
            "touch k 10\r\nflush_all\r\nflush_all 30 noreply\r\nstats\r\nstats cachedump 1 0\r\n"
            "version\r\nverbosity 1\r\nquit\r\n");
}

TEST(AsciiRequestEncoderTest, EveryEncodedRequestParsesBack) {
  std::string out;
  EncodeGetRequest(GetKind::kGets, {"a", "b"}, out);
  EncodeGatRequest(GetKind::kGet, 9, {"a"}, out);
  const StoreMode modes[] = {StoreMode::kSet,    StoreMode::kAdd,     StoreMode::kReplace,
                             StoreMode::kAppend, StoreMode::kPrepend, StoreMode::kCas};
  for (StoreMode mode : modes) {
    EncodeStoreRequest(mode, "key", 3, 60, std::string("v\r\n\0", 4), 77, false, out);
  }
  EncodeDeleteRequest("key", false, out);
  EncodeArithmeticRequest(false, "key", 2, true, out);
  EncodeTouchRequest("key", 5, true, out);
  EncodeFlushAllRequest(10, false, out);
  EncodeStatsRequest("items", out);
  EncodeVersionRequest(out);
  EncodeVerbosityRequest(2, true, out);
  EncodeQuitRequest(out);
  auto all = test::ParseAll(out);
  const Command expected[] = {
      Command::kGets,    Command::kGat,     Command::kSet,       Command::kAdd,
      Command::kReplace, Command::kAppend,  Command::kPrepend,   Command::kCas,
      Command::kDelete,  Command::kDecr,    Command::kTouch,     Command::kFlushAll,
      Command::kStats,   Command::kVersion, Command::kVerbosity, Command::kQuit};
  ASSERT_EQ(all.size(), std::size(expected));
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].status, ParseStatus::kOk) << i;
    EXPECT_EQ(all[i].request.command, expected[i]) << i;
  }
  EXPECT_EQ(all[2].request.value, std::string_view("v\r\n\0", 4));
  EXPECT_EQ(all[2].request.client_flags, 3u);
  EXPECT_EQ(all[2].request.exptime, 60);
  EXPECT_EQ(all[7].request.cas, 77u);
  EXPECT_EQ(all[9].request.delta, 2u);
  EXPECT_TRUE(all[9].request.quiet);
  EXPECT_EQ(all[11].request.number, 10);
  EXPECT_EQ(all[12].request.verb, "items");
}

TEST(AsciiReplyParserTest, ValueBlocks) {
  Reply plain = ParseWhole("VALUE k 5 3\r\nabc\r\n");
  EXPECT_EQ(plain.kind, ReplyKind::kValue);
  EXPECT_EQ(plain.key, "k");
  EXPECT_EQ(plain.client_flags, 5u);
  EXPECT_EQ(plain.data, "abc");
  EXPECT_FALSE(plain.has_cas);
  Reply with_cas = ParseWhole("VALUE k 0 0 99\r\n\r\n");
  EXPECT_TRUE(with_cas.has_cas);
  EXPECT_EQ(with_cas.cas, 99u);
  EXPECT_EQ(with_cas.data, "");
}

TEST(AsciiReplyParserTest, ValueWaitsForItsDataBlock) {
  Reply reply;
  EXPECT_EQ(ParseReply("VALUE k 0 3\r\nab", reply).status, ParseStatus::kIncomplete);
  EXPECT_EQ(ParseReply("VALUE k 0 3\r\nabc\r", reply).status, ParseStatus::kIncomplete);
  EXPECT_EQ(ParseReply("VALUE k 0 3", reply).status, ParseStatus::kIncomplete);
}

TEST(AsciiReplyParserTest, BrokenValueIsFatal) {
  ParseWhole("VALUE k 0 3\r\nabcd\r\n", ParseStatus::kFatal);
  ParseWhole("VALUE k x 3\r\nabc\r\n", ParseStatus::kFatal);
  ParseWhole("VALUE k 0\r\n", ParseStatus::kFatal);
  ParseWhole("VALUE k 0 3 1 2\r\nabc\r\n", ParseStatus::kFatal);
  ParseWhole("VALUE k 0 99999999999999999999\r\n", ParseStatus::kFatal);
  Reply reply;
  EXPECT_EQ(ParseReply(std::string(kMaxReplyLineBytes + 1, 'x'), reply).status,
            ParseStatus::kFatal);
}

TEST(AsciiReplyParserTest, FixedLines) {
  const std::pair<std::string, ReplyKind> cases[] = {
      {"END", ReplyKind::kEnd},
      {"STORED", ReplyKind::kStored},
      {"NOT_STORED", ReplyKind::kNotStored},
      {"EXISTS", ReplyKind::kExists},
      {"NOT_FOUND", ReplyKind::kNotFound},
      {"DELETED", ReplyKind::kDeleted},
      {"TOUCHED", ReplyKind::kTouched},
      {"OK", ReplyKind::kOk},
      {"RESET", ReplyKind::kReset},
      {"ERROR", ReplyKind::kError},
  };
  for (const auto& [line, kind] : cases) {
    EXPECT_EQ(ParseWhole(line + "\r\n").kind, kind) << line;
  }
}

TEST(AsciiReplyParserTest, NumbersStatsVersionAndErrors) {
  Reply number = ParseWhole("18446744073709551615\r\n");
  EXPECT_EQ(number.kind, ReplyKind::kNumber);
  EXPECT_EQ(number.number, 18446744073709551615ULL);
  Reply stat = ParseWhole("STAT libevent 2.1.12 stable\r\n");
  EXPECT_EQ(stat.kind, ReplyKind::kStat);
  EXPECT_EQ(stat.name, "libevent");
  EXPECT_EQ(stat.value, "2.1.12 stable");
  Reply version = ParseWhole("VERSION 1.6.18\r\n");
  EXPECT_EQ(version.kind, ReplyKind::kVersion);
  EXPECT_EQ(version.message, "1.6.18");
  Reply client = ParseWhole("CLIENT_ERROR bad data chunk\r\n");
  EXPECT_EQ(client.kind, ReplyKind::kClientError);
  EXPECT_EQ(client.message, "bad data chunk");
  Reply server = ParseWhole("SERVER_ERROR out of memory\r\n");
  EXPECT_EQ(server.kind, ReplyKind::kServerError);
  EXPECT_EQ(server.message, "out of memory");
  Reply shutdown = ParseWhole("ERROR: shutdown not enabled\r\n");
  EXPECT_EQ(shutdown.kind, ReplyKind::kError);
  EXPECT_EQ(shutdown.message, "shutdown not enabled");
  Reply crawler = ParseWhole("ERROR metadump not allowed\r\n");
  EXPECT_EQ(crawler.kind, ReplyKind::kError);
  EXPECT_EQ(crawler.message, "metadump not allowed");
}

TEST(AsciiReplyParserTest, OtherLinesKeepTheirText) {
  Reply item = ParseWhole("ITEM k [1 b; 0 s]\r\n");
  EXPECT_EQ(item.kind, ReplyKind::kOther);
  EXPECT_EQ(item.message, "ITEM k [1 b; 0 s]");
  Reply dump = ParseWhole("key=a exp=-1 la=1 cas=1 fetch=no cls=1 size=62\n");
  EXPECT_EQ(dump.kind, ReplyKind::kOther);
  EXPECT_EQ(ParseWhole("ERRORS\r\n").kind, ReplyKind::kOther);
  EXPECT_EQ(ParseWhole("Error TLS not enabled\r\n").kind, ReplyKind::kOther);
}

TEST(AsciiReplyParserTest, MultigetStreamAtEveryFragmentSize) {
  auto all = ReplyAll(
      "VALUE a 1 2 7\r\nxy\r\nVALUE b 0 0 8\r\n\r\nEND\r\nSTORED\r\n42\r\nSTAT pid 1\r\nEND\r\n");
  ASSERT_EQ(all.size(), 7u);
  EXPECT_EQ(all[0], "0|a|1|7|1|xy|0||||19");
  EXPECT_EQ(all[1], "0|b|0|8|1||0||||17");
  EXPECT_EQ(all[2].substr(0, 2), "1|");
  EXPECT_EQ(all[4], "8||0|0|0||42||||4");
  EXPECT_EQ(all[5], "9||0|0|0||0|pid|1||12");
}

TEST(AsciiReplyParserTest, ValueHoldingReplyLikeBytes) {
  auto all = ReplyAll("VALUE a 0 7\r\nEND\r\nOK\r\nEND\r\n");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0], "0|a|0|0|0|END\r\nOK|0||||22");
  EXPECT_EQ(all[1].substr(0, 2), "1|");
}

}  // namespace
}  // namespace mnemo::ascii
