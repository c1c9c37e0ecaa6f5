// Well-formed classic requests, each parsed at every fragment size (test_util.h).
#include <gtest/gtest.h>

#include <string>

#include "ascii/test_util.h"
#include "mnemo/protocol/ascii.h"

namespace mnemo::ascii {
namespace {

using test::ParseAll;
using test::ParseOne;

TEST(AsciiParseTest, GetWithOneKey) {
  auto p = ParseOne("get foo\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.consumed, 9u);
  EXPECT_EQ(p.request.protocol, Protocol::kAscii);
  EXPECT_EQ(p.request.command, Command::kGet);
  EXPECT_EQ(p.request.keys, "foo");
  EXPECT_FALSE(p.request.quiet);
}

TEST(AsciiParseTest, GetsWithManyKeysAndRepeatedSpaces) {
  auto p = ParseOne("gets  a   b c  \r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.request.command, Command::kGets);
  EXPECT_EQ(p.request.keys, "a   b c");
}

TEST(AsciiParseTest, GetKeysMayContainTabsAndNoreplyIsAKey) {
  auto p = ParseOne("get a\tb noreply\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.request.keys, "a\tb noreply");
  EXPECT_FALSE(p.request.quiet);
}

TEST(AsciiParseTest, GetWithBareNewlineAndLeadingSpaces) {
  auto p = ParseOne("   get k\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.consumed, 9u);
  EXPECT_EQ(p.request.keys, "k");
}

TEST(AsciiParseTest, GetWithMoreKeysThanMemcachedTokenizes) {
  std::string line = "get";
  std::string keys;
  for (int i = 0; i < 40; ++i) keys += (i ? " k" : "k") + std::to_string(i);
  auto p = ParseOne(line + " " + keys + "\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.request.keys, keys);
}

TEST(AsciiParseTest, LongMultigetLineIsKeptWhole) {
  std::string keys;
  for (int i = 0; i < 500; ++i) keys += " key" + std::to_string(i);
  // Only fed whole: a stateless parser sees more than 2048 bytes without a newline otherwise,
  // and lets it grow because it is a get.
  auto all = test::ParseAt("get" + keys + "\r\n", 0);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].status, ParseStatus::kOk);
  EXPECT_EQ(all[0].request.keys, keys.substr(1));
  auto in_pieces = test::ParseAt("get" + keys + "\r\n", 64);
  ASSERT_EQ(in_pieces.size(), 1u);
  EXPECT_EQ(in_pieces[0].status, ParseStatus::kOk);
}

TEST(AsciiParseTest, GatTakesExptimeThenKeys) {
  auto p = ParseOne("gat 100 a b\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.request.command, Command::kGat);
  EXPECT_EQ(p.request.exptime, 100);
  EXPECT_EQ(p.request.keys, "a b");
}

TEST(AsciiParseTest, GatsWithNegativeExptime) {
  auto p = ParseOne("gats -1 a\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.request.command, Command::kGats);
  EXPECT_EQ(p.request.exptime, -1);
}

TEST(AsciiParseTest, GatWithoutKeysIsValid) {
  // 1.6.18 answers `gat 10` with END.
  auto p = ParseOne("gat 10\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.request.keys, "");
}

TEST(AsciiParseTest, ExptimeWrapsAt32BitsAsIn1618) {
  EXPECT_EQ(ParseOne("gat 4294967296 a\r\n").request.exptime, 0);
  EXPECT_EQ(ParseOne("gat 4294967297 a\r\n").request.exptime, 1);
  EXPECT_EQ(ParseOne("gat 2147483648 a\r\n").request.exptime, -2147483648LL);
}

TEST(AsciiParseTest, SetWithValue) {
  auto p = ParseOne("set k 5 100 3\r\nabc\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.consumed, 20u);
  EXPECT_EQ(p.request.command, Command::kSet);
  EXPECT_EQ(p.request.key, "k");
  EXPECT_EQ(p.request.client_flags, 5u);
  EXPECT_EQ(p.request.exptime, 100);
  EXPECT_EQ(p.request.value, "abc");
  EXPECT_FALSE(p.request.quiet);
  EXPECT_FALSE(p.request.oversize);
}

TEST(AsciiParseTest, EveryStorageVerb) {
  const std::pair<std::string, Command> verbs[] = {{"set", Command::kSet},
                                                   {"add", Command::kAdd},
                                                   {"replace", Command::kReplace},
                                                   {"append", Command::kAppend},
                                                   {"prepend", Command::kPrepend}};
  for (const auto& [verb, command] : verbs) {
    auto p = ParseOne(verb + " k 0 0 1 noreply\r\nx\r\n");
    ASSERT_EQ(p.status, ParseStatus::kOk) << verb;
    EXPECT_EQ(p.request.command, command) << verb;
    EXPECT_TRUE(p.request.quiet) << verb;
    EXPECT_EQ(p.request.value, "x") << verb;
  }
}

TEST(AsciiParseTest, CasCarriesTheUnique) {
  auto p = ParseOne("cas k 1 2 3 18446744073709551615\r\nxyz\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.request.command, Command::kCas);
  EXPECT_EQ(p.request.cas, 18446744073709551615ULL);
  EXPECT_EQ(p.request.value, "xyz");
  EXPECT_TRUE(ParseOne("cas k 0 0 1 7 noreply\r\nx\r\n").request.quiet);
}

TEST(AsciiParseTest, ValueMayHoldAnyBytes) {
  std::string in = std::string("set k 0 0 6\r\na\r\n\0 \n\r\n", 21);
  auto p = ParseOne(in);
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.request.value, std::string_view("a\r\n\0 \n", 6));
}

TEST(AsciiParseTest, EmptyValue) {
  auto p = ParseOne("set k 0 0 0\r\n\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.consumed, 15u);
  EXPECT_EQ(p.request.value, "");
}

TEST(AsciiParseTest, UnknownSixthStorageTokenIsIgnored) {
  auto p = ParseOne("set k 0 0 1 garbage\r\nx\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_FALSE(p.request.quiet);
}

TEST(AsciiParseTest, FlagsFollowStrtoulRules) {
  EXPECT_EQ(ParseOne("set k +5 0 1\r\nx\r\n").request.client_flags, 5u);
  EXPECT_EQ(ParseOne("set k 4294967295 0 1\r\nx\r\n").request.client_flags, 4294967295u);
  // 1.6.18 silently truncates a 64-bit flags value.
  EXPECT_EQ(ParseOne("set k 4294967296 0 1\r\nx\r\n").request.client_flags, 0u);
}

TEST(AsciiParseTest, DataLengthWrapsAt32BitsAsIn1618) {
  auto p = ParseOne("set k 0 0 4294967297\r\nx\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.request.value, "x");
}

TEST(AsciiParseTest, OversizeValueConsumesOnlyTheLine) {
  ParserLimits limits;
  limits.max_value_bytes = 10;
  auto p = ParseOne("set k 0 0 11\r\n", limits);
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.consumed, 14u);
  EXPECT_TRUE(p.request.oversize);
  EXPECT_EQ(p.request.skip_bytes, 13u);
  EXPECT_EQ(p.request.key, "k");
}

TEST(AsciiParseTest, OversizeValueIsSkippedAndTheNextCommandParsed) {
  ParserLimits limits;
  limits.max_value_bytes = 4;
  auto all = ParseAll("set k 0 0 5 noreply\r\nabcde\r\nget k\r\n", limits);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_TRUE(all[0].request.oversize);
  EXPECT_TRUE(all[0].request.quiet);
  EXPECT_EQ(all[1].request.command, Command::kGet);
  EXPECT_EQ(all[1].request.keys, "k");
}

TEST(AsciiParseTest, StorageWaitsForTheWholeDataBlock) {
  Request r;
  EXPECT_EQ(ParseRequest("set k 0 0 3\r\nabc\r", {}, r).status, ParseStatus::kIncomplete);
  EXPECT_EQ(ParseRequest("set k 0 0 3\r\n", {}, r).status, ParseStatus::kIncomplete);
  EXPECT_EQ(ParseRequest("set k 0 0 3", {}, r).status, ParseStatus::kIncomplete);
  EXPECT_EQ(ParseRequest("", {}, r).status, ParseStatus::kIncomplete);
}

TEST(AsciiParseTest, PipelinedRequests) {
  auto all = ParseAll("set a 0 0 1\r\n1\r\nget a\r\ndelete a\r\nversion\r\n");
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].request.command, Command::kSet);
  EXPECT_EQ(all[1].request.command, Command::kGet);
  EXPECT_EQ(all[2].request.command, Command::kDelete);
  EXPECT_EQ(all[3].request.command, Command::kVersion);
}

TEST(AsciiParseTest, DeleteForms) {
  auto plain = ParseOne("delete k\r\n");
  ASSERT_EQ(plain.status, ParseStatus::kOk);
  EXPECT_EQ(plain.request.command, Command::kDelete);
  EXPECT_EQ(plain.request.key, "k");
  EXPECT_FALSE(plain.request.quiet);
  EXPECT_TRUE(ParseOne("delete k noreply\r\n").request.quiet);
  auto legacy = ParseOne("delete k 0\r\n");
  ASSERT_EQ(legacy.status, ParseStatus::kOk);
  EXPECT_FALSE(legacy.request.quiet);
  auto legacy_quiet = ParseOne("delete k 0 noreply\r\n");
  ASSERT_EQ(legacy_quiet.status, ParseStatus::kOk);
  EXPECT_TRUE(legacy_quiet.request.quiet);
}

TEST(AsciiParseTest, IncrDecr) {
  auto incr = ParseOne("incr n 18446744073709551615\r\n");
  ASSERT_EQ(incr.status, ParseStatus::kOk);
  EXPECT_EQ(incr.request.command, Command::kIncr);
  EXPECT_EQ(incr.request.key, "n");
  EXPECT_EQ(incr.request.delta, 18446744073709551615ULL);
  auto decr = ParseOne("decr n +5 noreply\r\n");
  ASSERT_EQ(decr.status, ParseStatus::kOk);
  EXPECT_EQ(decr.request.command, Command::kDecr);
  EXPECT_EQ(decr.request.delta, 5u);
  EXPECT_TRUE(decr.request.quiet);
  // A third token that is not noreply is ignored.
  EXPECT_FALSE(ParseOne("incr n 1 garbage\r\n").request.quiet);
}

TEST(AsciiParseTest, Touch) {
  auto p = ParseOne("touch k 300 noreply\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.request.command, Command::kTouch);
  EXPECT_EQ(p.request.key, "k");
  EXPECT_EQ(p.request.exptime, 300);
  EXPECT_TRUE(p.request.quiet);
}

TEST(AsciiParseTest, FlushAllForms) {
  auto bare = ParseOne("flush_all\r\n");
  ASSERT_EQ(bare.status, ParseStatus::kOk);
  EXPECT_EQ(bare.request.command, Command::kFlushAll);
  EXPECT_FALSE(bare.request.has_number);
  EXPECT_EQ(bare.request.args, "");
  auto delayed = ParseOne("flush_all 30 noreply\r\n");
  EXPECT_TRUE(delayed.request.has_number);
  EXPECT_EQ(delayed.request.number, 30);
  EXPECT_TRUE(delayed.request.quiet);
  auto quiet = ParseOne("flush_all noreply\r\n");
  EXPECT_TRUE(quiet.request.quiet);
  EXPECT_FALSE(quiet.request.has_number);
  // The handler answers a bad delay, after checking that flush_all is allowed.
  auto bad = ParseOne("flush_all soon\r\n");
  ASSERT_EQ(bad.status, ParseStatus::kOk);
  EXPECT_EQ(bad.request.args, "soon");
  EXPECT_FALSE(bad.request.has_number);
  // "noreply" that is not last is read as the delay.
  auto misplaced = ParseOne("flush_all noreply 5\r\n");
  EXPECT_FALSE(misplaced.request.quiet);
  EXPECT_FALSE(misplaced.request.has_number);
}

TEST(AsciiParseTest, StatsGroupAndArguments) {
  auto bare = ParseOne("stats\r\n");
  ASSERT_EQ(bare.status, ParseStatus::kOk);
  EXPECT_EQ(bare.request.command, Command::kStats);
  EXPECT_EQ(bare.request.verb, "");
  auto dump = ParseOne("stats cachedump 1 10 \r\n");
  EXPECT_EQ(dump.request.verb, "cachedump");
  EXPECT_EQ(dump.request.args, "1 10");
  EXPECT_FALSE(ParseOne("stats noreply\r\n").request.quiet);
}

TEST(AsciiParseTest, VersionQuitIgnoreExtraTokens) {
  EXPECT_EQ(ParseOne("version extra\r\n").request.command, Command::kVersion);
  EXPECT_EQ(ParseOne("quit now\r\n").request.command, Command::kQuit);
}

TEST(AsciiParseTest, VerbosityAndMemlimitNumbers) {
  auto v = ParseOne("verbosity 1 noreply\r\n");
  ASSERT_EQ(v.status, ParseStatus::kOk);
  EXPECT_EQ(v.request.command, Command::kVerbosity);
  EXPECT_EQ(v.request.number, 1);
  EXPECT_TRUE(v.request.quiet);
  EXPECT_FALSE(ParseOne("verbosity 1 2\r\n").request.quiet);
  auto m = ParseOne("cache_memlimit 64\r\n");
  ASSERT_EQ(m.status, ParseStatus::kOk);
  EXPECT_EQ(m.request.command, Command::kCacheMemlimit);
  EXPECT_EQ(m.request.number, 64);
}

TEST(AsciiParseTest, ShutdownKeepsItsArguments) {
  auto p = ParseOne("shutdown graceful\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.request.command, Command::kShutdown);
  EXPECT_EQ(p.request.args, "graceful");
  EXPECT_EQ(ParseOne("shutdown\r\n").request.args, "");
}

TEST(AsciiParseTest, AdminVerbsKeepVerbAndArguments) {
  for (std::string verb : {"slabs", "lru", "lru_crawler", "watch", "refresh_certs", "misbehave",
                           "debugtime", "debugitem", "extstore"}) {
    auto p = ParseOne(verb + " a  b\r\n");
    ASSERT_EQ(p.status, ParseStatus::kOk) << verb;
    EXPECT_EQ(p.request.command, Command::kAdmin) << verb;
    EXPECT_EQ(p.request.verb, verb);
    EXPECT_EQ(p.request.args, "a  b") << verb;
  }
}

TEST(AsciiParseTest, ControlBytesInKeysAreAccepted) {
  auto p = ParseOne("set k\x01y 0 0 1\r\nx\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.request.key, "k\x01y");
}

TEST(AsciiParseTest, KeyOf250BytesIsAccepted) {
  const std::string key(250, 'k');
  auto p = ParseOne("set " + key + " 0 0 1\r\nx\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.request.key, key);
}

}  // namespace
}  // namespace mnemo::ascii
