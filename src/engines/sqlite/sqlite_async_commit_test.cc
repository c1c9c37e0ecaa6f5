// The AsyncCalls' guarantees beyond the results: a write is reported only after the commit
// that holds it, concurrent Submits share commits, failed writes report the failure replies
// while reads go on, and closing the engine completes every call in flight exactly once.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <asio/io_context.hpp>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engines/sqlite/async_test_util.h"
#include "engines/sqlite/sqlite_engine.h"
#include "engines/sqlite/task_threads.h"
#include "engines/sqlite/testing/temp_sqlite.h"
#include "manual_clock.h"
#include "mnemo/item_rules.h"

namespace mnemo {
namespace {

using sqlite::testing::Batch;
using sqlite::testing::GetCall;
using sqlite::testing::StoreCall;

class SqliteAsyncCommitTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteEngine> Open(
      Durability durability, std::size_t max_file_bytes = 0,
      std::chrono::milliseconds journal_fold = std::chrono::minutes(1)) {
    SqliteEngineConfig config = sqlite::testing::ConformanceConfig(path_);
    config.journal_fold_interval = journal_fold;
    config.durability = durability;
    config.max_file_bytes = max_file_bytes;
    config.size_limit_bytes = std::size_t{1} << 30;
    auto engine = SqliteEngine::Open(clock_, config);
    EXPECT_TRUE(engine.ok()) << (engine.ok() ? "" : engine.error().message);
    return engine.ok() ? std::move(engine).value() : nullptr;
  }
  std::map<std::string, std::string> Stats(Engine& engine) {
    std::map<std::string, std::string> stats;
    engine.Stats("", [&](std::string_view name, std::string_view value) {
      stats[std::string(name)] = std::string(value);
    });
    return stats;
  }

  testing::ManualClock clock_;
  sqlite::testing::TempDir dir_;
  const std::string path_ = dir_.File("items.db");
  asio::io_context loop_;
};

// key's value as committed (the table and the journal), read as another program would.
std::string CommittedValue(const std::string& path, const std::string& key) {
  std::map<std::string, sqlite::Row> rows = sqlite::testing::CommittedRows(path);
  auto found = rows.find(key);
  return found == rows.end() ? "<none>" : found->second.value;
}

// Looks at the file from inside Done, on the engine's thread, before anyone else can.
class CommitProbe final : public CallsDone {
 public:
  CommitProbe(std::string path, std::string key) : path_(std::move(path)), key_(std::move(key)) {}
  void Done() override {
    seen_ = CommittedValue(path_, key_);
    done_.Done();
  }
  void Wait() { done_.Wait(); }
  const std::string& seen() const { return seen_; }  // after Wait()

 private:
  std::string path_, key_;
  std::string seen_;
  sqlite::testing::CountingDone done_;
};

TEST_F(SqliteAsyncCommitTest, AWriteIsDoneOnlyOnceItsTransactionHasCommitted) {
  for (Durability durability : {Durability::kNormal, Durability::kFull}) {
    auto engine = Open(durability);
    ASSERT_TRUE(engine);
    std::unique_ptr<AsyncCalls> async = engine->ForLoop(loop_);
    for (int i = 0; i < 20; ++i) {
      const std::string key = "k" + std::to_string(i), value = "v" + std::to_string(i);
      std::unique_ptr<PendingCall> call = StoreCall(key, value)();
      PendingCall* calls[] = {call.get()};
      CommitProbe probe(path_, key);
      async->Submit(calls, probe);
      probe.Wait();
      EXPECT_EQ(probe.seen(), value);
      EXPECT_EQ(call->store_result().status, StoreStatus::kStored);
    }
  }
}

TEST_F(SqliteAsyncCommitTest, SubmitsFromTwoThreadsShareCommits) {
  constexpr int kThreads = 2, kWrites = 400;
  auto engine = Open(Durability::kNormal);
  ASSERT_TRUE(engine);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      asio::io_context loop;
      std::unique_ptr<AsyncCalls> async = engine->ForLoop(loop);
      // Every write in flight at once, each its own Submit, as many connections would.
      std::vector<std::unique_ptr<Batch>> batches;
      for (int i = 0; i < kWrites; ++i) {
        const std::string key = std::to_string(t) + ":" + std::to_string(i);
        batches.push_back(std::make_unique<Batch>());
        batches.back()->calls.push_back(StoreCall(key, key)());
        batches.back()->SubmitTo(*async);
        if (i % 50 == 0) {
          batches.push_back(std::make_unique<Batch>());
          batches.back()->calls.push_back(GetCall(key)());
          batches.back()->calls.push_back(GetCall("missing")());
          batches.back()->SubmitTo(*async);
        }
      }
      for (auto& batch : batches) {
        batch->done.Wait();
        EXPECT_EQ(batch->done.count(), 1);
        for (const auto& call : batch->calls) EXPECT_TRUE(call->done());
        if (batch->calls.size() == 1) {
          EXPECT_EQ(batch->calls[0]->store_result().status, StoreStatus::kStored);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::map<std::string, std::string> stats = Stats(*engine);
  EXPECT_EQ(stats["curr_items"], std::to_string(kThreads * kWrites));
  EXPECT_LT(std::stoull(stats["sqlite_commits"]), std::uint64_t{kThreads * kWrites});
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kWrites; i += 37) {
      const std::string key = std::to_string(t) + ":" + std::to_string(i);
      EXPECT_EQ(CommittedValue(path_, key), key);
    }
  }
}

TEST_F(SqliteAsyncCommitTest, AFullFileFailsWritesWithTheStoreErrorAndReadsGoOn) {
  // The journal is folded into the table as soon as it can be.
  auto engine = Open(Durability::kNormal, 256 * 1024, std::chrono::milliseconds(1));
  ASSERT_TRUE(engine);
  std::unique_ptr<AsyncCalls> async = engine->ForLoop(loop_);
  const std::string big(8000, 'x');
  std::vector<std::string> stored;
  StoreStatus status = StoreStatus::kStored;
  for (int i = 0; i < 200 && status == StoreStatus::kStored; ++i) {
    if (i == 5) {
      // The first items reach the table while there is room (a deletion of an item still in
      // the journal needs room to journal it, like any write; one in the table frees its own).
      for (int wait = 0; wait < 1000 && Stats(*engine)["sqlite_journal_items"] != "0"; ++wait) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      ASSERT_EQ(Stats(*engine)["sqlite_journal_items"], "0");
    }
    Batch batch;
    batch.calls.push_back(StoreCall("k" + std::to_string(i), big)());
    batch.SubmitTo(*async);
    batch.done.Wait();
    status = batch.calls[0]->store_result().status;
    if (status == StoreStatus::kStored) stored.push_back("k" + std::to_string(i));
  }
  ASSERT_EQ(status, StoreStatus::kNoMemory);  // SERVER_ERROR out of memory storing object
  ASSERT_FALSE(stored.empty());
  // Creating counters until one no longer fits: incr's failure reply.
  ArithStatus arith = ArithStatus::kOk;
  for (int i = 0; i < 5000 && arith == ArithStatus::kOk; ++i) {
    Batch batch;
    batch.calls.push_back(sqlite::testing::ArithCall("counter" + std::to_string(i), true, 1, 0)());
    batch.SubmitTo(*async);
    batch.done.Wait();
    arith = batch.calls[0]->arith_result().status;
  }
  EXPECT_EQ(arith, ArithStatus::kNotStored);  // SERVER_ERROR out of memory
  // Reads go on, in one Submit as a multi-get sends them; so do writes that free room.
  Batch reads;
  for (const std::string& key : stored) reads.calls.push_back(GetCall(key)());
  reads.SubmitTo(*async);
  reads.done.Wait();
  for (const auto& call : reads.calls) {
    ASSERT_TRUE(call->item()) << call->key();
    EXPECT_EQ(call->item()->value, big);
  }
  Batch removal;
  removal.calls.push_back(sqlite::testing::DeleteCall(stored.front())());
  removal.SubmitTo(*async);
  removal.done.Wait();
  EXPECT_EQ(removal.calls[0]->delete_status(), DeleteStatus::kDeleted);
  EXPECT_NE(Stats(*engine)["sqlite_errors"], "0");
}

// Writes queued together share one transaction: more of them than the limit holds evict the
// oldest of their own, still uncommitted (no row of theirs is in the table yet).
TEST_F(SqliteAsyncCommitTest, OneTransactionOfMoreThanTheLimitEvictsItsOwnOldest) {
  SqliteEngineConfig config = sqlite::testing::ConformanceConfig(path_);
  const std::string value(1000, 'v');
  const std::size_t item = MemcachedItemSize(std::string("k00").size(), value.size());
  config.size_limit_bytes = 40 * item;
  auto opened = SqliteEngine::Open(clock_, config);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  SqliteEngine& engine = **opened;
  std::unique_ptr<AsyncCalls> async = engine.ForLoop(loop_);
  Batch batch;
  for (int i = 0; i < 100; ++i) {
    batch.calls.push_back(StoreCall("k" + std::to_string(100 + i).substr(1), value)());
  }
  batch.SubmitTo(*async);
  batch.done.Wait();
  for (const auto& call : batch.calls) {
    EXPECT_EQ(call->store_result().status, StoreStatus::kStored) << call->key();
  }
  std::map<std::string, std::string> stats = Stats(engine);
  EXPECT_LE(std::stoull(stats["curr_items"]), 40u);
  EXPECT_GE(std::stoull(stats["evictions"]), 60u);
  EXPECT_EQ(engine.Get(GetRequest{HashedKey("k99")}, [](const ItemView&) {}), GetStatus::kHit);
  EXPECT_EQ(engine.Get(GetRequest{HashedKey("k00")}, [](const ItemView&) {}), GetStatus::kMiss);
}

// While another connection holds the write lock, the writer cannot begin its transaction
// (after SQLite's busy timeout, 5 s): every kind of call reports the blocking failure reply.
TEST_F(SqliteAsyncCommitTest, AWriterThatCannotBeginFailsEveryKindOfCall) {
  auto engine = Open(Durability::kNormal);
  ASSERT_TRUE(engine);
  ASSERT_EQ(engine->Store(StoreCall("a", "one")()->store()).status, StoreStatus::kStored);
  std::unique_ptr<AsyncCalls> async = engine->ForLoop(loop_);
  sqlite3* holder = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &holder), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(holder, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  const auto gat = [](GetRequest& r) { r.touch_exptime = 100; };
  std::vector<std::unique_ptr<Batch>> batches;
  for (const sqlite::testing::MakeCall& make :
       {StoreCall("b", "two"), sqlite::testing::DeleteCall("a"),
        sqlite::testing::ArithCall("n", true, 1, 0), sqlite::testing::TouchCall("a", 100),
        GetCall("a", gat)}) {
    batches.push_back(std::make_unique<Batch>());
    batches.back()->calls.push_back(make());
    batches.back()->SubmitTo(*async);
  }
  for (auto& batch : batches) batch->done.Wait();
  EXPECT_EQ(batches[0]->calls[0]->store_result().status, StoreStatus::kNoMemory);
  EXPECT_EQ(batches[1]->calls[0]->delete_status(), DeleteStatus::kError);
  EXPECT_EQ(batches[2]->calls[0]->arith_result().status, ArithStatus::kNotStored);
  EXPECT_EQ(batches[3]->calls[0]->touch_status(), TouchStatus::kError);
  EXPECT_EQ(batches[4]->calls[0]->get_status(), GetStatus::kError);
  EXPECT_FALSE(batches[4]->calls[0]->item());
  for (auto& batch : batches) EXPECT_EQ(batch->done.count(), 1);
  ASSERT_EQ(sqlite3_exec(holder, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(holder);
  Batch after;
  after.calls.push_back(StoreCall("b", "two")());
  after.SubmitTo(*async);
  after.done.Wait();
  EXPECT_EQ(after.calls[0]->store_result().status, StoreStatus::kStored);
}

TEST_F(SqliteAsyncCommitTest, ClosingCompletesEveryCallInFlightOnce) {
  constexpr int kWrites = 300;
  std::vector<std::unique_ptr<Batch>> batches;
  {
    auto engine = Open(Durability::kNormal);
    ASSERT_TRUE(engine);
    std::unique_ptr<AsyncCalls> async = engine->ForLoop(loop_);
    for (int i = 0; i < kWrites; ++i) {
      batches.push_back(std::make_unique<Batch>());
      batches.back()->calls.push_back(StoreCall("k" + std::to_string(i), "v")());
      batches.back()->SubmitTo(*async);
      if (i % 10 == 0) {  // gets for the read threads, some of them still queued at close
        batches.push_back(std::make_unique<Batch>());
        batches.back()->calls.push_back(GetCall("k" + std::to_string(i))());
        batches.back()->calls.push_back(GetCall("k0")());
        batches.back()->SubmitTo(*async);
      }
    }
    async.reset();
  }  // the engine closes with most calls still queued
  std::vector<std::string> acknowledged;
  for (auto& batch : batches) {
    EXPECT_EQ(batch->done.count(), 1);
    for (const auto& call : batch->calls) {
      EXPECT_TRUE(call->done()) << call->key();
      if (call->kind() == PendingCall::Kind::kStore &&
          call->store_result().status == StoreStatus::kStored) {
        acknowledged.push_back(std::string(call->key()));
      }
    }
  }
  EXPECT_EQ(acknowledged.size(), std::size_t{kWrites});
  for (const std::string& key : acknowledged) EXPECT_EQ(CommittedValue(path_, key), "v") << key;
}

TEST(TaskThreadsTest, RunsEveryPostedTaskBeforeItIsGone) {
  std::atomic<int> ran{0};
  {
    sqlite::TaskThreads threads(2, "test-tasks");
    for (int i = 0; i < 1000; ++i) threads.Post([&] { ran.fetch_add(1); });
  }
  EXPECT_EQ(ran.load(), 1000);
}

}  // namespace
}  // namespace mnemo
