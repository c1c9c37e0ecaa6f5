// The memory cache in front of SQLite: it serves hot gets, and it never serves what the table
// no longer holds (a pending change of the key is read first; folding it replaces or drops the
// cached row).
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

class SqliteCacheTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteEngine> Open(std::size_t limit = 64 << 20, std::size_t max_file = 0,
                                     Durability durability = Durability::kNormal,
                                     std::chrono::milliseconds journal_fold = {}) {
    SqliteEngineConfig config = sqlite::testing::ConformanceConfig(dir_.File("items.db"));
    config.durability = durability;
    if (journal_fold.count() > 0) config.journal_fold_interval = journal_fold;
    config.cache_mb = 1;
    config.size_limit_bytes = limit;
    config.max_file_bytes = max_file;
    auto engine = SqliteEngine::Open(clock_, config);
    EXPECT_TRUE(engine.ok()) << (engine.ok() ? "" : engine.error().message);
    return engine.ok() ? std::move(engine).value() : nullptr;
  }
  static StoreStatus Set(Engine& engine, const std::string& key, const std::string& value) {
    StoreRequest request{HashedKey(key)};
    request.value = value;
    return engine.Store(request).status;
  }
  static std::optional<std::string> Get(Engine& engine, const std::string& key) {
    std::optional<std::string> value;
    engine.Get(GetRequest{HashedKey(key)},
               [&](const ItemView& v) { value = std::string(v.value); });
    return value;
  }
  static std::uint64_t Stat(Engine& engine, const std::string& name) {
    std::map<std::string, std::string> stats;
    engine.Stats("", [&](std::string_view n, std::string_view v) {
      stats[std::string(n)] = std::string(v);
    });
    return std::stoull(stats.at(name));
  }

  // Waits (up to 10 s) until the writer has folded every pending change into the table.
  static bool WaitForFold(Engine& engine) {
    for (int i = 0; i < 1000 && Stat(engine, "sqlite_journal_items") != 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return Stat(engine, "sqlite_journal_items") == 0;
  }

  void ConcurrentChangesOfACachedKey(Durability durability);

  testing::ManualClock clock_;
  sqlite::testing::TempDir dir_;
};

TEST_F(SqliteCacheTest, RepeatedGetsAreServedFromMemory) {
  auto engine = Open();
  ASSERT_EQ(Set(*engine, "k", "v1"), StoreStatus::kStored);
  EXPECT_EQ(Get(*engine, "k"), "v1");  // a reader fills the cache
  EXPECT_EQ(Get(*engine, "k"), "v1");
  EXPECT_GE(Stat(*engine, "sqlite_cache_hits"), 1u);
  ASSERT_EQ(Set(*engine, "k", "v2"), StoreStatus::kStored);
  EXPECT_EQ(Get(*engine, "k"), "v2");
  DeleteRequest request{HashedKey("k")};
  ASSERT_EQ(engine->Delete(request), DeleteStatus::kDeleted);
  EXPECT_EQ(Get(*engine, "k"), std::nullopt);
}

// What a store wrote is served from memory (its pending change) once the commit holds it, and
// only then: a store the file refuses leaves the value it replaced neither changed nor stale.
TEST_F(SqliteCacheTest, StoresAreServedFromMemoryOnlyOnceCommitted) {
  auto engine = Open(std::size_t{1} << 30, 256 * 1024);
  ASSERT_EQ(Set(*engine, "k", "old"), StoreStatus::kStored);
  const std::uint64_t hits = Stat(*engine, "sqlite_cache_hits");
  EXPECT_EQ(Get(*engine, "k"), "old");
  EXPECT_EQ(Stat(*engine, "sqlite_cache_hits"), hits + 1);  // no reader needed
  const std::string big(8000, 'x');
  StoreStatus status = StoreStatus::kStored;
  for (int i = 0; i < 200 && status == StoreStatus::kStored; ++i) {
    status = Set(*engine, "fill" + std::to_string(i), big);
  }
  ASSERT_EQ(status, StoreStatus::kNoMemory);  // the file is full
  EXPECT_EQ(Set(*engine, "k", big + big), StoreStatus::kNoMemory);
  EXPECT_EQ(Get(*engine, "k"), "old");
  EXPECT_EQ(Get(*engine, "k"), "old");
}

// A row is held once: pending until folded, then cached (the fold caches what it wrote, and a
// folded deletion drops the cached row, which the pending deletion hid until then).
TEST_F(SqliteCacheTest, AWriteIsServedFromItsPendingChangeNotCached) {
  auto engine = Open();  // the default fold interval, a minute: nothing is folded meanwhile
  ASSERT_EQ(Set(*engine, "k", "v1"), StoreStatus::kStored);
  EXPECT_EQ(Stat(*engine, "sqlite_journal_items"), 1u);
  EXPECT_EQ(Stat(*engine, "sqlite_cache_items"), 0u);
  const std::uint64_t hits = Stat(*engine, "sqlite_cache_hits");
  EXPECT_EQ(Get(*engine, "k"), "v1");
  EXPECT_EQ(Stat(*engine, "sqlite_cache_hits"), hits + 1);  // from memory, no reader
}

TEST_F(SqliteCacheTest, AFoldedRowMovesFromThePendingChangesToTheCache) {
  auto engine = Open(64 << 20, 0, Durability::kNormal, std::chrono::milliseconds(1));
  ASSERT_EQ(Set(*engine, "k", "v1"), StoreStatus::kStored);
  EXPECT_EQ(Get(*engine, "k"), "v1");
  ASSERT_TRUE(WaitForFold(*engine));
  EXPECT_EQ(Stat(*engine, "sqlite_cache_items"), 1u);
  std::uint64_t hits = Stat(*engine, "sqlite_cache_hits");
  EXPECT_EQ(Get(*engine, "k"), "v1");
  EXPECT_EQ(Stat(*engine, "sqlite_cache_hits"), hits + 1);
  // A newer value hides the cached one at once, then replaces it.
  ASSERT_EQ(Set(*engine, "k", "v2"), StoreStatus::kStored);
  EXPECT_EQ(Get(*engine, "k"), "v2");
  ASSERT_TRUE(WaitForFold(*engine));
  EXPECT_EQ(Get(*engine, "k"), "v2");
  DeleteRequest request{HashedKey("k")};
  ASSERT_EQ(engine->Delete(request), DeleteStatus::kDeleted);
  EXPECT_EQ(Get(*engine, "k"), std::nullopt);
  ASSERT_TRUE(WaitForFold(*engine));
  EXPECT_EQ(Stat(*engine, "sqlite_cache_items"), 0u);
  EXPECT_EQ(Get(*engine, "k"), std::nullopt);
  hits = Stat(*engine, "sqlite_cache_hits");
  EXPECT_EQ(Get(*engine, "k"), std::nullopt);  // a reader's miss: nothing in memory
  EXPECT_EQ(Stat(*engine, "sqlite_cache_hits"), hits);
}

TEST_F(SqliteCacheTest, AnEvictedItemIsNotServedFromTheCache) {
  auto engine = Open(64 * 1024);
  const std::string value(1000, 'v');
  ASSERT_EQ(Set(*engine, "first", value), StoreStatus::kStored);
  GetRequest peek{HashedKey("first")};
  peek.peek = true;  // fills the cache without making "first" recently used
  ASSERT_EQ(engine->Get(peek, [](const ItemView&) {}), GetStatus::kHit);
  for (int i = 0; i < 100; ++i)
    ASSERT_EQ(Set(*engine, "k" + std::to_string(i), value), StoreStatus::kStored);
  EXPECT_GT(Stat(*engine, "evictions"), 0u);
  EXPECT_EQ(Get(*engine, "first"), std::nullopt);
}

// Each thread overwrites its own keys and reads them back at once: a stale cached row would
// show an older value.
TEST_F(SqliteCacheTest, ReadersAlwaysSeeTheLastAcknowledgedWrite) {
  auto engine = Open();
  constexpr int kThreads = 8, kRounds = 200, kKeys = 4;
  std::atomic<int> stale{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        const std::string key = "t" + std::to_string(t) + "k" + std::to_string(round % kKeys);
        const std::string value = std::to_string(round);
        if (Set(*engine, key, value) != StoreStatus::kStored) ++stale;
        if (Get(*engine, key) != value) ++stale;
        if (Get(*engine, key) != value) ++stale;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(stale.load(), 0);
  EXPECT_GT(Stat(*engine, "sqlite_cache_hits"), 0u);
}

// Writes that share a transaction see each other: the writer reads a key the transaction
// changed from the table, never the committed row the cache holds.
TEST_F(SqliteCacheTest, ConcurrentChangesOfACachedKeyAreAllKept) {
  for (Durability durability : {Durability::kNormal, Durability::kOff}) {
    SCOPED_TRACE(durability == Durability::kOff ? "off" : "normal");
    ConcurrentChangesOfACachedKey(durability);
  }
}

void SqliteCacheTest::ConcurrentChangesOfACachedKey(Durability durability) {
  auto engine = Open(64 << 20, 0, durability);
  ASSERT_EQ(Set(*engine, "list", ""), StoreStatus::kStored);
  ASSERT_EQ(Set(*engine, "counter", "0"), StoreStatus::kStored);
  ASSERT_EQ(Get(*engine, "list"), "");  // both cached
  ASSERT_EQ(Get(*engine, "counter"), "0");
  constexpr int kThreads = 16, kEach = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        StoreRequest append{HashedKey("list")};
        append.mode = StoreMode::kAppend;
        append.value = "x";
        EXPECT_EQ(engine->Store(append).status, StoreStatus::kStored);
        ArithRequest incr{HashedKey("counter")};
        incr.delta = 1;
        EXPECT_EQ(engine->Arithmetic(incr).status, ArithStatus::kOk);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(Get(*engine, "list"), std::string(kThreads * kEach, 'x'));
  EXPECT_EQ(Get(*engine, "counter"), std::to_string(kThreads * kEach));
  EXPECT_LT(Stat(*engine, "sqlite_commits"), std::uint64_t{2 * kThreads * kEach});
}

}  // namespace
}  // namespace mnemo
