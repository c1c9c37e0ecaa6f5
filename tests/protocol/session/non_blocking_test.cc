// Session::Process with EngineCalls::kNonBlocking: what it runs (gets that the engine's
// TryGet answers, mn, noop, version, parse errors), what it captures instead of calling (a get
// TryGet declines, every write), where it stops without capturing (flush_all, stats, ...) and
// that a request it stops before has had no effect: no reply, no counter, no engine call; the
// same session then finishes it with kMayBlock (which drops the captures), replies in request
// order. Replaying captures is capture_rounds_test.cc.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>

#include "declining_engine.h"
#include "manual_clock.h"
#include "mnemo/session.h"

namespace mnemo {
namespace {

using testing::DecliningEngine;

class NonBlockingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Session seed(engine_, config_, counters_);
    std::string out;
    seed.Process("set a 0 0 2\r\nva\r\nset b 0 0 2\r\nvb\r\n", out);
    ASSERT_EQ(out, "STORED\r\nSTORED\r\n");
    counters_.Reset();
    engine_.stores = 0;
  }
  // Runs `input` as mnemod does: kNonBlocking, then the rest with kMayBlock when blocked.
  // Returns the output; `inline_bytes` gets what the non-blocking call consumed.
  std::string Run(std::string_view input, std::size_t& inline_bytes) {
    std::string out;
    inline_bytes = session_.Process(input, out, EngineCalls::kNonBlocking);
    if (session_.blocked()) session_.Process(input.substr(inline_bytes), out);
    return out;
  }

  testing::ManualClock clock_;
  DecliningEngine engine_{clock_};
  SessionConfig config_;
  CommandCounters counters_;
  Session session_{engine_, config_, counters_};
};

TEST_F(NonBlockingTest, GetsTheEngineAnswersRunWithoutBlocking) {
  std::string out;
  const std::string input = "get a\r\nmg b v\r\nmn\r\nversion\r\nget nope\r\n";
  EXPECT_EQ(session_.Process(input, out, EngineCalls::kNonBlocking), input.size());
  EXPECT_FALSE(session_.blocked());
  EXPECT_EQ(out, "VALUE a 0 2\r\nva\r\nEND\r\nVA 2\r\nvb\r\nMN\r\nVERSION 1.6.18\r\nEND\r\n");
  EXPECT_EQ(engine_.gets, 0);
  EXPECT_EQ(engine_.try_gets, 3);
  EXPECT_EQ(counters_.cmd_get.load(), 3u);
  EXPECT_EQ(counters_.get_hits.load(), 2u);
  EXPECT_EQ(counters_.get_misses.load(), 1u);
}

TEST_F(NonBlockingTest, StopsBeforeAWriteAndTheRestKeepsItsOrder) {
  const std::string first = "get a\r\n";
  const std::string input = first + "set a 0 0 2\r\nv2\r\nget a\r\n";
  std::size_t inline_bytes = 0;
  EXPECT_EQ(Run(input, inline_bytes),
            "VALUE a 0 2\r\nva\r\nEND\r\nSTORED\r\nVALUE a 0 2\r\nv2\r\nEND\r\n");
  EXPECT_EQ(inline_bytes, first.size());
  EXPECT_EQ(engine_.stores, 1);
  EXPECT_EQ(counters_.cmd_set.load(), 1u);
  EXPECT_EQ(counters_.cmd_get.load(), 2u);
  EXPECT_EQ(counters_.bytes_read.load(), input.size());
}

TEST_F(NonBlockingTest, ADeclinedGetLeavesNoTrace) {
  engine_.declined.insert("b");
  std::string out;
  const std::string first = "mg a v\r\n";
  const std::string input = first + "mg b v\r\n";
  EXPECT_EQ(session_.Process(input, out, EngineCalls::kNonBlocking), first.size());
  EXPECT_TRUE(session_.blocked());
  EXPECT_EQ(out, "VA 2\r\nva\r\n");
  EXPECT_EQ(counters_.cmd_get.load(), 1u);
  EXPECT_EQ(counters_.get_hits.load(), 1u);
  EXPECT_EQ(counters_.bytes_read.load(), first.size());
  EXPECT_EQ(counters_.bytes_written.load(), out.size());
  // The same request again, allowed to block: Get serves it.
  EXPECT_EQ(session_.Process(std::string_view(input).substr(first.size()), out), first.size());
  EXPECT_FALSE(session_.blocked());
  EXPECT_EQ(out, "VA 2\r\nva\r\nVA 2\r\nvb\r\n");
  EXPECT_EQ(engine_.gets, 1);
  EXPECT_EQ(counters_.cmd_get.load(), 2u);
}

TEST_F(NonBlockingTest, BinaryGetsRunAndABinarySetStops) {
  // GET "a" (opcode 0x00), then SET "b" (opcode 0x01, 8 bytes of extras, value "x").
  std::string get("\x80\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00", 16);
  get += std::string(8, '\0') + "a";
  std::string set("\x80\x01\x00\x01\x08\x00\x00\x00\x00\x00\x00\x0a\x00\x00\x00\x00", 16);
  set += std::string(8, '\0') + std::string(8, '\0') + "b" + "x";
  std::string out;
  EXPECT_EQ(session_.Process(get + set, out, EngineCalls::kNonBlocking), get.size());
  EXPECT_TRUE(session_.blocked());
  EXPECT_EQ(out.substr(0, 2), std::string("\x81\x00", 2));
  EXPECT_EQ(engine_.stores, 0);
  EXPECT_EQ(session_.Process(set, out), set.size());
  EXPECT_EQ(engine_.stores, 1);
}

TEST_F(NonBlockingTest, CommandsThatAreNotItemCommandsAreNeverCaptured) {
  for (const std::string input : {"flush_all\r\n", "stats\r\n", "verbosity 1\r\n",
                                  "stats cachedump 1 1\r\n", "me a\r\n", "quit\r\n"}) {
    std::string out;
    EXPECT_EQ(session_.Process(input, out, EngineCalls::kNonBlocking), 0u) << input;
    EXPECT_TRUE(session_.blocked()) << input;
    EXPECT_TRUE(session_.pending_calls().empty()) << input;
    EXPECT_FALSE(session_.closing()) << input;
    EXPECT_EQ(out, "") << input;
  }
  EXPECT_EQ(engine_.try_gets + engine_.gets + engine_.stores, 0);
  EXPECT_EQ(counters_.bytes_read.load(), 0u);
}

TEST_F(NonBlockingTest, WritesAreCapturedNotMade) {
  using Kind = PendingCall::Kind;
  const std::pair<std::string, Kind> cases[] = {{"delete a\r\n", Kind::kDelete},
                                                {"incr a 1\r\n", Kind::kArithmetic},
                                                {"ms a 2\r\nv3\r\n", Kind::kStore},
                                                {"md a\r\n", Kind::kDelete},
                                                {"set a 0 0 1 noreply\r\nx\r\n", Kind::kStore},
                                                {"ma a\r\n", Kind::kArithmetic}};
  for (const auto& [input, kind] : cases) {
    std::string out;
    EXPECT_EQ(session_.Process(input, out, EngineCalls::kNonBlocking), 0u) << input;
    EXPECT_TRUE(session_.blocked()) << input;
    ASSERT_EQ(session_.pending_calls().size(), 1u) << input;
    EXPECT_EQ(session_.pending_calls()[0]->kind(), kind) << input;
    EXPECT_EQ(session_.pending_calls()[0]->key(), "a") << input;
    EXPECT_EQ(out, "") << input;
  }
  EXPECT_EQ(engine_.gets + engine_.stores, 0);
  EXPECT_EQ(counters_.bytes_read.load(), 0u);
  EXPECT_EQ(counters_.cmd_set.load(), 0u);
}

TEST_F(NonBlockingTest, ParseErrorsAreAnsweredWithoutBlocking) {
  std::string out;
  const std::string input = "bogus\r\nget a\r\n";
  EXPECT_EQ(session_.Process(input, out, EngineCalls::kNonBlocking), input.size());
  EXPECT_FALSE(session_.blocked());
  EXPECT_EQ(out, "ERROR\r\nVALUE a 0 2\r\nva\r\nEND\r\n");
}

TEST_F(NonBlockingTest, BlockedIsClearedByTheNextCall) {
  std::string out;
  session_.Process("delete a\r\n", out, EngineCalls::kNonBlocking);
  ASSERT_TRUE(session_.blocked());
  session_.Process("get a\r\n", out, EngineCalls::kNonBlocking);
  EXPECT_FALSE(session_.blocked());
  session_.Process("delete a\r\n", out);
  EXPECT_FALSE(session_.blocked());
  EXPECT_EQ(out, "VALUE a 0 2\r\nva\r\nEND\r\nDELETED\r\n");
}

}  // namespace
}  // namespace mnemo
