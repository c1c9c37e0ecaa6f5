// The classic item commands against MapEngine: exact reply bytes, noreply and the counters
// memcached 1.6.18 moves (each expectation checked against a live 1.6.18 with `stats`).
#include <gtest/gtest.h>

#include <string>

#include "ascii/handler_test_util.h"
#include "failing_engine.h"

namespace mnemo::ascii {
namespace {

using AsciiHandlerTest = test::HandlerTest;

TEST_F(AsciiHandlerTest, SetThenGet) {
  EXPECT_EQ(Run("set a 5 0 3\r\nabc\r\nget a\r\n"), "STORED\r\nVALUE a 5 3\r\nabc\r\nEND\r\n");
  EXPECT_EQ(counters_.cmd_set, 1u);
  EXPECT_EQ(counters_.cmd_get, 1u);
  EXPECT_EQ(counters_.get_hits, 1u);
}

TEST_F(AsciiHandlerTest, MultigetSkipsMissesAndRepeatsKeys) {
  Run("set a 0 0 1\r\nx\r\n");
  EXPECT_EQ(Run("get a b a\r\n"), "VALUE a 0 1\r\nx\r\nVALUE a 0 1\r\nx\r\nEND\r\n");
  EXPECT_EQ(counters_.cmd_get, 3u);
  EXPECT_EQ(counters_.get_hits, 2u);
  EXPECT_EQ(counters_.get_misses, 1u);
}

TEST_F(AsciiHandlerTest, GetsShowsTheCas) {
  Run("set a 0 0 1\r\nx\r\n");
  const std::uint64_t cas = CasOf("a");
  ASSERT_NE(cas, 0u);
  EXPECT_EQ(Run("gets a\r\n"), "VALUE a 0 1 " + std::to_string(cas) + "\r\nx\r\nEND\r\n");
}

TEST_F(AsciiHandlerTest, CasOutcomesAndCounters) {
  Run("set a 0 0 1\r\nx\r\n");
  const std::string cas = std::to_string(CasOf("a"));
  EXPECT_EQ(Run("cas a 0 0 1 " + cas + "\r\ny\r\n"), "STORED\r\n");
  EXPECT_EQ(Run("cas a 0 0 1 " + cas + "\r\nz\r\n"), "EXISTS\r\n");
  EXPECT_EQ(Run("cas nokey 0 0 1 1\r\nz\r\n"), "NOT_FOUND\r\n");
  EXPECT_EQ(Run("cas a 0 0 1 0\r\nz\r\n"), "EXISTS\r\n");
  EXPECT_EQ(Run("get a\r\n"), "VALUE a 0 1\r\ny\r\nEND\r\n");
  EXPECT_EQ(counters_.cas_hits, 1u);
  EXPECT_EQ(counters_.cas_badval, 2u);
  EXPECT_EQ(counters_.cas_misses, 1u);
  EXPECT_EQ(counters_.cmd_set, 5u);
}

TEST_F(AsciiHandlerTest, CasDisabledShowsZeroAndNeverMatches) {
  config_.cas_enabled = false;
  Run("set a 0 0 1\r\nx\r\n");
  EXPECT_EQ(Run("gets a\r\n"), "VALUE a 0 1 0\r\nx\r\nEND\r\n");
  const std::string real = std::to_string(CasOf("a"));
  EXPECT_EQ(Run("cas a 0 0 1 " + real + "\r\ny\r\ncas b 0 0 1 0\r\ny\r\n"),
            "EXISTS\r\nNOT_FOUND\r\n");
  EXPECT_EQ(Run("get a\r\n"), "VALUE a 0 1\r\nx\r\nEND\r\n");
  EXPECT_EQ(counters_.cas_badval, 1u);
  EXPECT_EQ(counters_.cas_misses, 1u);
}

TEST_F(AsciiHandlerTest, AddAndReplace) {
  EXPECT_EQ(Run("replace a 0 0 1\r\nx\r\n"), "NOT_STORED\r\n");
  EXPECT_EQ(Run("add a 0 0 1\r\nx\r\n"), "STORED\r\n");
  EXPECT_EQ(Run("add a 0 0 1\r\ny\r\n"), "NOT_STORED\r\n");
  EXPECT_EQ(Run("replace a 3 0 1\r\nz\r\nget a\r\n"), "STORED\r\nVALUE a 3 1\r\nz\r\nEND\r\n");
  EXPECT_EQ(counters_.cmd_set, 4u);
}

TEST_F(AsciiHandlerTest, AppendPrependKeepFlags) {
  EXPECT_EQ(Run("append a 0 0 1\r\nx\r\n"), "NOT_STORED\r\n");
  EXPECT_EQ(Run("prepend a 0 0 1\r\nx\r\n"), "NOT_STORED\r\n");
  Run("set a 5 0 1\r\nm\r\n");
  EXPECT_EQ(Run("append a 9 100 1\r\nz\r\nprepend a 9 100 1\r\na\r\nget a\r\n"),
            "STORED\r\nSTORED\r\nVALUE a 5 3\r\namz\r\nEND\r\n");
}

TEST_F(AsciiHandlerTest, Delete) {
  Run("set a 0 0 1\r\nx\r\n");
  EXPECT_EQ(Run("delete a\r\ndelete a\r\ndelete a 0\r\n"), "DELETED\r\nNOT_FOUND\r\nNOT_FOUND\r\n");
  EXPECT_EQ(counters_.delete_hits, 1u);
  EXPECT_EQ(counters_.delete_misses, 2u);
}

// An engine that cannot answer (the proxy's upstream is down) reads as a failure, never as a
// miss: one error line for the whole request, counted as neither hit nor miss.
TEST_F(AsciiHandlerTest, EngineErrorIsServerErrorBackendFailure) {
  mnemo::testing::FailingEngine failing(engine_);
  SessionContext context{failing, config_, counters_, hooks_};
  Run("set a 0 0 1\r\nx\r\n");
  const std::string failed = "SERVER_ERROR backend failure\r\n";
  EXPECT_EQ(test::Drive("get down\r\n", context), failed);
  EXPECT_EQ(test::Drive("gets a down a\r\n", context), failed);
  EXPECT_EQ(test::Drive("gat 10 down\r\n", context), failed);
  EXPECT_EQ(test::Drive("touch down 10\r\ndelete down\r\n", context), failed + failed);
  EXPECT_EQ(test::Drive("touch down 10 noreply\r\ndelete down noreply\r\n", context), "");
  EXPECT_EQ(counters_.get_hits, 1u);  // the "a" before "down"
  EXPECT_EQ(counters_.get_misses + counters_.touch_hits + counters_.touch_misses, 0u);
  EXPECT_EQ(counters_.delete_hits + counters_.delete_misses, 0u);
  EXPECT_EQ(test::Drive("get a\r\n", context), "VALUE a 0 1\r\nx\r\nEND\r\n");
  // Stores and counters: the error line, no no-memory count, and a failed set sends no delete.
  EXPECT_EQ(test::Drive("set down 0 0 1\r\nx\r\nappend down 0 0 1\r\nx\r\ncas down 0 0 1 5\r\n"
                        "x\r\nincr down 1\r\ndecr down 1\r\n",
                        context),
            failed + failed + failed + failed + failed);
  EXPECT_EQ(test::Drive("set down 0 0 1 noreply\r\nx\r\nincr down 1 noreply\r\n", context), "");
  EXPECT_EQ(counters_.store_no_memory + counters_.cas_hits + counters_.cas_badval, 0u);
  EXPECT_EQ(counters_.incr_hits + counters_.incr_misses + counters_.decr_misses, 0u);
  EXPECT_EQ(counters_.cmd_set, 5u);  // the first set of "a", then each store sent to the engine
}

TEST_F(AsciiHandlerTest, IncrDecr) {
  EXPECT_EQ(Run("incr n 1\r\ndecr n 1\r\n"), "NOT_FOUND\r\nNOT_FOUND\r\n");
  Run("set n 0 0 2\r\n10\r\n");
  EXPECT_EQ(Run("incr n 5\r\ndecr n 100\r\nget n\r\n"), "15\r\n0\r\nVALUE n 0 2\r\n0 \r\nEND\r\n");
  EXPECT_EQ(counters_.incr_hits, 1u);
  EXPECT_EQ(counters_.incr_misses, 1u);
  EXPECT_EQ(counters_.decr_hits, 1u);
  EXPECT_EQ(counters_.decr_misses, 1u);
}

TEST_F(AsciiHandlerTest, IncrWrapsAndGrows) {
  Run("set n 0 0 20\r\n18446744073709551615\r\nset m 0 0 2\r\n99\r\n");
  EXPECT_EQ(Run("incr n 2\r\nincr m 1\r\nget m\r\n"), "1\r\n100\r\nVALUE m 0 3\r\n100\r\nEND\r\n");
}

TEST_F(AsciiHandlerTest, IncrOnNonNumericValue) {
  Run("set s 0 0 1\r\nx\r\n");
  EXPECT_EQ(Run("incr s 1\r\n"),
            "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n");
  EXPECT_EQ(Run("incr s 1 noreply\r\nversion\r\n"), "VERSION 1.6.18\r\n");
  EXPECT_EQ(counters_.incr_hits, 0u);
  EXPECT_EQ(counters_.incr_misses, 0u);
}

TEST_F(AsciiHandlerTest, TouchSetsANewExptime) {
  Run("set a 0 10 1\r\nx\r\n");
  EXPECT_EQ(Run("touch a 100\r\ntouch b 1\r\n"), "TOUCHED\r\nNOT_FOUND\r\n");
  clock_.Advance(50);
  EXPECT_EQ(Run("get a\r\n"), "VALUE a 0 1\r\nx\r\nEND\r\n");
  EXPECT_EQ(counters_.cmd_touch, 2u);
  EXPECT_EQ(counters_.touch_hits, 1u);
  EXPECT_EQ(counters_.touch_misses, 1u);
}

TEST_F(AsciiHandlerTest, TouchOnExpiredItemCountsGetExpired) {
  Run("set x 0 -1 1\r\nx\r\n");
  EXPECT_EQ(Run("touch x 10\r\n"), "NOT_FOUND\r\n");
  EXPECT_EQ(counters_.get_expired, 1u);
  EXPECT_EQ(counters_.touch_misses, 1u);
}

TEST_F(AsciiHandlerTest, GatCountsAsTouch) {
  Run("set a 0 10 1\r\nx\r\n");
  EXPECT_EQ(Run("gat 100 a b\r\n"), "VALUE a 0 1\r\nx\r\nEND\r\n");
  EXPECT_EQ(counters_.cmd_touch, 2u);
  EXPECT_EQ(counters_.touch_hits, 1u);
  EXPECT_EQ(counters_.touch_misses, 1u);
  EXPECT_EQ(counters_.cmd_get, 0u);
  EXPECT_EQ(counters_.get_hits, 0u);
  clock_.Advance(50);
  EXPECT_EQ(Run("get a\r\n"), "VALUE a 0 1\r\nx\r\nEND\r\n");
}

TEST_F(AsciiHandlerTest, GatsShowsCasThatTouchDoesNotChange) {
  Run("set a 0 0 1\r\nx\r\n");
  const std::string cas = std::to_string(CasOf("a"));
  EXPECT_EQ(Run("gats 10 a\r\n"), "VALUE a 0 1 " + cas + "\r\nx\r\nEND\r\n");
  EXPECT_EQ(Run("gats 10 a\r\n"), "VALUE a 0 1 " + cas + "\r\nx\r\nEND\r\n");
}

TEST_F(AsciiHandlerTest, GatWithoutKeysAnswersEnd) { EXPECT_EQ(Run("gat 10\r\n"), "END\r\n"); }

TEST_F(AsciiHandlerTest, ExpiredAndFlushedMisses) {
  EXPECT_EQ(Run("set ex 0 -1 1\r\nx\r\nget ex\r\n"), "STORED\r\nEND\r\n");
  EXPECT_EQ(counters_.get_expired, 1u);
  EXPECT_EQ(Run("set fl 0 0 1\r\nx\r\nflush_all\r\nget fl\r\n"), "STORED\r\nOK\r\nEND\r\n");
  EXPECT_EQ(counters_.get_flushed, 1u);
  EXPECT_EQ(counters_.get_misses, 2u);
}

TEST_F(AsciiHandlerTest, RelativeExptimeExpires) {
  Run("set a 0 10 1\r\nx\r\n");
  clock_.Advance(9);
  EXPECT_EQ(Run("get a\r\n"), "VALUE a 0 1\r\nx\r\nEND\r\n");
  clock_.Advance(1);
  EXPECT_EQ(Run("get a\r\n"), "END\r\n");
}

TEST_F(AsciiHandlerTest, NoreplyHidesEveryNormalReply) {
  const std::string quiet =
      "set a 0 0 1 noreply\r\n1\r\nadd a 0 0 1 noreply\r\nx\r\nreplace a 0 0 1 noreply\r\n2\r\n"
      "append a 0 0 1 noreply\r\n3\r\nprepend a 0 0 1 noreply\r\n0\r\n"
      "cas a 0 0 1 1 noreply\r\nx\r\nincr a 1 noreply\r\ndecr a 2 noreply\r\n"
      "touch a 100 noreply\r\ndelete b noreply\r\ndelete b 0 noreply\r\n";
  EXPECT_EQ(Run(quiet), "");
  // "023" + 1 - 2 is 22, space-padded to the old length as memcached does.
  EXPECT_EQ(Run("get a\r\n"), "VALUE a 0 3\r\n22 \r\nEND\r\n");
  EXPECT_EQ(Run("delete a noreply\r\nget a\r\n"), "END\r\n");
}

TEST_F(AsciiHandlerTest, NoreplyHidesParseErrorsOfItsCommand) {
  // The data line of the rejected set is read as a command: its ERROR is not hidden.
  EXPECT_EQ(Run("set a abc 0 1 noreply\r\nx\r\n"), "ERROR\r\n");
  EXPECT_EQ(Run("set a 0 0 3 noreply\r\nabcd\r\nversion\r\n"), "ERROR\r\nVERSION 1.6.18\r\n");
  EXPECT_EQ(Run("touch a abc noreply\r\nincr a x noreply\r\n"), "");
}

TEST_F(AsciiHandlerTest, BadDataChunkThenTheRestIsACommand) {
  EXPECT_EQ(Run("set x 0 0 3\r\nabcd\r\n"), "CLIENT_ERROR bad data chunk\r\nERROR\r\n");
  EXPECT_EQ(Run("set x abc 0 1\r\nx\r\n"), "CLIENT_ERROR bad command line format\r\nERROR\r\n");
}

TEST_F(AsciiHandlerTest, LongKeyMidMultigetDiscardsEarlierValues) {
  Run("set a 0 0 1\r\nx\r\n");
  const std::string key(251, 'k');
  EXPECT_EQ(Run("get a " + key + " a\r\n"), "CLIENT_ERROR bad command line format\r\n");
  // The lookup before the bad key still counted, as in memcached.
  EXPECT_EQ(counters_.cmd_get, 1u);
  EXPECT_EQ(counters_.get_hits, 1u);
  EXPECT_EQ(Run("gat 1 " + key + "\r\n"), "CLIENT_ERROR bad command line format\r\n");
}

TEST_F(AsciiHandlerTest, OversizeSetIsSkippedAndDropsTheOldValue) {
  max_value_bytes_ = 8;
  Run("set a 0 0 1\r\nx\r\n");
  EXPECT_EQ(Run("set a 0 0 9\r\n123456789\r\nget a\r\n"),
            "SERVER_ERROR object too large for cache\r\nEND\r\n");
  EXPECT_EQ(counters_.store_too_large, 1u);
  EXPECT_EQ(counters_.cmd_set, 1u);
}

TEST_F(AsciiHandlerTest, OversizeOtherModesKeepTheOldValue) {
  max_value_bytes_ = 8;
  Run("set a 0 0 1\r\nx\r\n");
  EXPECT_EQ(Run("add a 0 0 9\r\n123456789\r\nreplace a 0 0 9\r\n123456789\r\n"
                "append a 0 0 9\r\n123456789\r\nget a\r\n"),
            "SERVER_ERROR object too large for cache\r\nSERVER_ERROR object too large for "
            "cache\r\nSERVER_ERROR object too large for cache\r\nVALUE a 0 1\r\nx\r\nEND\r\n");
}

TEST_F(AsciiHandlerTest, OversizeWithNoreplyIsSilent) {
  max_value_bytes_ = 8;
  EXPECT_EQ(Run("set a 0 0 9 noreply\r\n123456789\r\nversion\r\n"), "VERSION 1.6.18\r\n");
  EXPECT_EQ(counters_.store_too_large, 1u);
}

TEST_F(AsciiHandlerTest, EngineRejectsAnItemOverItsSizeLimit) {
  max_value_bytes_ = 2 * 1024 * 1024;
  Run("set a 0 0 1\r\nx\r\n");
  const std::string value(1024 * 1024, 'v');
  EXPECT_EQ(Run("set a 0 0 " + std::to_string(value.size()) + "\r\n" + value + "\r\nget a\r\n"),
            "SERVER_ERROR object too large for cache\r\nEND\r\n");
  EXPECT_EQ(counters_.store_too_large, 1u);
  EXPECT_EQ(counters_.cmd_set, 1u);  // memcached fails before reading the data: no cmd_set
}

TEST_F(AsciiHandlerTest, KeysWithControlBytesWork) {
  EXPECT_EQ(Run("set k\x01y 0 0 1\r\nx\r\nget k\x01y\r\n"),
            "STORED\r\nVALUE k\x01y 0 1\r\nx\r\nEND\r\n");
}

TEST_F(AsciiHandlerTest, BinaryValueRoundTrips) {
  const std::string value("a\r\n\0b", 5);
  EXPECT_EQ(Run("set b 0 0 5\r\n" + value + "\r\nget b\r\n"),
            "STORED\r\nVALUE b 0 5\r\n" + value + "\r\nEND\r\n");
}

}  // namespace
}  // namespace mnemo::ascii
