// Group commit: concurrent writers share transactions, and every acknowledged write is there.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "engines/sqlite/sqlite_engine.h"
#include "engines/sqlite/testing/temp_sqlite.h"
#include "manual_clock.h"

namespace mnemo {
namespace {

class SqliteGroupCommitTest : public ::testing::TestWithParam<Durability> {
 protected:
  std::map<std::string, std::string> Stats(Engine& engine) {
    std::map<std::string, std::string> stats;
    engine.Stats("", [&](std::string_view name, std::string_view value) {
      stats[std::string(name)] = std::string(value);
    });
    return stats;
  }

  testing::ManualClock clock_;
  sqlite::testing::TempDir dir_;
};

TEST_P(SqliteGroupCommitTest, ConcurrentWritesShareTransactions) {
  constexpr int kThreads = 16, kPerThread = 100;
  SqliteEngineConfig config = sqlite::testing::ConformanceConfig(dir_.File("items.db"));
  config.durability = GetParam();
  auto opened = SqliteEngine::Open(clock_, config);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  SqliteEngine& engine = **opened;
  std::atomic<int> acknowledged{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string key = std::to_string(t) + ":" + std::to_string(i);
        StoreRequest request{HashedKey(key)};
        request.value = key;
        if (engine.Store(request).status == StoreStatus::kStored) ++acknowledged;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_EQ(acknowledged.load(), kThreads * kPerThread);
  std::map<std::string, std::string> stats = Stats(engine);
  const std::uint64_t commits = std::stoull(stats["sqlite_commits"]);
  const std::uint64_t writes = std::stoull(stats["sqlite_write_ops"]);
  EXPECT_GE(writes, std::uint64_t{kThreads * kPerThread});
  EXPECT_GT(commits, 0u);
  EXPECT_LT(commits, std::uint64_t{kThreads * kPerThread});
  EXPECT_EQ(stats["curr_items"], std::to_string(kThreads * kPerThread));
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      const std::string key = std::to_string(t) + ":" + std::to_string(i);
      std::string value;
      engine.Get(GetRequest{HashedKey(key)}, [&](const ItemView& v) { value = v.value; });
      EXPECT_EQ(value, key);
    }
  }
}

// With durability full each acknowledgement waits for a sync of the WAL that started after its
// commit (syncer.h): one store at a time, so each needs a sync of its own. With normal, the
// commits are not synced at all.
TEST_P(SqliteGroupCommitTest, FullAcknowledgesAWriteOnlyAfterSyncingTheWal) {
  constexpr int kWrites = 10;
  SqliteEngineConfig config = sqlite::testing::ConformanceConfig(dir_.File("items.db"));
  config.durability = GetParam();
  auto opened = SqliteEngine::Open(clock_, config);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  SqliteEngine& engine = **opened;
  std::uint64_t syncs = 0;
  for (int i = 0; i < kWrites; ++i) {
    const std::string key = "k" + std::to_string(i);  // HashedKey only views it
    StoreRequest request{HashedKey(key)};
    request.value = "v";
    ASSERT_EQ(engine.Store(request).status, StoreStatus::kStored);
    const std::uint64_t now = std::stoull(Stats(engine)["sqlite_wal_syncs"]);
    if (GetParam() == Durability::kFull) {
      EXPECT_GT(now, syncs) << "write " << i << " acknowledged without a sync";
    } else {
      EXPECT_EQ(now, 0u);
    }
    syncs = now;
  }
  EXPECT_EQ(Stats(engine)["sqlite_errors"], "0");
}

// ":memory:" has no file and no WAL: nothing to sync, whatever the durability.
TEST_P(SqliteGroupCommitTest, AnInMemoryDatabaseHasNoWalToSync) {
  SqliteEngineConfig config = sqlite::testing::ConformanceConfig(":memory:");
  config.durability = GetParam();
  auto opened = SqliteEngine::Open(clock_, config);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  SqliteEngine& engine = **opened;
  StoreRequest request{HashedKey("k")};
  request.value = "v";
  ASSERT_EQ(engine.Store(request).status, StoreStatus::kStored);
  std::string value;
  engine.Get(GetRequest{HashedKey("k")}, [&](const ItemView& v) { value = v.value; });
  EXPECT_EQ(value, "v");
  EXPECT_EQ(Stats(engine)["sqlite_wal_syncs"], "0");
  EXPECT_EQ(Stats(engine)["sqlite_errors"], "0");
}

INSTANTIATE_TEST_SUITE_P(Durabilities, SqliteGroupCommitTest,
                         ::testing::Values(Durability::kNormal, Durability::kFull),
                         [](const auto& info) {
                           return info.param == Durability::kNormal ? "Normal" : "Full";
                         });

}  // namespace
}  // namespace mnemo
