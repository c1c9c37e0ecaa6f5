// What survives closing and reopening the database: values, flags, deadlines, CAS, meta state,
// access bits and flush_all; and what happens with each durability mode.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "engines/sqlite/sqlite_engine.h"
#include "engines/sqlite/statement.h"
#include "engines/sqlite/testing/temp_sqlite.h"
#include "manual_clock.h"
#include "mnemo/item_rules.h"

namespace mnemo {
namespace {

constexpr std::int64_t kStart = 1'700'000'000;

struct Item {
  GetStatus status = GetStatus::kMiss;
  std::string value;
  std::uint32_t flags = 0;
  std::uint64_t cas = 0;
  std::int64_t deadline = 0;
  std::int64_t last_access = 0;
  bool fetched = false, stale = false, win = false, lost = false;
};

class SqlitePersistenceTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteEngine> Open(Durability durability = Durability::kNormal) {
    SqliteEngineConfig config = sqlite::testing::ConformanceConfig(path_);
    config.durability = durability;
    Result<std::unique_ptr<SqliteEngine>> engine = SqliteEngine::Open(clock_, config);
    EXPECT_TRUE(engine.ok()) << (engine.ok() ? "" : engine.error().message);
    return engine.ok() ? std::move(engine).value() : nullptr;
  }
  static StoreResult Set(Engine& engine, std::string_view key, std::string_view value,
                         std::uint32_t flags = 0, std::int64_t exptime = 0) {
    StoreRequest request{HashedKey(key)};
    request.value = value;
    request.client_flags = flags;
    request.exptime = exptime;
    return engine.Store(request);
  }
  static Item Fetch(Engine& engine, std::string_view key, bool peek = false) {
    GetRequest request{HashedKey(key)};
    request.peek = peek;
    Item item;
    item.status = engine.Get(request, [&](const ItemView& view) {
      item = Item{GetStatus::kHit,   std::string(view.value),
                  view.client_flags, view.cas,
                  view.deadline,     view.last_access,
                  view.fetched,      view.stale,
                  view.win,          view.lost};
    });
    return item;
  }

  testing::ManualClock clock_{kStart};
  sqlite::testing::TempDir dir_;
  std::string path_ = dir_.File("items.db");
};

TEST_F(SqlitePersistenceTest, ValuesFlagsDeadlinesAndCasSurviveAReopen) {
  const std::string binary(
      "\0\r\n\xff"
      "bytes",
      9);
  const std::string large(300 * 1024, 'L');
  std::map<std::string, Item> written;
  {
    auto engine = Open();
    ASSERT_TRUE(engine);
    ASSERT_EQ(Set(*engine, "binary", binary, 7, 100).status, StoreStatus::kStored);
    ASSERT_EQ(Set(*engine, "large", large, 0xffffffffu).status, StoreStatus::kStored);
    ASSERT_EQ(Set(*engine, "empty", "").status, StoreStatus::kStored);
    for (const char* key : {"binary", "large", "empty"}) written[key] = Fetch(*engine, key, true);
  }
  auto engine = Open();
  ASSERT_TRUE(engine);
  for (const auto& [key, before] : written) {
    Item after = Fetch(*engine, key, true);
    ASSERT_EQ(after.status, GetStatus::kHit) << key;
    EXPECT_EQ(after.value, before.value) << key;
    EXPECT_EQ(after.flags, before.flags) << key;
    EXPECT_EQ(after.cas, before.cas) << key;
    EXPECT_EQ(after.deadline, before.deadline) << key;
  }
  EXPECT_EQ(written["binary"].deadline, kStart + 100);
  clock_.Advance(100);
  EXPECT_EQ(Fetch(*engine, "binary").status, GetStatus::kExpired);
  EXPECT_EQ(Fetch(*engine, "large").value.size(), large.size());
}

TEST_F(SqlitePersistenceTest, CasKeepsGrowingAcrossReopens) {
  std::uint64_t before = 0;
  {
    auto engine = Open();
    before = Set(*engine, "a", "1").cas;
    DeleteRequest request{HashedKey("a")};
    ASSERT_EQ(engine->Delete(request), DeleteStatus::kDeleted);
  }
  auto engine = Open();
  EXPECT_GT(Set(*engine, "b", "2").cas, before);
}

// meta.last_cas and meta.last_seq are bounds written ahead, not rewritten by every commit; a
// reopened engine hands out CAS values above the bound.
TEST_F(SqlitePersistenceTest, CasAndSeqBoundsAreWrittenAhead) {
  auto meta = [&](const std::string& name) -> std::int64_t {
    Result<std::unique_ptr<sqlite::Db>> db = sqlite::Db::Open(path_, SQLITE_OPEN_READONLY);
    if (!db.ok()) return -1;
    Result<std::int64_t> value =
        (*db)->QueryInt(("SELECT value FROM meta WHERE name = '" + name + "'").c_str());
    return value.ok() ? *value : -1;
  };
  std::uint64_t first = 0;
  std::int64_t bound = 0;
  {
    auto engine = Open();
    first = Set(*engine, "a", "1").cas;
    bound = meta("last_cas");
    EXPECT_GT(bound, static_cast<std::int64_t>(first));
    const std::int64_t seq_bound = meta("last_seq");
    EXPECT_GT(seq_bound, 0);
    for (int i = 0; i < 10; ++i) Set(*engine, "b", "2");  // ten more commits
    EXPECT_EQ(meta("last_cas"), bound);
    EXPECT_EQ(meta("last_seq"), seq_bound);
  }
  auto engine = Open();
  EXPECT_GT(Set(*engine, "c", "3").cas, static_cast<std::uint64_t>(bound));
}

TEST_F(SqlitePersistenceTest, AccessBitsAndMetaStateSurvive) {
  {
    auto engine = Open();
    Set(*engine, "read", "v");
    Set(*engine, "stale", "v");
    clock_.Advance(5);
    EXPECT_FALSE(Fetch(*engine, "read").fetched);  // a reader records this access in memory
    DeleteRequest invalidate{HashedKey("stale")};
    invalidate.invalidate = true;
    ASSERT_EQ(engine->Delete(invalidate), DeleteStatus::kDeleted);
    EXPECT_TRUE(Fetch(*engine, "stale").win);
  }
  auto engine = Open();
  Item read = Fetch(*engine, "read", true);
  EXPECT_TRUE(read.fetched);
  EXPECT_EQ(read.last_access, kStart + 5);
  Item stale = Fetch(*engine, "stale", true);
  EXPECT_TRUE(stale.stale);
  EXPECT_TRUE(stale.lost);  // the token was handed out before the restart
}

// Bit 3 of the state column (docs/sqlite-schema.md), kept through the fetched bit that readers
// fold in later.
TEST_F(SqlitePersistenceTest, BinaryKeyBitSurvivesAReopen) {
  {
    auto engine = Open();
    StoreRequest request{HashedKey("bin")};
    request.value = "v";
    request.binary_key = true;
    ASSERT_EQ(engine->Store(request).status, StoreStatus::kStored);
    Set(*engine, "plain", "v");
    EXPECT_FALSE(Fetch(*engine, "bin").fetched);
  }
  auto engine = Open();
  auto binary_key = [&](std::string_view key) {
    GetRequest request{HashedKey(key)};
    request.peek = true;
    bool binary = false;
    engine->Get(request, [&](const ItemView& view) { binary = view.binary_key; });
    return binary;
  };
  EXPECT_TRUE(binary_key("bin"));
  EXPECT_TRUE(Fetch(*engine, "bin", true).fetched);
  EXPECT_FALSE(binary_key("plain"));
}

TEST_F(SqlitePersistenceTest, FlushAllSurvivesAReopen) {
  {
    auto engine = Open();
    Set(*engine, "old", "v");
    engine->FlushAll(0);
    Set(*engine, "new", "v");
    Set(*engine, "later", "v");
    engine->FlushAll(100);  // pending: everything so far goes at kStart + 99
  }
  auto engine = Open();
  // Flushed and maybe purged already (a close folds the journal in without dead rows).
  EXPECT_NE(Fetch(*engine, "old").status, GetStatus::kHit);
  EXPECT_EQ(Fetch(*engine, "new").status, GetStatus::kHit);
  clock_.Advance(99);
  EXPECT_EQ(Fetch(*engine, "later").status, GetStatus::kFlushed);
  Set(*engine, "after", "v");
  clock_.Advance(1);
  EXPECT_EQ(Fetch(*engine, "after").status, GetStatus::kFlushed);  // stored at the moment
  Set(*engine, "fresh", "v");
  EXPECT_EQ(Fetch(*engine, "fresh").status, GetStatus::kHit);
}

TEST_F(SqlitePersistenceTest, ItemCountsAreRestored) {
  {
    auto engine = Open();
    for (int i = 0; i < 50; ++i) Set(*engine, "k" + std::to_string(i), std::string(i, 'x'));
  }
  auto engine = Open();
  std::map<std::string, std::string> stats;
  engine->Stats("", [&](std::string_view name, std::string_view value) {
    stats[std::string(name)] = std::string(value);
  });
  EXPECT_EQ(stats["curr_items"], "50");
  std::uint64_t bytes = 0;
  for (int i = 0; i < 50; ++i) bytes += MemcachedItemSize(("k" + std::to_string(i)).size(), i);
  EXPECT_EQ(stats["bytes"], std::to_string(bytes));
}

// Durability off acknowledges before the commit; a client still reads its own writes, and a
// clean close commits everything.
TEST_F(SqlitePersistenceTest, DurabilityOffReadsItsOwnWritesAndCommitsOnClose) {
  constexpr int kThreads = 4, kPerThread = 200;
  {
    auto engine = Open(Durability::kOff);
    std::vector<std::thread> threads;
    std::atomic<int> mismatches{0};
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          const std::string key = "t" + std::to_string(t) + ":" + std::to_string(i);
          Set(*engine, key, key);
          if (Fetch(*engine, key).value != key) ++mismatches;
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(mismatches.load(), 0);
  }
  auto engine = Open(Durability::kFull);
  int found = 0;
  engine->ForEach([&](const ItemView& view) {
    found += view.key == view.value ? 1 : 0;
    return true;
  });
  EXPECT_EQ(found, kThreads * kPerThread);
}

}  // namespace
}  // namespace mnemo
