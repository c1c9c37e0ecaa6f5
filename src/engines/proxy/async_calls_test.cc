// ProxyEngine::ForLoop's non-blocking calls against FakeUpstream: the commands sent (in order,
// one write per Submit), how replies become results, the multi-step calls, and every failure:
// refused, invalid key, connect refused, garbled reply, hang-up mid-flight, silence, eject,
// destruction with calls in flight. The io_context runs on the test thread.
#include "engines/proxy/async_calls.h"

#include <gtest/gtest.h>

#include <asio/io_context.hpp>
#include <memory>
#include <string>
#include <vector>

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
using testing::StatOf;
using testing::SubmitAndRun;

std::string Address(std::uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

// A port nobody listens on: bound, then closed.
std::string DeadAddress() {
  FakeUpstream gone;
  return Address(gone.port());
}

class AsyncCallsTest : public ::testing::Test {
 protected:
  std::unique_ptr<ProxyEngine> Engine(const std::string& servers, const std::string& options = "") {
    Result<std::unique_ptr<ProxyEngine>> engine =
        ProxyEngine::Create(clock_, servers + ";timeout_ms=2000;connect_ms=1000" + options);
    EXPECT_TRUE(engine.ok()) << engine.error().message;
    return std::move(*engine);
  }
  static ProxyAsyncCalls& Proxy(AsyncCalls& async) { return static_cast<ProxyAsyncCalls&>(async); }

  asio::io_context io_;
  mnemo::testing::ManualClock clock_;
  FakeUpstream upstream_;
};

std::unique_ptr<PendingCall> Get(std::string_view key) {
  return std::make_unique<PendingCall>(GetRequest{HashedKey(key)});
}

std::unique_ptr<PendingCall> Set(std::string_view key, std::string_view value) {
  StoreRequest request{HashedKey(key)};
  request.value = value;
  return std::make_unique<PendingCall>(request);
}

std::unique_ptr<PendingCall> Touch(std::string_view key) {
  return std::make_unique<PendingCall>(HashedKey(key), 9);
}

TEST_F(AsyncCallsTest, OneSubmitIsOneWriteWithTheCallsInOrder) {
  upstream_.Script("gets", "VALUE k 7 2 99\r\nhi\r\nEND\r\n");
  upstream_.Script("set", "STORED\r\n");
  upstream_.Script("delete", "NOT_FOUND\r\n");
  upstream_.Script("incr", "43\r\n");
  upstream_.Script("touch", "TOUCHED\r\n");
  auto engine = Engine(Address(upstream_.port()));
  auto async = engine->ForLoop(io_);
  std::vector<std::unique_ptr<PendingCall>> calls;
  calls.push_back(Get("k"));
  StoreRequest set{HashedKey("s")};
  set.value = "abc";
  set.client_flags = 5;
  set.exptime = 60;
  calls.push_back(std::make_unique<PendingCall>(set));
  calls.push_back(std::make_unique<PendingCall>(DeleteRequest{HashedKey("d")}));
  ArithRequest incr{HashedKey("n")};
  incr.delta = 2;
  calls.push_back(std::make_unique<PendingCall>(incr));
  calls.push_back(Touch("t"));
  EXPECT_EQ(SubmitAndRun(io_, *async, Pointers(calls)), 1);

  EXPECT_EQ(upstream_.Requests(), (std::vector<std::string>{"gets k", "set s 5 60 3", "abc",
                                                            "delete d", "incr n 2", "touch t 9"}));
  EXPECT_EQ(Proxy(*async).link(0).writes(), 1u);
  ASSERT_TRUE(calls[0]->done());
  EXPECT_EQ(calls[0]->get_status(), GetStatus::kHit);
  ASSERT_TRUE(calls[0]->item().has_value());
  EXPECT_EQ(calls[0]->item()->key, "k");
  EXPECT_EQ(calls[0]->item()->value, "hi");
  EXPECT_EQ(calls[0]->item()->client_flags, 7u);
  EXPECT_EQ(calls[0]->item()->cas, 99u);
  EXPECT_EQ(calls[1]->store_result().status, StoreStatus::kStored);
  EXPECT_EQ(calls[2]->delete_status(), DeleteStatus::kNotFound);
  EXPECT_EQ(calls[3]->arith_result().status, ArithStatus::kOk);
  EXPECT_EQ(calls[3]->arith_result().value, 43u);
  EXPECT_EQ(calls[4]->touch_status(), TouchStatus::kTouched);
}

TEST_F(AsyncCallsTest, SubmitsBeforeTheWriteJoinItAndLaterOnesPipeline) {
  upstream_.Script("gets", "END\r\n");
  upstream_.Script("gats", "END\r\n");
  auto engine = Engine(Address(upstream_.port()));
  auto async = engine->ForLoop(io_);
  std::vector<std::unique_ptr<PendingCall>> first, second;
  first.push_back(Get("a"));
  first.push_back(Get("b"));
  GetRequest gat{HashedKey("c")};
  gat.touch_exptime = 30;
  second.push_back(std::make_unique<PendingCall>(gat));
  CountingDone first_done, second_done;
  async->Submit(Pointers(first), first_done);
  async->Submit(Pointers(second), second_done);  // still connecting: joins the first write
  RunUntil(io_, [&] { return first_done.count > 0 && second_done.count > 0; });
  EXPECT_EQ(first_done.count, 1);
  EXPECT_EQ(second_done.count, 1);
  EXPECT_EQ(Proxy(*async).link(0).writes(), 1u);
  for (const auto& call : first) EXPECT_EQ(call->get_status(), GetStatus::kMiss);
  EXPECT_EQ(second[0]->get_status(), GetStatus::kMiss);

  std::vector<std::unique_ptr<PendingCall>> third;
  third.push_back(Get("d"));
  EXPECT_EQ(SubmitAndRun(io_, *async, Pointers(third)), 1);
  EXPECT_EQ(Proxy(*async).link(0).writes(), 2u);  // the same connection, one more write
  EXPECT_EQ(upstream_.Requests(), (std::vector<std::string>{"gets a b", "gats 30 c", "gets d"}));
}

TEST_F(AsyncCallsTest, ConsecutiveGetsOfOneSubmitAreOneMultiGet) {
  upstream_.Script("gets", "VALUE b 1 1 5\r\nB\r\nVALUE b 1 1 5\r\nB\r\nEND\r\n");
  upstream_.Script("gats", "VALUE c 0 1 6\r\nC\r\nEND\r\n");
  upstream_.Script("set", "STORED\r\n");
  auto engine = Engine(Address(upstream_.port()));
  auto async = engine->ForLoop(io_);
  std::vector<std::unique_ptr<PendingCall>> calls;
  calls.push_back(Get("a"));
  calls.push_back(Get("b"));
  calls.push_back(Get("b"));
  GetRequest gat{HashedKey("c")};
  gat.touch_exptime = 30;
  calls.push_back(std::make_unique<PendingCall>(gat));  // another touch: a command of its own
  calls.push_back(Set("a", "v"));
  calls.push_back(Get("a"));  // after the set: never joined to a get before it
  EXPECT_EQ(SubmitAndRun(io_, *async, Pointers(calls)), 1);
  EXPECT_EQ(upstream_.Requests(),
            (std::vector<std::string>{"gets a b b", "gats 30 c", "set a 0 0 1", "v", "gets a"}));
  EXPECT_EQ(Proxy(*async).link(0).writes(), 1u);
  EXPECT_EQ(calls[0]->get_status(), GetStatus::kMiss);
  for (int i : {1, 2}) {
    ASSERT_EQ(calls[i]->get_status(), GetStatus::kHit) << i;
    EXPECT_EQ(calls[i]->item()->value, "B");
    EXPECT_EQ(calls[i]->item()->cas, 5u);
  }
  EXPECT_EQ(calls[3]->get_status(), GetStatus::kHit);
  EXPECT_EQ(calls[4]->store_result().status, StoreStatus::kStored);
  EXPECT_EQ(calls[5]->get_status(), GetStatus::kMiss);  // the fake's scripted gets has no "a"
}

TEST_F(AsyncCallsTest, AFailedMultiGetFailsEachOfItsCalls) {
  upstream_.Script("gets", "SERVER_ERROR busy\r\n");
  auto engine = Engine(Address(upstream_.port()));
  auto async = engine->ForLoop(io_);
  std::vector<std::unique_ptr<PendingCall>> calls;
  calls.push_back(Get("a"));
  calls.push_back(Get("b"));
  EXPECT_EQ(SubmitAndRun(io_, *async, Pointers(calls)), 1);
  for (const auto& call : calls) EXPECT_EQ(call->get_status(), GetStatus::kError);
  upstream_.Script("stats", "END\r\n");
  EXPECT_EQ(StatOf(*engine, "proxy_upstream_errors"), "2");
}

TEST_F(AsyncCallsTest, ArithmeticCreatesOnAMissWithAnAdd) {
  upstream_.Script("incr", "NOT_FOUND\r\n");
  upstream_.Script("add", "STORED\r\n");
  auto engine = Engine(Address(upstream_.port()));
  auto async = engine->ForLoop(io_);
  ArithRequest request{HashedKey("n")};
  request.create_exptime = 0;
  request.initial = 10;
  std::vector<std::unique_ptr<PendingCall>> calls;
  calls.push_back(std::make_unique<PendingCall>(request));
  EXPECT_EQ(SubmitAndRun(io_, *async, Pointers(calls)), 1);
  EXPECT_EQ(calls[0]->arith_result().status, ArithStatus::kOk);
  EXPECT_EQ(calls[0]->arith_result().value, 10u);
  EXPECT_EQ(upstream_.Requests(), (std::vector<std::string>{"incr n 1", "add n 0 0 2", "10"}));
}

TEST_F(AsyncCallsTest, ArithmeticCreateLosingTheRaceRetriesOnceThenFails) {
  upstream_.Script("incr", "NOT_FOUND\r\n");
  upstream_.Script("add", "NOT_STORED\r\n");
  auto engine = Engine(Address(upstream_.port()));
  auto async = engine->ForLoop(io_);
  ArithRequest request{HashedKey("n")};
  request.create_exptime = 0;
  std::vector<std::unique_ptr<PendingCall>> calls;
  calls.push_back(std::make_unique<PendingCall>(request));
  EXPECT_EQ(SubmitAndRun(io_, *async, Pointers(calls)), 1);
  EXPECT_EQ(calls[0]->arith_result().status, ArithStatus::kNotStored);
  EXPECT_EQ(upstream_.Requests(), (std::vector<std::string>{"incr n 1", "add n 0 0 1", "0",
                                                            "incr n 1", "add n 0 0 1", "0"}));
}

TEST_F(AsyncCallsTest, DeleteWithCasComparesFirst) {
  auto engine = Engine(Address(upstream_.port()));
  auto async = engine->ForLoop(io_);
  DeleteRequest request{HashedKey("k")};
  request.compare_cas = 5;
  upstream_.Script("gets", "VALUE k 0 1 6\r\nx\r\nEND\r\n");
  std::vector<std::unique_ptr<PendingCall>> calls;
  calls.push_back(std::make_unique<PendingCall>(request));
  EXPECT_EQ(SubmitAndRun(io_, *async, Pointers(calls)), 1);
  EXPECT_EQ(calls[0]->delete_status(), DeleteStatus::kExists);
  upstream_.Script("gets", "VALUE k 0 1 5\r\nx\r\nEND\r\n");
  upstream_.Script("delete", "DELETED\r\n");
  calls[0] = std::make_unique<PendingCall>(request);
  EXPECT_EQ(SubmitAndRun(io_, *async, Pointers(calls)), 1);
  EXPECT_EQ(calls[0]->delete_status(), DeleteStatus::kDeleted);
  upstream_.Script("gets", "END\r\n");
  calls[0] = std::make_unique<PendingCall>(request);
  EXPECT_EQ(SubmitAndRun(io_, *async, Pointers(calls)), 1);
  EXPECT_EQ(calls[0]->delete_status(), DeleteStatus::kNotFound);
  EXPECT_EQ(upstream_.Requests(),
            (std::vector<std::string>{"gets k", "gets k", "delete k", "gets k"}));
}

TEST_F(AsyncCallsTest, RefusedCallsAreAnsweredInsideSubmitWithoutAnUpstream) {
  auto engine = Engine(Address(upstream_.port()));
  auto async = engine->ForLoop(io_);
  std::vector<std::unique_ptr<PendingCall>> calls;
  StoreRequest set{HashedKey("k")};
  set.new_cas = 9;
  calls.push_back(std::make_unique<PendingCall>(set));
  DeleteRequest invalidate{HashedKey("k")};
  invalidate.invalidate = true;
  calls.push_back(std::make_unique<PendingCall>(invalidate));
  ArithRequest arith{HashedKey("k")};
  arith.touch_exptime = 5;
  calls.push_back(std::make_unique<PendingCall>(arith));
  CountingDone done;
  async->Submit(Pointers(calls), done);
  EXPECT_EQ(done.count, 1);  // before the loop ran at all
  EXPECT_EQ(calls[0]->store_result().status, StoreStatus::kError);
  EXPECT_EQ(calls[1]->delete_status(), DeleteStatus::kError);
  EXPECT_EQ(calls[2]->arith_result().status, ArithStatus::kError);
  upstream_.Script("stats", "END\r\n");
  EXPECT_EQ(StatOf(*engine, "proxy_unsupported"), "3");
  EXPECT_EQ(StatOf(*engine, "proxy_upstream_errors"), "0");
  EXPECT_EQ(upstream_.Requests(), (std::vector<std::string>{"stats", "stats"}));  // StatOf only
}

TEST_F(AsyncCallsTest, AKeyTheProtocolCannotCarryFailsAtOnce) {
  auto engine = Engine(Address(upstream_.port()));
  auto async = engine->ForLoop(io_);
  std::vector<std::unique_ptr<PendingCall>> calls;
  calls.push_back(Get("has space"));
  calls.push_back(Set(std::string(251, 'k'), "v"));
  CountingDone done;
  async->Submit(Pointers(calls), done);
  EXPECT_EQ(done.count, 1);
  EXPECT_EQ(calls[0]->get_status(), GetStatus::kError);
  EXPECT_EQ(calls[1]->store_result().status, StoreStatus::kError);
  upstream_.Script("stats", "END\r\n");
  EXPECT_EQ(StatOf(*engine, "proxy_upstream_errors"), "2");
}

TEST_F(AsyncCallsTest, ConnectRefusedFailsEachCallAsTheBlockingPathDoes) {
  auto engine = Engine(DeadAddress());
  auto async = engine->ForLoop(io_);
  std::vector<std::unique_ptr<PendingCall>> calls, blocking;
  for (auto* list : {&calls, &blocking}) {
    list->push_back(Get("k"));
    list->push_back(Set("k", "v"));
    list->push_back(std::make_unique<PendingCall>(DeleteRequest{HashedKey("k")}));
    ArithRequest create{HashedKey("k")};
    create.create_exptime = 0;
    list->push_back(std::make_unique<PendingCall>(create));
    list->push_back(Touch("k"));
  }
  EXPECT_EQ(SubmitAndRun(io_, *async, Pointers(calls)), 1);
  for (const auto& call : blocking) call->RunOn(*engine);
  for (std::size_t i = 0; i < calls.size(); ++i) ASSERT_TRUE(calls[i]->done()) << i;
  EXPECT_EQ(calls[0]->get_status(), GetStatus::kError);
  EXPECT_EQ(calls[1]->store_result().status, StoreStatus::kError);
  EXPECT_EQ(calls[2]->delete_status(), DeleteStatus::kError);
  EXPECT_EQ(calls[3]->arith_result().status, ArithStatus::kError);
  EXPECT_EQ(calls[4]->touch_status(), TouchStatus::kError);
  EXPECT_EQ(calls[0]->get_status(), blocking[0]->get_status());
  EXPECT_EQ(calls[1]->store_result().status, blocking[1]->store_result().status);
  EXPECT_EQ(calls[2]->delete_status(), blocking[2]->delete_status());
  EXPECT_EQ(calls[3]->arith_result().status, blocking[3]->arith_result().status);
  EXPECT_EQ(calls[4]->touch_status(), blocking[4]->touch_status());
  EXPECT_EQ(StatOf(*engine, "proxy_upstream_errors"), "10");  // five each way
}

TEST_F(AsyncCallsTest, AGarbledReplyFailsTheLinkAndTheNextSubmitReconnects) {
  upstream_.Script("touch", "END\r\n");  // no reply a touch can have
  upstream_.Script("gets", "END\r\n");
  auto engine = Engine(Address(upstream_.port()));
  auto async = engine->ForLoop(io_);
  std::vector<std::unique_ptr<PendingCall>> calls;
  calls.push_back(Touch("a"));
  calls.push_back(Get("b"));
  EXPECT_EQ(SubmitAndRun(io_, *async, Pointers(calls)), 1);
  EXPECT_EQ(calls[0]->touch_status(), TouchStatus::kError);
  EXPECT_EQ(calls[1]->get_status(), GetStatus::kError);  // in flight behind it
  upstream_.Script("touch", "TOUCHED\r\n");
  calls.clear();
  calls.push_back(Touch("a"));
  EXPECT_EQ(SubmitAndRun(io_, *async, Pointers(calls)), 1);
  EXPECT_EQ(calls[0]->touch_status(), TouchStatus::kTouched);
}

TEST_F(AsyncCallsTest, AnUpstreamHangingUpFailsEveryCallInFlight) {
  upstream_.HangUpOn("touch");
  auto engine = Engine(Address(upstream_.port()));
  auto async = engine->ForLoop(io_);
  std::vector<std::unique_ptr<PendingCall>> calls;
  calls.push_back(Touch("a"));
  calls.push_back(Get("b"));
  calls.push_back(Set("c", "v"));
  EXPECT_EQ(SubmitAndRun(io_, *async, Pointers(calls)), 1);
  EXPECT_EQ(calls[0]->touch_status(), TouchStatus::kError);
  EXPECT_EQ(calls[1]->get_status(), GetStatus::kError);
  EXPECT_EQ(calls[2]->store_result().status, StoreStatus::kError);
  upstream_.HangUpOn("");
  upstream_.Script("set", "STORED\r\n");
  calls.clear();
  calls.push_back(Set("c", "v"));
  EXPECT_EQ(SubmitAndRun(io_, *async, Pointers(calls)), 1);
  EXPECT_EQ(calls[0]->store_result().status, StoreStatus::kStored);
}

TEST_F(AsyncCallsTest, AnUpstreamThatNeverAnswersTimesOut) {
  testing::SilentUpstream silent;
  auto engine = Engine(Address(silent.port()), ";timeout_ms=50");
  auto async = engine->ForLoop(io_);
  std::vector<std::unique_ptr<PendingCall>> calls;
  calls.push_back(Get("k"));
  EXPECT_EQ(SubmitAndRun(io_, *async, Pointers(calls)), 1);
  EXPECT_EQ(calls[0]->get_status(), GetStatus::kError);
  EXPECT_EQ(Proxy(*async).link(0).in_flight(), 0u);
}

// A domain's move gives the engine a new client: the next Submit goes to links of the new
// list, while the calls already on the old links are answered there; the old links go once idle.
TEST_F(AsyncCallsTest, ANewClientGetsNewLinksAndTheOldOnesFinishTheirCalls) {
  FakeUpstream other;
  upstream_.Script("gets", "END\r\n");
  other.Script("gets", "VALUE k 0 1 5\r\nv\r\nEND\r\n");
  auto client_for = [](std::uint16_t port) {
    client::Options options;
    options.servers.push_back({"127.0.0.1", port});
    Result<std::unique_ptr<client::Client>> created = client::Client::Create(options);
    EXPECT_TRUE(created.ok());
    return std::shared_ptr<client::Client>(std::move(created).value());
  };
  std::shared_ptr<client::Client> current = client_for(upstream_.port());
  ProxyCounters counters;
  ProxyAsyncCalls async(io_, [&] { return current; }, counters);
  std::vector<std::unique_ptr<PendingCall>> first;
  first.push_back(Get("k"));
  CountingDone first_done;
  async.Submit(Pointers(first), first_done);  // queued on the first list's link, not yet sent
  current = client_for(other.port());
  std::vector<std::unique_ptr<PendingCall>> second;
  second.push_back(Get("k"));
  CountingDone second_done;
  async.Submit(Pointers(second), second_done);
  EXPECT_EQ(async.retired(), 1u);  // still has a call in flight
  RunUntil(io_, [&] { return first_done.count > 0 && second_done.count > 0; });
  EXPECT_EQ(first[0]->get_status(), GetStatus::kMiss);
  EXPECT_EQ(second[0]->get_status(), GetStatus::kHit);
  EXPECT_EQ(upstream_.Requests(), (std::vector<std::string>{"gets k"}));
  EXPECT_EQ(other.Requests(), (std::vector<std::string>{"gets k"}));
  std::vector<std::unique_ptr<PendingCall>> third;
  third.push_back(Get("k"));
  EXPECT_EQ(SubmitAndRun(io_, async, Pointers(third)), 1);
  EXPECT_EQ(async.retired(), 0u);  // idle, so gone
  EXPECT_EQ(other.Requests().size(), 2u);
}

}  // namespace
}  // namespace mnemo::proxy
