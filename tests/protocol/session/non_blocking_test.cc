// Session::Process with EngineCalls::kNonBlocking: what it runs (single-key gets that the
// engine's TryGet answers, mn, noop, version, parse errors), where it stops (any other
// command, a multi-key get, a get TryGet declines) and that a request it stops before has had
// no effect: no reply, no counter, no engine call; the same session then finishes it with
// kMayBlock, replies in request order.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>

#include "engines/map/map_engine.h"
#include "manual_clock.h"
#include "mnemo/session.h"
#include "session/try_only_engine.h"

namespace mnemo {
namespace {

// The map engine, except that TryGet declines the keys in `declined` and every call is
// counted, so a test can tell a declined get from one that ran.
class DecliningEngine final : public Engine {
 public:
  explicit DecliningEngine(const Clock& clock) : map_(clock) {}

  std::set<std::string, std::less<>> declined;
  int gets = 0, try_gets = 0, stores = 0;

  GetStatus Get(const GetRequest& request, ItemVisitor on_hit) override {
    ++gets;
    return map_.Get(request, on_hit);
  }
  std::optional<GetStatus> TryGet(const GetRequest& request, ItemVisitor on_hit) override {
    ++try_gets;
    if (declined.count(request.key.key()) != 0) return std::nullopt;
    return map_.Get(request, on_hit);
  }
  StoreResult Store(const StoreRequest& request) override {
    ++stores;
    return map_.Store(request);
  }
  DeleteStatus Delete(const DeleteRequest& request) override { return map_.Delete(request); }
  ArithResult Arithmetic(const ArithRequest& request) override {
    return map_.Arithmetic(request);
  }
  TouchStatus Touch(const HashedKey& key, std::int64_t exptime) override {
    return map_.Touch(key, exptime);
  }
  void FlushAll(std::int64_t delay) override { map_.FlushAll(delay); }
  void ForEach(FunctionRef<bool(const ItemView&)> visit) override { map_.ForEach(visit); }
  bool Stats(std::string_view group, StatSink sink) override { return map_.Stats(group, sink); }
  std::int64_t Now() const override { return map_.Now(); }

 private:
  MapEngine map_;
};

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

TEST_F(NonBlockingTest, CommandsBeyondGetsAreNotRun) {
  for (const std::string input :
       {"get a b\r\n", "gat 0 a\r\n", "delete a\r\n", "incr a 1\r\n", "touch a 0\r\n",
        "flush_all\r\n", "stats\r\n", "ms a 2\r\nv3\r\n", "md a\r\n", "mg a R30 T30 v\r\n",
        "mg a T30\r\n", "verbosity 1\r\n"}) {
    std::string out;
    EXPECT_EQ(session_.Process(input, out, EngineCalls::kNonBlocking), 0u) << input;
    EXPECT_TRUE(session_.blocked()) << input;
    EXPECT_EQ(out, "") << input;
  }
  EXPECT_EQ(engine_.try_gets + engine_.gets + engine_.stores, 0);
  EXPECT_EQ(counters_.bytes_read.load(), 0u);
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

// The adapter itself: every call but a get it can try is declined, with a placeholder result.
TEST(TryOnlyEngineTest, DeclinesEverythingButAnsweredGets) {
  testing::ManualClock clock;
  DecliningEngine engine(clock);
  engine.declined.insert("x");
  const auto store = [&] {
    StoreRequest request{HashedKey("a")};
    request.value = "v";
    return request;
  }();
  const auto fresh = [&] { return TryOnlyEngine(engine); };
  {
    TryOnlyEngine e = fresh();
    EXPECT_EQ(e.Get(GetRequest{HashedKey("a")}, [](const ItemView&) {}), GetStatus::kMiss);
    EXPECT_FALSE(e.declined());
    EXPECT_EQ(e.TryGet(GetRequest{HashedKey("x")}, [](const ItemView&) {}), GetStatus::kMiss);
    EXPECT_TRUE(e.declined());
    // Once declined, no later get reaches the engine.
    const int tries = engine.try_gets;
    e.Get(GetRequest{HashedKey("a")}, [](const ItemView&) {});
    EXPECT_EQ(engine.try_gets, tries);
  }
  TryOnlyEngine s = fresh(), d = fresh(), a = fresh(), t = fresh(), f = fresh(), each = fresh(),
                stats = fresh();
  EXPECT_EQ(s.Store(store).status, StoreStatus::kNotStored);
  EXPECT_EQ(d.Delete(DeleteRequest{HashedKey("a")}), DeleteStatus::kNotFound);
  EXPECT_EQ(a.Arithmetic(ArithRequest{HashedKey("a")}).status, ArithStatus::kNotFound);
  EXPECT_EQ(t.Touch(HashedKey("a"), 0), TouchStatus::kNotFound);
  f.FlushAll(0);
  each.ForEach([](const ItemView&) { return true; });
  EXPECT_TRUE(stats.Stats("", [](std::string_view, std::string_view) {}));
  for (const TryOnlyEngine* e : {&s, &d, &a, &t, &f, &each, &stats}) EXPECT_TRUE(e->declined());
  EXPECT_EQ(engine.stores, 0);
  EXPECT_EQ(s.Now(), engine.Now());
}

}  // namespace
}  // namespace mnemo
