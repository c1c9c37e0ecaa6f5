// Capture and replay round by round: which calls one kNonBlocking Process captures (a batch of
// gets, or one other call alone), what the next one replays and consumes, dependent calls in
// a further round, and what drops or discards captures (a kMayBlock call, other input, a call
// left unmade). deferred_session_test.cc compares whole scripts with direct calls.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "declining_engine.h"
#include "manual_clock.h"
#include "mnemo/session.h"

namespace mnemo {
namespace {

using Kind = PendingCall::Kind;
using testing::DecliningEngine;

class CaptureRoundsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Session seed(engine_, config_, counters_);
    std::string out;
    seed.Process("set a 0 0 2\r\nva\r\nset b 0 0 2\r\nvb\r\n", out);
    ASSERT_EQ(out, "STORED\r\nSTORED\r\n");
    counters_.Reset();
    engine_.stores = engine_.gets = 0;
    engine_.decline_all = true;
  }
  // One kNonBlocking call on what is left of `input_`; drops what it consumed.
  void Round() {
    const std::size_t used = session_.Process(input_, out_, EngineCalls::kNonBlocking);
    input_.erase(0, used);
  }
  // The keys of the pending calls, as "kind:key" words.
  std::vector<std::string> Pending() const {
    std::vector<std::string> out;
    for (const PendingCall* call : session_.pending_calls()) {
      out.push_back(std::to_string(static_cast<int>(call->kind())) + ":" +
                    std::string(call->key()));
    }
    return out;
  }
  static std::string P(Kind kind, std::string_view key) {
    return std::to_string(static_cast<int>(kind)) + ":" + std::string(key);
  }
  void MakeCalls() {
    for (PendingCall* call : session_.pending_calls()) call->RunOn(engine_);
  }

  testing::ManualClock clock_;
  DecliningEngine engine_{clock_};
  SessionConfig config_;
  CommandCounters counters_;
  Session session_{engine_, config_, counters_};
  std::string input_, out_;
};

TEST_F(CaptureRoundsTest, AMultiGetIsOneBatch) {
  input_ = "get a b nope\r\n";
  Round();
  EXPECT_TRUE(session_.blocked());
  EXPECT_EQ(Pending(), (std::vector<std::string>{P(Kind::kGet, "a"), P(Kind::kGet, "b"),
                                                 P(Kind::kGet, "nope")}));
  EXPECT_EQ(input_.size(), 14u);
  EXPECT_EQ(out_, "");
  EXPECT_EQ(counters_.cmd_get.load(), 0u);
  EXPECT_EQ(counters_.bytes_read.load(), 0u);
  EXPECT_EQ(engine_.gets, 0);
  MakeCalls();
  Round();
  EXPECT_FALSE(session_.blocked());
  EXPECT_TRUE(session_.pending_calls().empty());
  EXPECT_EQ(input_, "");
  EXPECT_EQ(out_, "VALUE a 0 2\r\nva\r\nVALUE b 0 2\r\nvb\r\nEND\r\n");
  EXPECT_EQ(engine_.gets, 3);
  EXPECT_EQ(counters_.cmd_get.load(), 3u);
  EXPECT_EQ(counters_.get_hits.load(), 2u);
  EXPECT_EQ(counters_.get_misses.load(), 1u);
  EXPECT_EQ(counters_.bytes_read.load(), 14u);
}

TEST_F(CaptureRoundsTest, GetsOfFollowingRequestsJoinAndAWriteWaitsForItsOwnRound) {
  input_ = "get a\r\nmg b v\r\nmn\r\nset c 0 0 1\r\nx\r\nget c\r\n";
  Round();
  EXPECT_EQ(Pending(), (std::vector<std::string>{P(Kind::kGet, "a"), P(Kind::kGet, "b")}));
  EXPECT_EQ(out_, "");
  MakeCalls();
  Round();
  EXPECT_EQ(Pending(), std::vector<std::string>{P(Kind::kStore, "c")});
  EXPECT_EQ(out_, "VALUE a 0 2\r\nva\r\nEND\r\nVA 2\r\nvb\r\nMN\r\n");
  EXPECT_EQ(engine_.stores, 0);
  MakeCalls();
  Round();
  EXPECT_EQ(Pending(), std::vector<std::string>{P(Kind::kGet, "c")});
  MakeCalls();
  Round();
  EXPECT_FALSE(session_.blocked());
  EXPECT_EQ(input_, "");
  EXPECT_EQ(out_,
            "VALUE a 0 2\r\nva\r\nEND\r\nVA 2\r\nvb\r\nMN\r\nSTORED\r\n"
            "VALUE c 0 1\r\nx\r\nEND\r\n");
  EXPECT_EQ(engine_.stores, 1);
  EXPECT_EQ(counters_.cmd_set.load(), 1u);
}

TEST_F(CaptureRoundsTest, AWriteIsCapturedAloneAndNothingAfterItRuns) {
  engine_.decline_all = false;
  input_ = "delete a\r\nget b\r\n";
  Round();
  EXPECT_EQ(Pending(), std::vector<std::string>{P(Kind::kDelete, "a")});
  EXPECT_EQ(engine_.try_gets, 0);
  MakeCalls();
  Round();
  EXPECT_EQ(out_, "DELETED\r\nVALUE b 0 2\r\nvb\r\nEND\r\n");
  EXPECT_EQ(counters_.delete_hits.load(), 1u);
}

TEST_F(CaptureRoundsTest, ADependentCallIsCapturedInAnotherRound) {
  // mg R wins the recache for an item with less TTL left, then T touches it: two calls.
  Session direct(engine_, config_, counters_);
  std::string seeded;
  direct.Process("ms r 1 T10\r\nx\r\n", seeded);
  input_ = "mg r R30 T100 v t\r\n";
  Round();
  EXPECT_EQ(Pending(), std::vector<std::string>{P(Kind::kGet, "r")});
  MakeCalls();
  Round();
  EXPECT_EQ(Pending(), std::vector<std::string>{P(Kind::kTouch, "r")});
  EXPECT_EQ(out_, "");
  MakeCalls();
  Round();
  EXPECT_FALSE(session_.blocked());
  EXPECT_EQ(out_, "VA 1 t100 W\r\nx\r\n");
  std::string after;
  direct.Process("mg r t\r\n", after);
  EXPECT_EQ(after, "HD t100 Z\r\n");  // touched, and the recache was won
}

TEST_F(CaptureRoundsTest, AGetTryGetAnsweredRunsAgainOnReplay) {
  engine_.decline_all = false;
  engine_.declined.insert("b");
  input_ = "get a b\r\n";
  Round();
  EXPECT_EQ(Pending(), std::vector<std::string>{P(Kind::kGet, "b")});
  EXPECT_EQ(engine_.try_gets, 2);
  MakeCalls();
  Round();
  EXPECT_EQ(engine_.try_gets, 3);  // a again; b from its capture
  EXPECT_EQ(engine_.gets, 1);
  EXPECT_EQ(out_, "VALUE a 0 2\r\nva\r\nVALUE b 0 2\r\nvb\r\nEND\r\n");
  EXPECT_EQ(counters_.cmd_get.load(), 2u);
}

TEST_F(CaptureRoundsTest, OtherInputDiscardsTheCapturesAndCapturesAnew) {
  input_ = "get a\r\n";
  Round();
  MakeCalls();
  input_ = "get b\r\n";
  Round();
  EXPECT_EQ(Pending(), std::vector<std::string>{P(Kind::kGet, "b")});
  EXPECT_EQ(out_, "");
  MakeCalls();
  Round();
  EXPECT_EQ(out_, "VALUE b 0 2\r\nvb\r\nEND\r\n");
}

TEST_F(CaptureRoundsTest, ACallLeftUnmadeIsCapturedAgain) {
  input_ = "get a\r\n";
  Round();
  Round();
  EXPECT_TRUE(session_.blocked());
  EXPECT_EQ(Pending(), std::vector<std::string>{P(Kind::kGet, "a")});
  EXPECT_FALSE(session_.pending_calls()[0]->done());
  MakeCalls();
  Round();
  EXPECT_EQ(out_, "VALUE a 0 2\r\nva\r\nEND\r\n");
}

TEST_F(CaptureRoundsTest, AMayBlockCallDropsTheCaptures) {
  input_ = "get a\r\n";
  Round();
  MakeCalls();
  EXPECT_EQ(session_.Process("delete a\r\n", out_), 10u);
  EXPECT_TRUE(session_.pending_calls().empty());
  input_ = "get a\r\n";
  Round();  // a's capture would say VALUE: it was dropped, so a is captured anew
  EXPECT_EQ(Pending(), std::vector<std::string>{P(Kind::kGet, "a")});
  MakeCalls();
  Round();
  EXPECT_EQ(out_, "DELETED\r\nEND\r\n");
}

TEST_F(CaptureRoundsTest, StatsAfterCapturedGetsWaitsAndThenRunsTheOldWay) {
  input_ = "get a\r\nstats\r\n";
  Round();
  EXPECT_EQ(Pending(), std::vector<std::string>{P(Kind::kGet, "a")});
  MakeCalls();
  Round();
  EXPECT_TRUE(session_.blocked());
  EXPECT_TRUE(session_.pending_calls().empty());
  EXPECT_EQ(input_, "stats\r\n");
  EXPECT_EQ(out_, "VALUE a 0 2\r\nva\r\nEND\r\n");
}

TEST_F(CaptureRoundsTest, AParseErrorAfterACaptureIsAnsweredOnReplay) {
  input_ = "get a\r\nbogus\r\nget b\r\n";
  Round();
  EXPECT_EQ(Pending(), std::vector<std::string>{P(Kind::kGet, "a")});
  MakeCalls();
  Round();
  EXPECT_EQ(Pending(), std::vector<std::string>{P(Kind::kGet, "b")});
  EXPECT_EQ(out_, "VALUE a 0 2\r\nva\r\nEND\r\nERROR\r\n");
  MakeCalls();
  Round();
  EXPECT_EQ(out_, "VALUE a 0 2\r\nva\r\nEND\r\nERROR\r\nVALUE b 0 2\r\nvb\r\nEND\r\n");
}

TEST_F(CaptureRoundsTest, AnIncompleteRequestAfterACaptureWaits) {
  input_ = "get a\r\nget b";
  Round();
  EXPECT_TRUE(session_.blocked());
  EXPECT_EQ(Pending(), std::vector<std::string>{P(Kind::kGet, "a")});
  MakeCalls();
  Round();
  EXPECT_FALSE(session_.blocked());
  EXPECT_EQ(input_, "get b");
  EXPECT_EQ(out_, "VALUE a 0 2\r\nva\r\nEND\r\n");
}

TEST_F(CaptureRoundsTest, AnEngineErrorIsAnsweredAsTheEngineWouldHave) {
  input_ = "get a\r\n";
  Round();
  session_.pending_calls()[0]->SetGet(GetStatus::kError);
  Round();
  input_ = "set a 0 0 1\r\nx\r\n";
  Round();
  ASSERT_EQ(Pending(), std::vector<std::string>{P(Kind::kStore, "a")}) << input_ << "|" << out_;
  session_.pending_calls()[0]->SetStore({StoreStatus::kNoMemory, 0});
  Round();
  // As memcached, a set that failed removes the old value: a dependent call.
  ASSERT_EQ(Pending(), std::vector<std::string>{P(Kind::kDelete, "a")});
  MakeCalls();
  Round();
  EXPECT_EQ(input_, "");
  EXPECT_EQ(out_, "SERVER_ERROR backend failure\r\nSERVER_ERROR out of memory storing object\r\n");
}

}  // namespace
}  // namespace mnemo
