// The proxy engine against fake upstreams: which classic command each engine call becomes, how
// the reply is read back into the engine's result, and what an unreachable upstream yields.
#include "engines/proxy/proxy_engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "engines/proxy/fake_upstream.h"
#include "manual_clock.h"

namespace mnemo::proxy {
namespace {

using testing::FakeUpstream;

class ProxyEngineTest : public ::testing::Test {
 protected:
  std::unique_ptr<ProxyEngine> Engine(const std::string& servers) {
    Result<std::unique_ptr<ProxyEngine>> engine =
        ProxyEngine::Create(clock_, servers + ";timeout_ms=2000;connect_ms=1000");
    EXPECT_TRUE(engine.ok()) << engine.error().message;
    return std::move(*engine);
  }
  std::string Address(const FakeUpstream& upstream) {
    return "127.0.0.1:" + std::to_string(upstream.port());
  }
  // A port nobody listens on: bound, then closed.
  std::string DeadAddress() {
    FakeUpstream gone;
    return Address(gone);
  }

  mnemo::testing::ManualClock clock_;
  FakeUpstream upstream_;
};

TEST_F(ProxyEngineTest, GetSendsGetsAndReturnsFlagsAndCas) {
  upstream_.Script("gets", "VALUE k 7 2 99\r\nhi\r\nEND\r\n");
  auto engine = Engine(Address(upstream_));
  GetRequest request{HashedKey("k")};
  std::string value;
  std::uint32_t flags = 0;
  std::uint64_t cas = 0;
  EXPECT_EQ(engine->Get(request, [&](const ItemView& item) {
    value = item.value;
    flags = item.client_flags;
    cas = item.cas;
    EXPECT_EQ(item.key, "k");
  }), GetStatus::kHit);
  EXPECT_EQ(value, "hi");
  EXPECT_EQ(flags, 7u);
  EXPECT_EQ(cas, 99u);
  EXPECT_EQ(upstream_.Requests(), std::vector<std::string>{"gets k"});
  EXPECT_EQ(engine->Now(), clock_.Now());
}

TEST_F(ProxyEngineTest, TryGetDeclinesWithoutAskingAnUpstream) {
  upstream_.Script("gets", "VALUE k 0 2 5\r\nhi\r\nEND\r\n");
  auto engine = Engine(Address(upstream_));
  EXPECT_EQ(engine->TryGet(GetRequest{HashedKey("k")}, [](const ItemView&) { FAIL(); }),
            std::nullopt);
  EXPECT_TRUE(upstream_.Requests().empty());
}

TEST_F(ProxyEngineTest, GetWithTouchSendsGatsAndMissIsMiss) {
  upstream_.Script("gats", "END\r\n");
  auto engine = Engine(Address(upstream_));
  GetRequest request{HashedKey("k")};
  request.touch_exptime = 30;
  EXPECT_EQ(engine->Get(request, [](const ItemView&) { FAIL(); }), GetStatus::kMiss);
  EXPECT_EQ(upstream_.Requests(), std::vector<std::string>{"gats 30 k"});
}

TEST_F(ProxyEngineTest, StoresMapToTheirClassicCommands) {
  upstream_.Script("set", "STORED\r\n");
  upstream_.Script("cas", "EXISTS\r\n");
  upstream_.Script("add", "NOT_STORED\r\n");
  auto engine = Engine(Address(upstream_));
  StoreRequest set{HashedKey("k")};
  set.value = "abc";
  set.client_flags = 5;
  set.exptime = 60;
  EXPECT_EQ(engine->Store(set).status, StoreStatus::kStored);
  StoreRequest cas = set;
  cas.compare_cas = 12;  // a set with a CAS is a cas
  EXPECT_EQ(engine->Store(cas).status, StoreStatus::kExists);
  StoreRequest add = set;
  add.mode = StoreMode::kAdd;
  EXPECT_EQ(engine->Store(add).status, StoreStatus::kNotStored);
  EXPECT_EQ(upstream_.Requests(),
            (std::vector<std::string>{"set k 5 60 3", "abc", "cas k 5 60 3 12", "abc",
                                      "add k 5 60 3", "abc"}));
}

TEST_F(ProxyEngineTest, DeleteTouchAndArithmetic) {
  upstream_.Script("delete", "DELETED\r\n");
  upstream_.Script("touch", "NOT_FOUND\r\n");
  upstream_.Script("incr", "43\r\n");
  upstream_.Script("decr", "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n");
  auto engine = Engine(Address(upstream_));
  EXPECT_EQ(engine->Delete(DeleteRequest{HashedKey("k")}), DeleteStatus::kDeleted);
  EXPECT_EQ(engine->Touch(HashedKey("k"), 9), TouchStatus::kNotFound);
  ArithRequest incr{HashedKey("n")};
  incr.delta = 2;
  ArithResult counted = engine->Arithmetic(incr);
  EXPECT_EQ(counted.status, ArithStatus::kOk);
  EXPECT_EQ(counted.value, 43u);
  ArithRequest decr = incr;
  decr.increment = false;
  EXPECT_EQ(engine->Arithmetic(decr).status, ArithStatus::kNonNumeric);
  EXPECT_EQ(upstream_.Requests(), (std::vector<std::string>{"delete k", "touch k 9", "incr n 2",
                                                            "decr n 2"}));
}

TEST_F(ProxyEngineTest, ArithmeticCreatesOnAMissWithAnAdd) {
  upstream_.Script("incr", "NOT_FOUND\r\n");
  upstream_.Script("add", "STORED\r\n");
  auto engine = Engine(Address(upstream_));
  ArithRequest request{HashedKey("n")};
  request.create_exptime = 0;
  request.initial = 10;
  ArithResult counted = engine->Arithmetic(request);
  EXPECT_EQ(counted.status, ArithStatus::kOk);
  EXPECT_EQ(counted.value, 10u);
  EXPECT_EQ(upstream_.Requests(), (std::vector<std::string>{"incr n 1", "add n 0 0 2", "10"}));
}

TEST_F(ProxyEngineTest, ArithmeticCreateLosingTheRaceRetriesOnceThenFails) {
  upstream_.Script("incr", "NOT_FOUND\r\n");
  upstream_.Script("add", "NOT_STORED\r\n");
  auto engine = Engine(Address(upstream_));
  ArithRequest request{HashedKey("n")};
  request.create_exptime = 0;
  EXPECT_EQ(engine->Arithmetic(request).status, ArithStatus::kNotStored);
  EXPECT_EQ(upstream_.Requests().size(), 6u);  // incr, add + data, twice
}

TEST_F(ProxyEngineTest, FlushAndStatsFanOutToEveryUpstream) {
  FakeUpstream second;
  for (FakeUpstream* u : {&upstream_, &second}) {
    u->Script("flush_all", "OK\r\n");
    u->Script("stats", "STAT curr_items 3\r\nSTAT bytes 100\r\nSTAT pid 7\r\nEND\r\n");
  }
  auto engine = Engine(Address(upstream_) + "," + Address(second));
  engine->FlushAll(0);
  engine->FlushAll(20);
  std::vector<std::string> stats;
  EXPECT_TRUE(engine->Stats("", [&](std::string_view name, std::string_view value) {
    stats.push_back(std::string(name) + "=" + std::string(value));
  }));
  EXPECT_NE(std::find(stats.begin(), stats.end(), "curr_items=6"), stats.end());
  EXPECT_NE(std::find(stats.begin(), stats.end(), "bytes=200"), stats.end());
  EXPECT_NE(std::find(stats.begin(), stats.end(), "proxy_upstreams=2"), stats.end());
  for (const std::string& line : stats) EXPECT_EQ(line.find("pid"), std::string::npos);
  for (FakeUpstream* u : {&upstream_, &second}) {
    EXPECT_EQ(u->Requests(), (std::vector<std::string>{"flush_all", "flush_all 20", "stats"}));
  }
  EXPECT_TRUE(engine->Stats("items", [](std::string_view, std::string_view) { FAIL(); }));
  EXPECT_FALSE(engine->Stats("bogus", [](std::string_view, std::string_view) {}));
  int visited = 0;
  engine->ForEach([&](const ItemView&) { return ++visited > 0; });
  EXPECT_EQ(visited, 0);
}

TEST_F(ProxyEngineTest, UnreachableUpstreamGivesErrorStatusesAndCountsThem) {
  auto engine = Engine(DeadAddress());
  EXPECT_EQ(engine->Get(GetRequest{HashedKey("k")}, [](const ItemView&) { FAIL(); }),
            GetStatus::kError);
  StoreRequest set{HashedKey("k")};
  EXPECT_EQ(engine->Store(set).status, StoreStatus::kError);
  EXPECT_EQ(engine->Delete(DeleteRequest{HashedKey("k")}), DeleteStatus::kError);
  EXPECT_EQ(engine->Touch(HashedKey("k"), 1), TouchStatus::kError);
  EXPECT_EQ(engine->Arithmetic(ArithRequest{HashedKey("k")}).status, ArithStatus::kError);
  ArithRequest create{HashedKey("k")};
  create.create_exptime = 0;
  EXPECT_EQ(engine->Arithmetic(create).status, ArithStatus::kError);
  engine->FlushAll(0);
  std::string errors, unreachable;
  EXPECT_TRUE(engine->Stats("", [&](std::string_view name, std::string_view value) {
    if (name == "proxy_upstream_errors") errors = value;
    if (name == "proxy_upstreams_unreachable") unreachable = value;
  }));
  EXPECT_EQ(errors, "7");
  EXPECT_EQ(unreachable, "1");
}

TEST_F(ProxyEngineTest, ReplaceWithCasIsACasCommand) {
  upstream_.Script("cas", "NOT_FOUND\r\n");
  auto engine = Engine(Address(upstream_));
  StoreRequest replace{HashedKey("k")};
  replace.mode = StoreMode::kReplace;
  replace.value = "v";
  replace.compare_cas = 3;
  EXPECT_EQ(engine->Store(replace).status, StoreStatus::kNotFound);
  EXPECT_EQ(upstream_.Requests(), (std::vector<std::string>{"cas k 0 0 1 3", "v"}));
}

TEST_F(ProxyEngineTest, DeleteWithCasComparesFirst) {
  auto engine = Engine(Address(upstream_));
  DeleteRequest request{HashedKey("k")};
  request.compare_cas = 5;
  upstream_.Script("gets", "END\r\n");
  EXPECT_EQ(engine->Delete(request), DeleteStatus::kNotFound);
  upstream_.Script("gets", "VALUE k 0 1 6\r\nx\r\nEND\r\n");
  EXPECT_EQ(engine->Delete(request), DeleteStatus::kExists);
  upstream_.Script("gets", "VALUE k 0 1 5\r\nx\r\nEND\r\n");
  upstream_.Script("delete", "DELETED\r\n");
  EXPECT_EQ(engine->Delete(request), DeleteStatus::kDeleted);
  EXPECT_EQ(upstream_.Requests(),
            (std::vector<std::string>{"gets k", "gets k", "gets k", "delete k"}));
}

TEST_F(ProxyEngineTest, WhatClassicCommandsCannotCarryIsRefusedNotDropped) {
  auto engine = Engine(Address(upstream_));
  StoreRequest append{HashedKey("k")};
  append.mode = StoreMode::kAppend;
  append.compare_cas = 1;
  EXPECT_EQ(engine->Store(append).status, StoreStatus::kError);
  StoreRequest set{HashedKey("k")};
  set.invalidate = true;
  EXPECT_EQ(engine->Store(set).status, StoreStatus::kError);
  set = StoreRequest{HashedKey("k")};
  set.new_cas = 9;
  EXPECT_EQ(engine->Store(set).status, StoreStatus::kError);
  set = StoreRequest{HashedKey("k")};
  set.vivify_exptime = 0;
  EXPECT_EQ(engine->Store(set).status, StoreStatus::kError);
  DeleteRequest invalidate{HashedKey("k")};
  invalidate.invalidate = true;
  EXPECT_EQ(engine->Delete(invalidate), DeleteStatus::kError);
  ArithRequest arith{HashedKey("k")};
  arith.compare_cas = 2;
  EXPECT_EQ(engine->Arithmetic(arith).status, ArithStatus::kError);
  arith = ArithRequest{HashedKey("k")};
  arith.touch_exptime = 5;
  EXPECT_EQ(engine->Arithmetic(arith).status, ArithStatus::kError);
  EXPECT_TRUE(upstream_.Requests().empty());  // nothing reached the upstream
  std::string unsupported;
  upstream_.Script("stats", "END\r\n");
  EXPECT_TRUE(engine->Stats("", [&](std::string_view name, std::string_view value) {
    if (name == "proxy_unsupported") unsupported = value;
  }));
  EXPECT_EQ(unsupported, "7");
}

TEST(ProxyEngineCreate, BadSpecIsAnError) {
  mnemo::testing::ManualClock clock;
  Result<std::unique_ptr<ProxyEngine>> engine = ProxyEngine::Create(clock, "h:1;hash=nope");
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.error().message.rfind("proxy: ", 0), 0u);
}

}  // namespace
}  // namespace mnemo::proxy
