// The AsyncCalls give the blocking calls' results: twin engines on the same clock, one driven
// through the Engine methods (as the offload pool does, one call after another), the other
// through Submit, get the same calls and must answer alike, in every configuration that
// changes who serves a get (readers, memory cache, ":memory:" on the writer only, durability
// off with its uncommitted batches).
#include <gtest/gtest.h>

#include <asio/io_context.hpp>
#include <memory>
#include <string>
#include <vector>

#include "engines/sqlite/async_test_util.h"
#include "engines/sqlite/sqlite_engine.h"
#include "engines/sqlite/testing/temp_sqlite.h"
#include "manual_clock.h"

namespace mnemo {
namespace {

using sqlite::testing::ArithCall;
using sqlite::testing::DeleteCall;
using sqlite::testing::Describe;
using sqlite::testing::GetCall;
using sqlite::testing::MakeCall;
using sqlite::testing::StoreCall;
using sqlite::testing::TouchCall;

enum class Setup { kFile, kCache, kMemory, kDurabilityOff };

class SqliteAsyncTest : public ::testing::TestWithParam<Setup> {
 protected:
  void SetUp() override {
    blocking_ = Open("blocking.db");
    async_engine_ = Open("async.db");
    ASSERT_TRUE(blocking_ && async_engine_);
    async_ = async_engine_->ForLoop(loop_);
  }
  void TearDown() override {
    async_.reset();
    async_engine_.reset();
  }

  std::unique_ptr<SqliteEngine> Open(const std::string& name) {
    SqliteEngineConfig config = sqlite::testing::ConformanceConfig(
        GetParam() == Setup::kMemory ? ":memory:" : dir_.File(name));
    if (GetParam() == Setup::kCache) config.cache_mb = 4;
    if (GetParam() == Setup::kDurabilityOff) config.durability = Durability::kOff;
    auto engine = SqliteEngine::Open(clock_, config);
    EXPECT_TRUE(engine.ok()) << (engine.ok() ? "" : engine.error().message);
    return engine.ok() ? std::move(engine).value() : nullptr;
  }

  // Makes the calls on both engines -- one Submit for all of them -- and expects the same
  // results; returns the async engine's.
  std::vector<std::string> Expect(const std::vector<MakeCall>& makers) {
    sqlite::testing::Batch batch;
    std::vector<std::string> blocking;
    for (const MakeCall& make : makers) {
      std::unique_ptr<PendingCall> call = make();
      call->RunOn(*blocking_);
      blocking.push_back(Describe(*call));
      batch.calls.push_back(make());
    }
    batch.SubmitTo(*async_);
    batch.done.Wait();
    std::vector<std::string> async;
    for (const auto& call : batch.calls) async.push_back(Describe(*call));
    EXPECT_EQ(async, blocking);
    EXPECT_EQ(batch.done.count(), 1);
    return async;
  }
  std::string Expect(const MakeCall& make) { return Expect(std::vector<MakeCall>{make}).at(0); }

  testing::ManualClock clock_;
  sqlite::testing::TempDir dir_;
  asio::io_context loop_;
  std::unique_ptr<SqliteEngine> blocking_;
  std::unique_ptr<SqliteEngine> async_engine_;
  std::unique_ptr<AsyncCalls> async_;
};

TEST_P(SqliteAsyncTest, StoresGiveTheBlockingResults) {
  Expect(StoreCall("a", "one", StoreMode::kSet, 100));
  Expect(StoreCall("a", "x", StoreMode::kAdd));
  Expect(StoreCall("b", "two", StoreMode::kAdd));
  Expect(StoreCall("c", "x", StoreMode::kReplace));
  Expect(StoreCall("a", "uno", StoreMode::kReplace));
  Expect(StoreCall("a", "-tail", StoreMode::kAppend));
  Expect(StoreCall("a", "head-", StoreMode::kPrepend));
  Expect(StoreCall("missing", "x", StoreMode::kAppend));
  Expect(StoreCall("a", "bad", StoreMode::kCas, 0, 999));
  const std::string got = Expect(GetCall("a"));
  EXPECT_NE(got.find("head-uno-tail"), std::string::npos) << got;
  // a's CAS by now: set, add b, replace, append and prepend handed out 1 to 5.
  const std::string cas = Expect(StoreCall("a", "good", StoreMode::kCas, 0, 5));
  EXPECT_NE(cas.find("store 0 "), std::string::npos) << cas;  // 0: kStored
  Expect(StoreCall("nope", "x", StoreMode::kCas, 0, 1));
  Expect(GetCall("a"));
}

TEST_P(SqliteAsyncTest, GetsGiveTheBlockingResults) {
  Expect(StoreCall("a", "one", StoreMode::kSet, 100));
  Expect(StoreCall("b", "two"));
  Expect(GetCall("a"));
  Expect(GetCall("a"));  // fetched now
  Expect(GetCall("missing"));
  Expect(GetCall("a", [](GetRequest& r) { r.bump = false; }));
  Expect(GetCall("a", [](GetRequest& r) { r.peek = true; }));
  Expect(GetCall("a", [](GetRequest& r) { r.touch_exptime = 500; }));  // gat: the writer
  Expect(GetCall("a", [](GetRequest& r) { r.recache_ttl = 1000; }));   // wins the token
  Expect(GetCall("a", [](GetRequest& r) { r.recache_ttl = 1000; }));   // sees it taken
  Expect(GetCall("v", [](GetRequest& r) { r.vivify_exptime = 30; }));  // vivifies a stub
  Expect(GetCall("v", [](GetRequest& r) { r.vivify_exptime = 30; }));
  Expect(StoreCall("e", "short", StoreMode::kSet, 10));
  clock_.Advance(20);
  Expect(GetCall("e"));  // expired: the writer reclaims the row
  Expect(GetCall("e"));
}

TEST_P(SqliteAsyncTest, AMultiGetIsOneSubmitInOrder) {
  Expect(StoreCall("a", "one"));
  Expect(StoreCall("b", "two", StoreMode::kSet, 10));
  clock_.Advance(20);
  // Readers first, then a get the writer must serve (b expired), and everything after it.
  const auto touch = [](GetRequest& r) { r.touch_exptime = 300; };
  std::vector<std::string> results =
      Expect({GetCall("a"), GetCall("missing"), GetCall("b"), GetCall("a", touch), GetCall("a"),
              GetCall("a", [](GetRequest& r) { r.peek = true; })});
  ASSERT_EQ(results.size(), 6u);
  // The get after the gat sees the new deadline, as when the calls run one by one.
  const std::string deadline = std::to_string(clock_.Now() + 300);
  EXPECT_NE(results[4].find(" " + deadline + " "), std::string::npos) << results[4];
  Expect({GetCall("a"), GetCall("a"), GetCall("a")});
}

TEST_P(SqliteAsyncTest, ArithmeticDeleteAndTouchGiveTheBlockingResults) {
  Expect(ArithCall("n", true, 1));     // not found
  Expect(ArithCall("n", true, 5, 0));  // created with the initial value
  Expect(ArithCall("n", true, 5));
  Expect(ArithCall("n", false, 100));  // floors at 0
  Expect(StoreCall("text", "abc"));
  Expect(ArithCall("text", true, 1));  // non-numeric
  Expect(TouchCall("n", 60));
  Expect(TouchCall("missing", 60));
  Expect(GetCall("n"));
  Expect(DeleteCall("n"));
  Expect(DeleteCall("n"));
  Expect(GetCall("n"));
}

TEST_P(SqliteAsyncTest, AnEmptySubmitIsDoneAtOnce) {
  sqlite::testing::Batch batch;
  batch.SubmitTo(*async_);
  EXPECT_EQ(batch.done.count(), 1);
}

INSTANTIATE_TEST_SUITE_P(Setups, SqliteAsyncTest,
                         ::testing::Values(Setup::kFile, Setup::kCache, Setup::kMemory,
                                           Setup::kDurabilityOff),
                         [](const auto& info) {
                           switch (info.param) {
                             case Setup::kFile:
                               return "File";
                             case Setup::kCache:
                               return "Cache";
                             case Setup::kMemory:
                               return "Memory";
                             case Setup::kDurabilityOff:
                               return "DurabilityOff";
                           }
                           return "";
                         });

}  // namespace
}  // namespace mnemo
