// ProxyEngine::ForLoop against a real memcached on a free loopback port: every call kind
// answers as the blocking engine does, a thousand pipelined calls complete in order, an upstream
// killed with calls in flight fails them and serves again once restarted, and failures eject.
// The io_context runs on the test thread.
#include <gtest/gtest.h>

#include <asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engines/proxy/async_calls.h"
#include "engines/proxy/async_test_util.h"
#include "engines/proxy/proxy_engine.h"
#include "manual_clock.h"
#include "process.h"

namespace mnemo::proxy {
namespace {

using testing::CountingDone;
using testing::Pointers;
using testing::RunUntil;
using testing::SubmitAndRun;

std::vector<std::string> MemcachedArgv(std::uint16_t port) {
  return {"memcached", "-p", std::to_string(port), "-U", "0", "-l", "127.0.0.1", "-u", "root"};
}

// The result of a call, without what differs between two runs (the CAS values).
std::string Describe(const PendingCall& call) {
  switch (call.kind()) {
    case PendingCall::Kind::kGet: {
      std::string text = "get " + std::to_string(static_cast<int>(call.get_status()));
      if (call.item()) {
        text += " " + call.item()->value + " " + std::to_string(call.item()->client_flags) +
                (call.item()->cas != 0 ? " cas" : " no-cas");
      }
      return text;
    }
    case PendingCall::Kind::kStore:
      return "store " + std::to_string(static_cast<int>(call.store_result().status));
    case PendingCall::Kind::kDelete:
      return "delete " + std::to_string(static_cast<int>(call.delete_status()));
    case PendingCall::Kind::kArithmetic:
      return "arith " + std::to_string(static_cast<int>(call.arith_result().status)) + " " +
             std::to_string(call.arith_result().value);
    case PendingCall::Kind::kTouch:
      return "touch " + std::to_string(static_cast<int>(call.touch_status()));
  }
  return "";
}

class MemcachedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = mnemo::testing::StartServer(MemcachedArgv);
    ASSERT_TRUE(server.ok()) << server.error().message;
    memcached_ = std::move(server.value());
    Result<std::unique_ptr<ProxyEngine>> engine =
        ProxyEngine::Create(clock_, Address() + ";timeout_ms=5000;connect_ms=5000");
    ASSERT_TRUE(engine.ok()) << engine.error().message;
    engine_ = std::move(*engine);
    async_ = engine_->ForLoop(io_);
  }
  std::string Address() const { return "127.0.0.1:" + std::to_string(memcached_.port); }

  // Makes one call through the non-blocking path.
  void Async(PendingCall& call) {
    PendingCall* calls[] = {&call};
    CountingDone done;
    async_->Submit(calls, done);
    RunUntil(io_, [&] { return done.count > 0; });
    EXPECT_EQ(done.count, 1);
  }

  asio::io_context io_;
  mnemo::testing::ManualClock clock_;
  mnemo::testing::RunningServer memcached_;
  std::unique_ptr<ProxyEngine> engine_;
  std::unique_ptr<AsyncCalls> async_;
};

StoreRequest Store(StoreMode mode, std::string_view key, std::string_view value) {
  StoreRequest request{HashedKey(key)};
  request.mode = mode;
  request.value = value;
  request.client_flags = 3;
  return request;
}

ArithRequest Arith(std::string_view key, bool increment, std::uint64_t delta) {
  ArithRequest request{HashedKey(key)};
  request.increment = increment;
  request.delta = delta;
  return request;
}

// Makes calls one at a time with `make` and keeps what each returned.
class Recorder {
 public:
  explicit Recorder(std::function<void(PendingCall&)> make) : make_(std::move(make)) {}

  template <class... Arguments>
  std::unique_ptr<PendingCall> Run(const Arguments&... arguments) {
    auto call = std::make_unique<PendingCall>(arguments...);
    make_(*call);
    results.push_back(Describe(*call));
    return call;
  }
  // A get of `key`, recorded too; its CAS (0 on a miss).
  std::uint64_t CasOf(const std::string& key) {
    auto got = Run(GetRequest{HashedKey(key)});
    return got->item() ? got->item()->cas : 0;
  }

  std::vector<std::string> results;

 private:
  std::function<void(PendingCall&)> make_;
};

// Every store mode and outcome on keys starting with `prefix` (`nothing` is never stored).
void Stores(Recorder& r, const std::string& prefix, const std::string& nothing) {
  const std::string k = prefix + "k", absent = prefix + "absent";
  r.Run(GetRequest{HashedKey(k)});
  r.Run(Store(StoreMode::kSet, k, "v"));
  const std::uint64_t cas = r.CasOf(k);
  for (StoreMode mode :
       {StoreMode::kReplace, StoreMode::kAppend, StoreMode::kPrepend, StoreMode::kAdd}) {
    r.Run(Store(mode, k, "w"));
    r.Run(Store(mode, absent, "w"));
  }
  StoreRequest compare = Store(StoreMode::kCas, k, "c");
  compare.compare_cas = cas;  // stale: the stores above changed it
  r.Run(compare);
  compare.compare_cas = r.CasOf(k);
  r.Run(compare);
  compare.key = HashedKey(nothing);
  r.Run(compare);
  StoreRequest set_with_cas = Store(StoreMode::kSet, k, "s");
  set_with_cas.compare_cas = r.CasOf(k);
  r.Run(set_with_cas);
  r.Run(Store(StoreMode::kSet, prefix + "big", std::string(2 << 20, 'x')));
}

// incr/decr (create-on-miss included), touch, gat, delete with and without a CAS, a bad key.
void OtherCalls(Recorder& r, const std::string& prefix, const std::string& nothing) {
  const std::string k = prefix + "k", n = prefix + "n", created = prefix + "created";
  r.Run(Arith(k, true, 1));
  r.Run(Store(StoreMode::kSet, n, "5"));
  r.Run(Arith(n, true, 3));
  r.Run(Arith(n, false, 10));
  r.Run(Arith(nothing, true, 1));
  ArithRequest create = Arith(created, true, 4);
  create.create_exptime = 0;
  create.initial = 7;
  r.Run(create);
  r.Run(create);
  r.Run(HashedKey(n), std::int64_t{100});  // touch
  r.Run(HashedKey(nothing), std::int64_t{100});
  GetRequest gat{HashedKey(n)};
  gat.touch_exptime = 100;
  r.Run(gat);
  DeleteRequest del{HashedKey(k)};
  del.compare_cas = 1;
  r.Run(del);
  del.compare_cas = r.CasOf(k);
  r.Run(del);
  r.Run(DeleteRequest{HashedKey(k)});
  r.Run(DeleteRequest{HashedKey(n)});
  r.Run(GetRequest{HashedKey("bad key")});
}

// One of each call kind and outcome, on keys starting with `prefix`; `make` runs each call.
std::vector<std::string> Scenario(const std::string& prefix,
                                  const std::function<void(PendingCall&)>& make) {
  Recorder recorder(make);
  const std::string nothing = prefix + "nothing";
  Stores(recorder, prefix, nothing);
  OtherCalls(recorder, prefix, nothing);
  return recorder.results;
}

TEST_F(MemcachedTest, EveryCallKindAnswersAsTheBlockingEngine) {
  const std::vector<std::string> blocking =
      Scenario("b:", [&](PendingCall& call) { call.RunOn(*engine_); });
  const std::vector<std::string> async = Scenario("a:", [&](PendingCall& call) { Async(call); });
  EXPECT_EQ(async, blocking);
  EXPECT_EQ(blocking.size(), 34u);
}

TEST_F(MemcachedTest, AThousandPipelinedCallsCompleteInOrder) {
  auto set = std::make_unique<PendingCall>(Store(StoreMode::kSet, "counter", "0"));
  Async(*set);
  std::vector<std::unique_ptr<PendingCall>> batches[4];
  CountingDone done[4];
  for (int b = 0; b < 4; ++b) {
    for (int i = 0; i < 250; ++i) {
      batches[b].push_back(std::make_unique<PendingCall>(Arith("counter", true, 1)));
    }
    async_->Submit(Pointers(batches[b]), done[b]);
  }
  RunUntil(io_, [&] { return done[3].count > 0; });
  std::uint64_t expected = 0;
  for (int b = 0; b < 4; ++b) {
    EXPECT_EQ(done[b].count, 1) << b;
    for (const auto& call : batches[b]) {
      ASSERT_TRUE(call->done());
      EXPECT_EQ(call->arith_result().value, ++expected);
    }
  }
  EXPECT_EQ(expected, 1000u);
}

TEST_F(MemcachedTest, AMultiGetAnswersEachKeyAsTheBlockingEngine) {
  std::vector<std::string> keys;
  for (int i = 0; i < 250; ++i) keys.push_back("m" + std::to_string(i));
  for (std::size_t i = 0; i < keys.size(); i += 2) {  // every other key is a miss
    auto set = std::make_unique<PendingCall>(Store(StoreMode::kSet, keys[i], keys[i] + "!"));
    Async(*set);
  }
  std::vector<std::unique_ptr<PendingCall>> calls, blocking;
  for (const std::string& key : keys) {
    calls.push_back(std::make_unique<PendingCall>(GetRequest{HashedKey(key)}));
    blocking.push_back(std::make_unique<PendingCall>(GetRequest{HashedKey(key)}));
    blocking.back()->RunOn(*engine_);
  }
  EXPECT_EQ(SubmitAndRun(io_, *async_, Pointers(calls)), 1);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(Describe(*calls[i]), Describe(*blocking[i])) << keys[i];
    if (calls[i]->item()) {
      EXPECT_EQ(calls[i]->item()->cas, blocking[i]->item()->cas);
    }
  }
  EXPECT_EQ(Describe(*calls[0]), "get 0 m0! 3 cas");
}

TEST_F(MemcachedTest, AKilledUpstreamFailsTheCallsInFlightAndServesAgainAfterARestart) {
  auto set = std::make_unique<PendingCall>(Store(StoreMode::kSet, "k", "v"));
  Async(*set);  // the link is open now
  ASSERT_EQ(set->store_result().status, StoreStatus::kStored);
  memcached_.process.Stop();
  std::vector<std::unique_ptr<PendingCall>> calls;
  for (int i = 0; i < 10; ++i) {
    calls.push_back(std::make_unique<PendingCall>(GetRequest{HashedKey("k")}));
  }
  EXPECT_EQ(SubmitAndRun(io_, *async_, Pointers(calls)), 1);
  for (const auto& call : calls) EXPECT_EQ(call->get_status(), GetStatus::kError);

  auto restarted = mnemo::testing::Process::Spawn(MemcachedArgv(memcached_.port));
  ASSERT_TRUE(restarted.ok()) << restarted.error().message;
  memcached_.process = std::move(restarted.value());
  ASSERT_TRUE(mnemo::testing::WaitForListener(memcached_.process, memcached_.port,
                                              std::chrono::seconds(10)));
  set = std::make_unique<PendingCall>(Store(StoreMode::kSet, "k", "again"));
  Async(*set);
  EXPECT_EQ(set->store_result().status, StoreStatus::kStored);
  auto get = std::make_unique<PendingCall>(GetRequest{HashedKey("k")});
  Async(*get);
  ASSERT_EQ(get->get_status(), GetStatus::kHit);
  EXPECT_EQ(get->item()->value, "again");
}

TEST_F(MemcachedTest, FailuresEjectAKilledUpstreamAndItsKeysMoveToTheOther) {
  auto other = mnemo::testing::StartServer(MemcachedArgv);
  ASSERT_TRUE(other.ok()) << other.error().message;
  const std::string servers = Address() + ",127.0.0.1:" + std::to_string(other->port);
  auto engine = ProxyEngine::Create(clock_, servers + ";eject=3;retry_ms=600000");
  ASSERT_TRUE(engine.ok());
  auto async = (*engine)->ForLoop(io_);
  std::string key;
  for (int i = 0; key.empty(); ++i) {
    if ((*engine)->upstreams()->ServerFor("k" + std::to_string(i)) == 0u) {
      key = "k" + std::to_string(i);
    }
  }
  memcached_.process.Stop();
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto get = std::make_unique<PendingCall>(GetRequest{HashedKey(key)});
    std::vector<PendingCall*> calls = {get.get()};
    EXPECT_EQ(SubmitAndRun(io_, *async, calls), 1);
    EXPECT_EQ(get->get_status(), GetStatus::kError) << attempt;
  }
  EXPECT_EQ((*engine)->upstreams()->ServerFor(key), 1u);
  auto set = std::make_unique<PendingCall>(Store(StoreMode::kSet, key, "moved"));
  std::vector<PendingCall*> calls = {set.get()};
  EXPECT_EQ(SubmitAndRun(io_, *async, calls), 1);
  EXPECT_EQ(set->store_result().status, StoreStatus::kStored);
}

}  // namespace
}  // namespace mnemo::proxy
