// ProxyAsyncCalls beyond one exchange: routing agrees with the blocking path, failures feed the
// client's auto-eject, and destroying the object answers what is in flight. The io_context runs
// on the test thread.
#include <gtest/gtest.h>

#include <asio/io_context.hpp>
#include <memory>
#include <string>
#include <vector>

#include "engines/proxy/async_calls.h"
#include "engines/proxy/async_test_util.h"
#include "engines/proxy/fake_upstream.h"
#include "engines/proxy/proxy_engine.h"
#include "manual_clock.h"

namespace mnemo::proxy {
namespace {

using testing::CountingDone;
using testing::FakeUpstream;
using testing::Pointers;
using testing::RunUntil;
using testing::SubmitAndRun;

std::string Address(const FakeUpstream& upstream) {
  return "127.0.0.1:" + std::to_string(upstream.port());
}

class AsyncLifecycleTest : public ::testing::Test {
 protected:
  std::unique_ptr<ProxyEngine> Engine(const std::string& spec) {
    Result<std::unique_ptr<ProxyEngine>> engine = ProxyEngine::Create(clock_, spec);
    EXPECT_TRUE(engine.ok()) << engine.error().message;
    return std::move(*engine);
  }

  asio::io_context io_;
  mnemo::testing::ManualClock clock_;
};

std::unique_ptr<PendingCall> Get(std::string_view key) {
  return std::make_unique<PendingCall>(GetRequest{HashedKey(key)});
}

TEST_F(AsyncLifecycleTest, EveryKeyGoesToTheUpstreamTheBlockingPathPicks) {
  FakeUpstream upstreams[3];
  std::string servers;
  for (FakeUpstream& upstream : upstreams) {
    upstream.Script("gets", "END\r\n");
    servers += (servers.empty() ? "" : ",") + Address(upstream);
  }
  auto engine = Engine(servers);
  auto async = engine->ForLoop(io_);
  std::vector<std::unique_ptr<PendingCall>> calls;
  std::vector<std::string> expected[3];
  for (int i = 0; i < 60; ++i) {
    const std::string key = "key" + std::to_string(i);
    calls.push_back(Get(key));
    std::vector<std::string>& lines = expected[engine->upstreams()->ServerFor(key).value()];
    if (lines.empty()) lines.push_back("gets");
    lines.back() += " " + key;  // one multi-get per upstream, keys in the order asked
  }
  EXPECT_EQ(testing::SubmitAndRun(io_, *async, Pointers(calls)), 1);
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(expected[i].empty()) << i;
    EXPECT_EQ(upstreams[i].Requests(), expected[i]) << i;
    EXPECT_EQ(static_cast<ProxyAsyncCalls&>(*async).link(i).writes(), 1u) << i;
  }
}

TEST_F(AsyncLifecycleTest, FailuresEjectAnUpstreamAndItsKeysMoveToTheOthers) {
  FakeUpstream live;
  std::string dead;
  {
    FakeUpstream gone;
    dead = Address(gone);  // nobody listens there once it is destroyed
  }
  live.Script("gets", "END\r\n");
  auto engine = Engine(dead + "," + Address(live) + ";eject=2;retry_ms=600000");
  // A key of the dead upstream while both are in the distribution.
  std::string key;
  for (int i = 0; key.empty(); ++i) {
    if (engine->upstreams()->ServerFor("k" + std::to_string(i)) == 0u) key = "k" + std::to_string(i);
  }
  auto async = engine->ForLoop(io_);
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::vector<std::unique_ptr<PendingCall>> calls;
    calls.push_back(Get(key));
    EXPECT_EQ(SubmitAndRun(io_, *async, Pointers(calls)), 1);
    EXPECT_EQ(calls[0]->get_status(), GetStatus::kError) << attempt;
  }
  EXPECT_TRUE(engine->upstreams()->EjectedFor(0).has_value());
  EXPECT_EQ(engine->upstreams()->ServerFor(key), 1u);
  std::vector<std::unique_ptr<PendingCall>> calls;
  calls.push_back(Get(key));
  EXPECT_EQ(SubmitAndRun(io_, *async, Pointers(calls)), 1);
  EXPECT_EQ(calls[0]->get_status(), GetStatus::kMiss);
  EXPECT_EQ(live.Requests(), std::vector<std::string>{"gets " + key});
}

TEST_F(AsyncLifecycleTest, DestroyingAnswersTheCallsQueuedWhileConnecting) {
  FakeUpstream upstream;
  auto engine = Engine(Address(upstream));
  auto async = engine->ForLoop(io_);
  std::vector<std::unique_ptr<PendingCall>> calls;
  calls.push_back(Get("a"));
  calls.push_back(std::make_unique<PendingCall>(HashedKey("b"), 1));
  CountingDone done;
  async->Submit(Pointers(calls), done);  // queued while connecting: the loop has not run
  async.reset();
  EXPECT_EQ(done.count, 1);
  EXPECT_EQ(calls[0]->get_status(), GetStatus::kError);
  EXPECT_EQ(calls[1]->touch_status(), TouchStatus::kError);
  io_.restart();
  io_.run();  // the handlers left behind find their link closed and do nothing
  EXPECT_EQ(done.count, 1);
}

TEST_F(AsyncLifecycleTest, DestroyingAnswersTheCallsWrittenAndUnanswered) {
  testing::SilentUpstream silent;
  auto engine = Engine("127.0.0.1:" + std::to_string(silent.port()));
  auto async = engine->ForLoop(io_);
  std::vector<std::unique_ptr<PendingCall>> calls;
  calls.push_back(Get("a"));
  StoreRequest set{HashedKey("b")};
  set.value = "v";
  calls.push_back(std::make_unique<PendingCall>(set));
  CountingDone done;
  async->Submit(Pointers(calls), done);
  auto& proxy = static_cast<ProxyAsyncCalls&>(*async);
  RunUntil(io_, [&] { return proxy.link(0).writes() == 1; });  // connected, request sent
  EXPECT_EQ(done.count, 0);
  async.reset();
  EXPECT_EQ(done.count, 1);
  EXPECT_EQ(calls[0]->get_status(), GetStatus::kError);
  EXPECT_EQ(calls[1]->store_result().status, StoreStatus::kError);
}

}  // namespace
}  // namespace mnemo::proxy
