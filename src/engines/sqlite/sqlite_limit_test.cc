// The size limit: dead rows go first, then the least recently used; with eviction off a store
// that does not fit is refused. And the background purge of expired rows.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <map>
#include <string>
#include <thread>

#include "engines/sqlite/sqlite_engine.h"
#include "engines/sqlite/testing/temp_sqlite.h"
#include "manual_clock.h"
#include "mnemo/item_rules.h"

namespace mnemo {
namespace {

constexpr std::size_t kLimit = 64 * 1024;
constexpr std::size_t kValueBytes = 1000;

std::string Key(int i) {
  std::string digits = std::to_string(i);
  return "key:" + std::string(digits.size() < 3 ? 3 - digits.size() : 0, '0') + digits;
}

class SqliteLimitTest : public ::testing::Test {
 protected:
  // How often the journal is folded into the table: the purges below are watched in the table.
  std::chrono::milliseconds journal_fold_{60'000};
  std::size_t cache_mb_ = 0;
  // Items of this test's keys and values: 61 of them fit in the limit.
  const std::size_t item_bytes_ = MemcachedItemSize(Key(0).size(), kValueBytes);
  const std::size_t capacity_ = kLimit / item_bytes_;

  std::unique_ptr<SqliteEngine> Open(bool evict, std::chrono::milliseconds purge = {},
                                     std::size_t limit = kLimit) {
    SqliteEngineConfig config = sqlite::testing::ConformanceConfig(dir_.File("items.db"));
    config.size_limit_bytes = limit;
    config.evict = evict;
    config.purge_interval = purge;
    config.journal_fold_interval = journal_fold_;
    config.cache_mb = cache_mb_;
    Result<std::unique_ptr<SqliteEngine>> engine = SqliteEngine::Open(clock_, config);
    EXPECT_TRUE(engine.ok()) << (engine.ok() ? "" : engine.error().message);
    return engine.ok() ? std::move(engine).value() : nullptr;
  }
  static StoreStatus Set(Engine& engine, int i, std::int64_t exptime = 0,
                         std::size_t value_bytes = kValueBytes) {
    const std::string key = Key(i);
    const std::string value(value_bytes, 'v');
    StoreRequest request{HashedKey(key)};
    request.value = value;
    request.exptime = exptime;
    return engine.Store(request).status;
  }
  static bool Has(Engine& engine, int i) {
    const std::string key = Key(i);
    GetRequest request{HashedKey(key)};
    request.peek = true;
    return engine.Get(request, [](const ItemView&) {}) == GetStatus::kHit;
  }
  static std::uint64_t Stat(Engine& engine, const std::string& name) {
    std::map<std::string, std::string> stats;
    engine.Stats("", [&](std::string_view n, std::string_view v) {
      stats[std::string(n)] = std::string(v);
    });
    return std::stoull(stats.at(name));
  }

  testing::ManualClock clock_;
  sqlite::testing::TempDir dir_;
};

// A store counts the size of the row it replaces wherever that row is found -- a pending
// change, the memory cache or the table -- and when it has expired.
TEST_F(SqliteLimitTest, AStoreCountsTheSizeOfTheRowItReplaces) {
  cache_mb_ = 1;
  const std::size_t key_bytes = Key(0).size();
  auto expect_one_item_of = [&](Engine& engine, std::size_t value_bytes) {
    EXPECT_EQ(Stat(engine, "curr_items"), 1u);
    EXPECT_EQ(Stat(engine, "bytes"), MemcachedItemSize(key_bytes, value_bytes));
  };
  {
    auto engine = Open(true, {}, 1 << 20);
    ASSERT_EQ(Set(*engine, 0, 0, 10), StoreStatus::kStored);
    ASSERT_EQ(Set(*engine, 0, 0, 500), StoreStatus::kStored);  // over a pending change
    expect_one_item_of(*engine, 500);
  }  // closing folds every change into the table
  {
    auto engine = Open(true, {}, 1 << 20);
    ASSERT_EQ(Set(*engine, 0, 0, 2000), StoreStatus::kStored);  // over the table's row
    expect_one_item_of(*engine, 2000);
  }
  {
    auto engine = Open(true, {}, 1 << 20);
    ASSERT_TRUE(Has(*engine, 0));  // read from the table into the memory cache
    ASSERT_GT(Stat(*engine, "sqlite_cache_items"), 0u);
    ASSERT_EQ(Set(*engine, 0, 0, 30), StoreStatus::kStored);  // over the cached row
    expect_one_item_of(*engine, 30);
    ASSERT_EQ(Set(*engine, 0, 1, 700), StoreStatus::kStored);
    clock_.Advance(2);
    ASSERT_EQ(Set(*engine, 0, 0, 40), StoreStatus::kStored);  // over an expired row
    expect_one_item_of(*engine, 40);
    // A live item makes add fail and leaves the count alone; append reads the old value.
    const std::string key = Key(0);
    const std::string more(60, 'm');
    StoreRequest add{HashedKey(key)};
    add.mode = StoreMode::kAdd;
    add.value = more;
    ASSERT_EQ(engine->Store(add).status, StoreStatus::kNotStored);
    expect_one_item_of(*engine, 40);
    StoreRequest append{HashedKey(key)};
    append.mode = StoreMode::kAppend;
    append.value = more;
    ASSERT_EQ(engine->Store(append).status, StoreStatus::kStored);
    expect_one_item_of(*engine, 100);
  }
}

// `stats items` reports the age of the least recently used item in the table, read by a
// reader connection for a file (the writer for an in-memory database).
TEST_F(SqliteLimitTest, ItemsAgeIsThatOfTheOldestAccessInTheTable) {
  journal_fold_ = std::chrono::milliseconds(1);
  for (const bool in_memory : {false, true}) {
    SqliteEngineConfig config = sqlite::testing::ConformanceConfig(
        in_memory ? std::string(":memory:") : dir_.File(std::string("age.db")));
    config.journal_fold_interval = journal_fold_;
    Result<std::unique_ptr<SqliteEngine>> opened = SqliteEngine::Open(clock_, config);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    Engine& engine = **opened;
    const std::int64_t start = clock_.Now();
    ASSERT_EQ(Set(engine, 1), StoreStatus::kStored);
    clock_.Advance(30);
    ASSERT_EQ(Set(engine, 2), StoreStatus::kStored);
    // The age is the table's: wait for the writes to be folded into it.
    for (int i = 0; i < 2000 && Stat(engine, "sqlite_journal_items") > 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_EQ(Stat(engine, "sqlite_journal_items"), 0u) << in_memory;
    clock_.Advance(5);
    std::map<std::string, std::string> items;
    engine.Stats("items", [&](std::string_view n, std::string_view v) {
      items[std::string(n)] = std::string(v);
    });
    EXPECT_EQ(items["items:1:number"], "2") << in_memory;
    EXPECT_EQ(items["items:1:age"], std::to_string(clock_.Now() - start)) << in_memory;
  }
}

// Before any fold every item is a pending change, and the table is empty: the age is theirs
// (it was the time since 1970).
TEST_F(SqliteLimitTest, ItemsAgeCountsPendingRows) {
  for (const bool in_memory : {false, true}) {
    SqliteEngineConfig config = sqlite::testing::ConformanceConfig(
        in_memory ? std::string(":memory:") : dir_.File(std::string("pending-age.db")));
    config.journal_fold_interval = std::chrono::minutes(10);
    Result<std::unique_ptr<SqliteEngine>> opened = SqliteEngine::Open(clock_, config);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    Engine& engine = **opened;
    ASSERT_EQ(Set(engine, 1), StoreStatus::kStored);
    clock_.Advance(7);
    ASSERT_EQ(Stat(engine, "sqlite_journal_items"), 1u) << in_memory;
    std::map<std::string, std::string> items;
    engine.Stats("items", [&](std::string_view n, std::string_view v) {
      items[std::string(n)] = std::string(v);
    });
    EXPECT_EQ(items["items:1:number"], "1") << in_memory;
    EXPECT_EQ(items["items:1:age"], "7") << in_memory;
  }
}

TEST_F(SqliteLimitTest, EvictsTheLeastRecentlyUsedItems) {
  ASSERT_EQ(capacity_, 61u);
  auto engine = Open(true);
  for (int i = 0; i < 50; ++i) ASSERT_EQ(Set(*engine, i), StoreStatus::kStored);
  clock_.Advance(1);
  const std::string key0 = Key(0);  // HashedKey borrows the bytes: keep them alive
  GetRequest read{HashedKey(key0)};
  ASSERT_EQ(engine->Get(read, [](const ItemView&) {}), GetStatus::kHit);  // key 0 is now recent
  clock_.Advance(1);
  for (int i = 50; i < 80; ++i) ASSERT_EQ(Set(*engine, i), StoreStatus::kStored);
  // 80 stored, 61 fit: the 19 oldest untouched ones (1..19) went, key 0 stayed.
  EXPECT_TRUE(Has(*engine, 0));
  for (int i = 1; i < 20; ++i) EXPECT_FALSE(Has(*engine, i)) << i;
  for (int i = 20; i < 80; ++i) EXPECT_TRUE(Has(*engine, i)) << i;
  EXPECT_EQ(Stat(*engine, "evictions"), 19u);
  EXPECT_EQ(Stat(*engine, "curr_items"), capacity_);
  EXPECT_LE(Stat(*engine, "bytes"), kLimit);
}

// A table larger than an eviction window: eviction samples it, and still takes the items
// nobody read, not those read since they were stored (recorded in memory, not yet folded in),
// nor those stored since -- whose keys all sort after the others, so that whole windows hold
// nothing older.
TEST_F(SqliteLimitTest, SampledEvictionTakesTheLeastRecentlyUsedItems) {
  constexpr int kItems = 1000;
  constexpr std::size_t kSmall = 100;
  auto engine = Open(true, {}, kItems * MemcachedItemSize(Key(1000).size(), kSmall));
  for (int i = 1000; i < 1000 + kItems; ++i) {
    ASSERT_EQ(Set(*engine, i, 0, kSmall), StoreStatus::kStored);
  }
  clock_.Advance(1);
  for (int i = 1000; i < 1000 + kItems; i += 2) {  // every other item is read
    const std::string key = Key(i);
    GetRequest read{HashedKey(key)};
    ASSERT_EQ(engine->Get(read, [](const ItemView&) {}), GetStatus::kHit);
  }
  clock_.Advance(1);
  for (int i = 3000; i < 3000 + kItems / 2; ++i) {
    ASSERT_EQ(Set(*engine, i, 0, kSmall), StoreStatus::kStored);
  }
  int read_kept = 0, unread_kept = 0, new_kept = 0;
  for (int i = 1000; i < 1000 + kItems; ++i) {
    ((i % 2 == 0) ? read_kept : unread_kept) += Has(*engine, i) ? 1 : 0;
  }
  for (int i = 3000; i < 3000 + kItems / 2; ++i) new_kept += Has(*engine, i) ? 1 : 0;
  // Exact LRU keeps all 500 read and 500 new items; sampling may miss a few unread ones.
  EXPECT_GE(read_kept, 475);
  EXPECT_LE(unread_kept, 25);
  EXPECT_GE(new_kept, 475);
  EXPECT_EQ(Stat(*engine, "evictions"), static_cast<std::uint64_t>(kItems / 2));
  EXPECT_EQ(Stat(*engine, "curr_items"),
            static_cast<std::uint64_t>(read_kept + unread_kept + new_kept));
}

TEST_F(SqliteLimitTest, ExpiredItemsGoBeforeLiveOnes) {
  auto engine = Open(true);
  for (int i = 0; i < 30; ++i) ASSERT_EQ(Set(*engine, i, 10), StoreStatus::kStored);
  for (int i = 30; i < 60; ++i) ASSERT_EQ(Set(*engine, i), StoreStatus::kStored);
  clock_.Advance(10);
  for (int i = 60; i < 90; ++i) ASSERT_EQ(Set(*engine, i), StoreStatus::kStored);
  for (int i = 30; i < 90; ++i) EXPECT_TRUE(Has(*engine, i)) << i;
  EXPECT_EQ(Stat(*engine, "evictions"), 0u);
  EXPECT_EQ(Stat(*engine, "curr_items"), 60u);
}

TEST_F(SqliteLimitTest, WithoutEvictionAFullEngineRefusesNewItems) {
  auto engine = Open(false);
  for (int i = 0; i < static_cast<int>(capacity_); ++i) {
    ASSERT_EQ(Set(*engine, i), StoreStatus::kStored) << i;
  }
  EXPECT_EQ(Set(*engine, 100), StoreStatus::kNoMemory);
  EXPECT_EQ(Set(*engine, 0), StoreStatus::kStored);  // replacing needs no more room
  for (int i = 0; i < static_cast<int>(capacity_); ++i) EXPECT_TRUE(Has(*engine, i)) << i;
  const std::string key5 = Key(5);  // HashedKey borrows the bytes: keep them alive
  DeleteRequest request{HashedKey(key5)};
  ASSERT_EQ(engine->Delete(request), DeleteStatus::kDeleted);
  EXPECT_EQ(Set(*engine, 100), StoreStatus::kStored);
  EXPECT_EQ(Stat(*engine, "evictions"), 0u);
}

TEST_F(SqliteLimitTest, WithoutEvictionExpiredItemsStillMakeRoom) {
  auto engine = Open(false);
  for (int i = 0; i < static_cast<int>(capacity_); ++i)
    ASSERT_EQ(Set(*engine, i, 5), StoreStatus::kStored);
  clock_.Advance(5);
  EXPECT_EQ(Set(*engine, 100), StoreStatus::kStored);
}

TEST_F(SqliteLimitTest, AnItemLargerThanTheLimitEvictsNothing) {
  auto engine = Open(true);
  for (int i = 0; i < 10; ++i) ASSERT_EQ(Set(*engine, i), StoreStatus::kStored);
  const std::string huge(kLimit, 'h');
  StoreRequest request{HashedKey("huge")};
  request.value = huge;
  EXPECT_EQ(engine->Store(request).status, StoreStatus::kNoMemory);
  EXPECT_EQ(Stat(*engine, "curr_items"), 10u);
}

// Counts rows the way the sqlite3 shell would, through a connection of its own.
std::int64_t RowsInFile(const std::string& path) {
  sqlite3* db = nullptr;
  std::int64_t rows = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, "SELECT count(*) FROM items", -1, &stmt, nullptr);
    if (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) rows = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return rows;
}

// Waits (30 s at most) for the file to hold `rows` rows, and returns how many it holds: the
// background purge runs on its own, so a test waits for the condition, not for a time.
std::int64_t AwaitRowsInFile(const std::string& path, std::int64_t rows) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (RowsInFile(path) != rows && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return RowsInFile(path);
}

TEST_F(SqliteLimitTest, BackgroundPurgeDeletesExpiredRowsInBatches) {
  journal_fold_ = std::chrono::milliseconds(1);
  auto engine = Open(true, std::chrono::milliseconds(5));
  for (int i = 0; i < 60; ++i) ASSERT_EQ(Set(*engine, i, i < 40 ? 5 : 0), StoreStatus::kStored);
  clock_.Advance(5);
  const std::string path = dir_.File("items.db");
  EXPECT_EQ(AwaitRowsInFile(path, 20), 20);
  for (int i = 40; i < 60; ++i) EXPECT_TRUE(Has(*engine, i)) << i;
}

// No index finds flushed rows: a scan of the table in bounded steps purges them, across more
// than one step, and leaves the rows stored after the flush.
TEST_F(SqliteLimitTest, BackgroundPurgeScansTheTableForFlushedRows) {
  journal_fold_ = std::chrono::milliseconds(1);
  auto engine = Open(true, std::chrono::milliseconds(5), std::size_t{1} << 30);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(Set(*engine, i, 0, 10), StoreStatus::kStored);
  engine->FlushAll(0);
  for (int i = 2000; i < 2010; ++i) ASSERT_EQ(Set(*engine, i, 0, 10), StoreStatus::kStored);
  const std::string path = dir_.File("items.db");
  EXPECT_EQ(AwaitRowsInFile(path, 10), 10);
  for (int i = 2000; i < 2010; ++i) EXPECT_TRUE(Has(*engine, i)) << i;
}

// Rows flushed before a restart are still found and purged after it.
TEST_F(SqliteLimitTest, FlushedRowsOfAnEarlierRunArePurgedAfterAReopen) {
  journal_fold_ = std::chrono::milliseconds(1);
  const std::string path = dir_.File("items.db");
  {
    auto engine = Open(true, {}, std::size_t{1} << 30);
    for (int i = 0; i < 600; ++i) ASSERT_EQ(Set(*engine, i, 0, 10), StoreStatus::kStored);
    // In the table before the flush (a close would fold flushed rows in without them).
    ASSERT_EQ(AwaitRowsInFile(path, 600), 600);
    engine->FlushAll(0);
  }
  ASSERT_EQ(RowsInFile(path), 600);
  auto engine = Open(true, std::chrono::milliseconds(5), std::size_t{1} << 30);
  EXPECT_EQ(AwaitRowsInFile(path, 0), 0);
  EXPECT_FALSE(Has(*engine, 0));
}

}  // namespace
}  // namespace mnemo
