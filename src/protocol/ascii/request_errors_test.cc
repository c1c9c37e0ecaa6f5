// Rejected classic requests: every error line and how much input it consumes, as memcached
// 1.6.18 answers them (verified against a live 1.6.18). Each case runs at every fragment size.
#include <gtest/gtest.h>

#include <string>

#include "ascii/test_util.h"
#include "mnemo/protocol/ascii.h"

namespace mnemo::ascii {
namespace {

using test::ErrorOf;
using test::ParseAll;
using test::ParseOne;

constexpr std::string_view kBadFormat = "CLIENT_ERROR bad command line format";
constexpr std::string_view kBadExptime = "CLIENT_ERROR invalid exptime argument";
constexpr std::string_view kBadDelta = "CLIENT_ERROR invalid numeric delta argument";

TEST(AsciiErrorTest, UnknownAndEmptyLines) {
  EXPECT_EQ(ErrorOf("bogus\r\n"), "ERROR");
  EXPECT_EQ(ErrorOf("\r\n"), "ERROR");
  EXPECT_EQ(ErrorOf("   \r\n"), "ERROR");
  EXPECT_EQ(ErrorOf("\n"), "ERROR");
  EXPECT_EQ(ErrorOf("g\r\n"), "ERROR");
  EXPECT_EQ(ErrorOf("mget a\r\n"), "ERROR");
}

TEST(AsciiErrorTest, CommandsAreCaseSensitive) {
  EXPECT_EQ(ErrorOf("GET a\r\n"), "ERROR");
  EXPECT_EQ(ErrorOf("Set a 0 0 1\r\n"), "ERROR");
}

TEST(AsciiErrorTest, ErrorConsumesTheLineOnly) {
  auto all = ParseAll("bogus\r\nversion\r\n");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].status, ParseStatus::kError);
  EXPECT_EQ(all[0].consumed, 7u);
  EXPECT_FALSE(all[0].request.quiet);
  EXPECT_EQ(all[1].request.command, Command::kVersion);
}

TEST(AsciiErrorTest, RetrievalWithoutKeys) {
  EXPECT_EQ(ErrorOf("get\r\n"), "ERROR");
  EXPECT_EQ(ErrorOf("get   \r\n"), "ERROR");
  EXPECT_EQ(ErrorOf("gets\r\n"), "ERROR");
  EXPECT_EQ(ErrorOf("gat\r\n"), "ERROR");
  EXPECT_EQ(ErrorOf("gats\r\n"), "ERROR");
}

TEST(AsciiErrorTest, GatWithBadExptime) {
  EXPECT_EQ(ErrorOf("gat abc k\r\n"), kBadExptime);
  EXPECT_EQ(ErrorOf("gats 1x k\r\n"), kBadExptime);
  EXPECT_EQ(ErrorOf("gat 99999999999999999999 k\r\n"), kBadExptime);
  EXPECT_EQ(ErrorOf("gat abc\r\n"), kBadExptime);
}

TEST(AsciiErrorTest, StorageTokenCounts) {
  EXPECT_EQ(ErrorOf("set k 0 0\r\n"), "ERROR");
  EXPECT_EQ(ErrorOf("set k 0 0 1 noreply extra\r\n"), "ERROR");
  EXPECT_EQ(ErrorOf("cas k 0 0 1\r\n"), "ERROR");
  EXPECT_EQ(ErrorOf("cas k 0 0 1 1 noreply extra\r\n"), "ERROR");
  EXPECT_EQ(ErrorOf("add\r\n"), "ERROR");
}

TEST(AsciiErrorTest, StorageBadNumbers) {
  EXPECT_EQ(ErrorOf("set k abc 0 1\r\n"), kBadFormat);
  EXPECT_EQ(ErrorOf("set k -1 0 1\r\n"), kBadFormat);
  EXPECT_EQ(ErrorOf("set k 0 abc 1\r\n"), kBadFormat);
  EXPECT_EQ(ErrorOf("set k 0 0 abc\r\n"), kBadFormat);
  EXPECT_EQ(ErrorOf("set k 0 0 -1\r\n"), kBadFormat);
  EXPECT_EQ(ErrorOf("set k 0 0 2147483646\r\n"), kBadFormat);
  EXPECT_EQ(ErrorOf("set k 0 0 99999999999999999999\r\n"), kBadFormat);
  EXPECT_EQ(ErrorOf("cas k 0 0 1 abc\r\n"), kBadFormat);
  EXPECT_EQ(ErrorOf("cas k 0 0 1 -1\r\n"), kBadFormat);
}

TEST(AsciiErrorTest, RejectedStorageLineLeavesItsDataBlockAsTheNextCommand) {
  // 1.6.18 does not swallow the block: "x" is then parsed as a command (ERROR).
  auto all = ParseAll("set k abc 0 1\r\nx\r\n");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].status, ParseStatus::kError);
  EXPECT_EQ(all[0].consumed, 15u);
  EXPECT_EQ(all[1].status, ParseStatus::kError);
  EXPECT_EQ(all[1].request.error, "ERROR");
}

TEST(AsciiErrorTest, KeyLongerThan250Bytes) {
  const std::string key(251, 'k');
  EXPECT_EQ(ErrorOf("set " + key + " 0 0 1\r\n"), kBadFormat);
  EXPECT_EQ(ErrorOf("set " + key + " abc 0 1\r\n"), kBadFormat);
  EXPECT_EQ(ErrorOf("delete " + key + "\r\n"), kBadFormat);
  EXPECT_EQ(ErrorOf("incr " + key + " abc\r\n"), kBadFormat);
  EXPECT_EQ(ErrorOf("touch " + key + " abc\r\n"), kBadFormat);
}

TEST(AsciiErrorTest, BadDataChunkConsumesLineBytesAndTwo) {
  auto all = ParseAll("set k 0 0 3\r\nabcd\r\n");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].status, ParseStatus::kError);
  EXPECT_EQ(all[0].request.error, "CLIENT_ERROR bad data chunk");
  EXPECT_EQ(all[0].consumed, 13u + 5u);
  EXPECT_EQ(all[0].request.command, Command::kSet);
  // The left-over "\n" is an empty line.
  EXPECT_EQ(all[1].request.error, "ERROR");
}

TEST(AsciiErrorTest, NoreplyHidesCommandErrors) {
  const std::string key(251, 'k');
  const std::string quiet_errors[] = {
      "set k abc 0 1 noreply\r\n",       "set " + key + " 0 0 1 noreply\r\n",
      "set k 0 0 3 noreply\r\nabcd\r\n", "incr k abc noreply\r\n",
      "touch k abc noreply\r\n",         "delete k 1 noreply\r\n",
      "delete " + key + " noreply\r\n",  "verbosity abc noreply\r\n",
      "verbosity noreply\r\n",           "cache_memlimit abc noreply\r\n",
  };
  for (const std::string& in : quiet_errors) {
    auto all = ParseAll(in);
    ASSERT_FALSE(all.empty()) << in;
    EXPECT_EQ(all[0].status, ParseStatus::kError) << in;
    EXPECT_TRUE(all[0].request.quiet) << in;
  }
}

TEST(AsciiErrorTest, ErrorsWithoutATrailingNoreplyAreShown) {
  auto p = ParseOne("delete k noreply x\r\n");
  EXPECT_EQ(p.request.error,
            "CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]");
  EXPECT_FALSE(p.request.quiet);
  EXPECT_FALSE(ParseOne("set k 0 0 1 noreply extra\r\n").request.quiet);
}

TEST(AsciiErrorTest, DeleteUsage) {
  const std::string usage = "CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]";
  EXPECT_EQ(ErrorOf("delete k 1\r\n"), usage);
  EXPECT_EQ(ErrorOf("delete k 0 0\r\n"), usage);
  EXPECT_EQ(ErrorOf("delete\r\n"), "ERROR");
  EXPECT_EQ(ErrorOf("delete k 0 noreply x\r\n"), "ERROR");
}

TEST(AsciiErrorTest, ArithmeticErrors) {
  EXPECT_EQ(ErrorOf("incr\r\n"), "ERROR");
  EXPECT_EQ(ErrorOf("incr k\r\n"), "ERROR");
  EXPECT_EQ(ErrorOf("decr k 1 noreply x\r\n"), "ERROR");
  EXPECT_EQ(ErrorOf("incr k abc\r\n"), kBadDelta);
  EXPECT_EQ(ErrorOf("incr k -1\r\n"), kBadDelta);
  EXPECT_EQ(ErrorOf("incr k 0x10\r\n"), kBadDelta);
  EXPECT_EQ(ErrorOf("decr k 18446744073709551616\r\n"), kBadDelta);
}

TEST(AsciiErrorTest, TouchErrors) {
  EXPECT_EQ(ErrorOf("touch\r\n"), "ERROR");
  EXPECT_EQ(ErrorOf("touch k\r\n"), "ERROR");
  EXPECT_EQ(ErrorOf("touch k 1 noreply x\r\n"), "ERROR");
  EXPECT_EQ(ErrorOf("touch k abc\r\n"), kBadExptime);
  EXPECT_EQ(ErrorOf("touch k 99999999999999999999\r\n"), kBadExptime);
}

TEST(AsciiErrorTest, FlushAllTooManyTokens) {
  EXPECT_EQ(ErrorOf("flush_all 1 2 3\r\n"), "ERROR");
  EXPECT_EQ(ErrorOf("flush_all 0 noreply x\r\n"), "ERROR");
}

TEST(AsciiErrorTest, VerbosityErrors) {
  EXPECT_EQ(ErrorOf("verbosity\r\n"), "ERROR");
  EXPECT_EQ(ErrorOf("verbosity 1 2 3\r\n"), "ERROR");
  EXPECT_EQ(ErrorOf("verbosity abc\r\n"), kBadFormat);
  EXPECT_EQ(ErrorOf("verbosity -1\r\n"), kBadFormat);
}

TEST(AsciiErrorTest, MemlimitErrorsAreBareError) {
  EXPECT_EQ(ErrorOf("cache_memlimit\r\n"), "ERROR");
  EXPECT_EQ(ErrorOf("cache_memlimit abc\r\n"), "ERROR");
  EXPECT_EQ(ErrorOf("cache_memlimit -1\r\n"), "ERROR");
  EXPECT_EQ(ErrorOf("cache_memlimit 64 1 2\r\n"), "ERROR");
}

TEST(AsciiErrorTest, LineTooLongWithoutNewlineClosesSilently) {
  auto at_limit = test::ParseAt(std::string(2048, 'x'), 0);
  EXPECT_TRUE(at_limit.empty());  // still waiting
  for (std::size_t fragment : testing::kFragmentSizes) {
    auto all = test::ParseAt(std::string(2049, 'x'), fragment);
    ASSERT_EQ(all.size(), 1u) << fragment;
    EXPECT_EQ(all[0].status, ParseStatus::kFatal);
    EXPECT_EQ(all[0].request.error, "");
  }
}

TEST(AsciiErrorTest, LongLineWithItsNewlineIsJustParsed) {
  auto all = test::ParseAt(std::string(3000, 'x') + "\r\n", 0);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].status, ParseStatus::kError);
  EXPECT_EQ(all[0].request.error, "ERROR");
}

TEST(AsciiErrorTest, OnlyGetAndGetsMayGrowPastTheLineLimit) {
  Request r;
  const std::string keys(3000, 'k');
  EXPECT_EQ(ParseRequest("get " + keys, {}, r).status, ParseStatus::kIncomplete);
  EXPECT_EQ(ParseRequest("gets " + keys, {}, r).status, ParseStatus::kIncomplete);
  EXPECT_EQ(ParseRequest(std::string(50, ' ') + "get " + keys, {}, r).status,
            ParseStatus::kIncomplete);
  EXPECT_EQ(ParseRequest(std::string(101, ' ') + "get " + keys, {}, r).status, ParseStatus::kFatal);
  EXPECT_EQ(ParseRequest("gat 1 " + keys, {}, r).status, ParseStatus::kFatal);
  EXPECT_EQ(ParseRequest("set k 0 0 1 " + keys, {}, r).status, ParseStatus::kFatal);
}

TEST(AsciiErrorTest, MultigetLineIsStillBounded) {
  Request r;
  const std::string line = "get " + std::string(kMaxMultigetLineBytes, 'k');
  EXPECT_EQ(ParseRequest(line, {}, r).status, ParseStatus::kFatal);
}

TEST(AsciiErrorTest, HttpRequestClosesSilently) {
  auto all = ParseAll("GET / HTTP/1.1\r\nversion\r\n");
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].status, ParseStatus::kFatal);
  EXPECT_EQ(all[0].request.error, "");
  EXPECT_EQ(ParseAll("HTTP/1.0\r\n")[0].status, ParseStatus::kFatal);
  // Known commands and one-byte words are not inspected for HTTP.
  EXPECT_EQ(ParseOne("version HTTP/1.1\r\n").status, ParseStatus::kOk);
  EXPECT_EQ(ErrorOf("x HTTP/1.1\r\n"), "ERROR");
}

}  // namespace
}  // namespace mnemo::ascii
