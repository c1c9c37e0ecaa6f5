// SqliteEngine::TryGet, the get a network thread may make: it answers from the memory cache
// only (a reader connection may read the file, and network workers never wait on disk), and
// declines -- with no effect at all -- whatever Get would read from the file, hand to the
// writer or wait for. And ReaderPool::TryRun, which never waits for a connection.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>

#include "engines/sqlite/reader_pool.h"
#include "engines/sqlite/sqlite_engine.h"
#include "engines/sqlite/statement.h"
#include "engines/sqlite/testing/temp_sqlite.h"
#include "manual_clock.h"

namespace mnemo {
namespace {

class SqliteTryGetTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteEngine> Open(std::string path, std::size_t cache_mb = 0) {
    SqliteEngineConfig config = sqlite::testing::ConformanceConfig(std::move(path));
    config.cache_mb = cache_mb;
    auto engine = SqliteEngine::Open(clock_, config);
    EXPECT_TRUE(engine.ok()) << (engine.ok() ? "" : engine.error().message);
    return engine.ok() ? std::move(engine).value() : nullptr;
  }
  std::unique_ptr<SqliteEngine> OpenFile(std::size_t cache_mb = 0) {
    return Open(dir_.File("items.db"), cache_mb);
  }
  static void Set(Engine& engine, const std::string& key, std::int64_t exptime = 0) {
    StoreRequest request{HashedKey(key)};
    const std::string value = "v-" + key;  // the request only views it
    request.value = value;
    request.exptime = exptime;
    ASSERT_EQ(engine.Store(request).status, StoreStatus::kStored);
  }
  // TryGet's answer, and the value it showed (nullopt: on_hit not called).
  struct Tried {
    std::optional<GetStatus> status;
    std::optional<std::string> value;
  };
  static Tried Try(Engine& engine, const GetRequest& request) {
    Tried tried;
    tried.status =
        engine.TryGet(request, [&](const ItemView& v) { tried.value = std::string(v.value); });
    return tried;
  }
  static std::uint64_t Stat(Engine& engine, const std::string& name) {
    std::map<std::string, std::string, std::less<>> stats;
    engine.Stats("", [&](std::string_view n, std::string_view v) {
      stats[std::string(n)] = std::string(v);
    });
    return std::stoull(stats.at(name));
  }

  testing::ManualClock clock_;
  sqlite::testing::TempDir dir_;
};

TEST_F(SqliteTryGetTest, WithoutTheMemoryCacheEveryGetOfTheTableIsLeftToThePool) {
  {
    auto engine = OpenFile();
    ASSERT_NE(engine, nullptr);
    Set(*engine, "k");
  }  // the close folds "k" into the table: nothing is pending after the reopen
  auto engine = OpenFile();
  ASSERT_NE(engine, nullptr);
  for (const char* key : {"k", "absent"}) {
    const Tried tried = Try(*engine, GetRequest{HashedKey(key)});
    EXPECT_EQ(tried.status, std::nullopt) << key;
    EXPECT_EQ(tried.value, std::nullopt) << key;
  }
  EXPECT_EQ(engine->Get(GetRequest{HashedKey("k")}, [](const ItemView&) {}), GetStatus::kHit);
  EXPECT_EQ(Try(*engine, GetRequest{HashedKey("k")}).status, std::nullopt);  // still not cached
}

// Until the journal is folded into the table, its changes are in memory: no reader needed.
TEST_F(SqliteTryGetTest, AChangeNotYetFoldedInIsAnsweredWithoutTheCache) {
  auto engine = OpenFile();
  ASSERT_NE(engine, nullptr);
  Set(*engine, "k");
  Tried tried = Try(*engine, GetRequest{HashedKey("k")});
  EXPECT_EQ(tried.status, GetStatus::kHit);
  EXPECT_EQ(tried.value, "v-k");
  ASSERT_EQ(engine->Delete(DeleteRequest{HashedKey("k")}), DeleteStatus::kDeleted);
  tried = Try(*engine, GetRequest{HashedKey("k")});
  EXPECT_EQ(tried.status, GetStatus::kMiss);
  EXPECT_EQ(tried.value, std::nullopt);
  EXPECT_EQ(Try(*engine, GetRequest{HashedKey("never")}).status, std::nullopt);
}

TEST_F(SqliteTryGetTest, TheMemoryCacheAnswersHotItems) {
  auto engine = OpenFile(1);
  ASSERT_NE(engine, nullptr);
  Set(*engine, "k");
  // The writer caches what it stored once it has committed: no SQLite read for it.
  std::uint64_t before = Stat(*engine, "sqlite_cache_hits");
  EXPECT_EQ(Try(*engine, GetRequest{HashedKey("k")}).value, "v-k");
  EXPECT_EQ(Stat(*engine, "sqlite_cache_hits"), before + 1);
  // A row read through a reader fills the cache too.
  ASSERT_EQ(engine->Get(GetRequest{HashedKey("k")}, [](const ItemView&) {}), GetStatus::kHit);
  ASSERT_EQ(engine->Delete(DeleteRequest{HashedKey("k")}), DeleteStatus::kDeleted);
  const Tried gone = Try(*engine, GetRequest{HashedKey("k")});  // the pending deletion answers
  EXPECT_NE(gone.status, GetStatus::kHit);
  EXPECT_EQ(gone.value, std::nullopt);
  Set(*engine, "k");
  before = Stat(*engine, "sqlite_cache_hits");
  EXPECT_EQ(Try(*engine, GetRequest{HashedKey("k")}).value, "v-k");
  EXPECT_EQ(Stat(*engine, "sqlite_cache_hits"), before + 1);
}

TEST_F(SqliteTryGetTest, DeclinesWhatTheWriterServesWithoutAnyEffect) {
  auto engine = OpenFile(1);
  ASSERT_NE(engine, nullptr);
  Set(*engine, "k");
  Set(*engine, "short", 10);
  GetRequest touch{HashedKey("k")};
  touch.touch_exptime = 100;
  GetRequest vivify{HashedKey("absent")};
  vivify.vivify_exptime = 30;
  GetRequest recache{HashedKey("short")};
  recache.recache_ttl = 30;  // 10 s left: this get would win the recache token
  for (const GetRequest* request : {&touch, &vivify, &recache}) {
    const Tried tried = Try(*engine, *request);
    EXPECT_EQ(tried.status, std::nullopt) << request->key.key();
    EXPECT_EQ(tried.value, std::nullopt) << request->key.key();
  }
  // None of them happened: no stub, the token is still to be won, the exptime unchanged.
  EXPECT_EQ(engine->Get(GetRequest{HashedKey("absent")}, [](const ItemView&) {}),
            GetStatus::kMiss);
  bool won = false;
  engine->Get(recache, [&](const ItemView& v) { won = v.win; });
  EXPECT_TRUE(won);
  clock_.Advance(20);  // past the short item's life; k never expires, as before
  ASSERT_EQ(engine->Get(GetRequest{HashedKey("k")}, [](const ItemView&) {}), GetStatus::kHit);
  EXPECT_EQ(Try(*engine, GetRequest{HashedKey("k")}).status, GetStatus::kHit);  // now cached
  // A dead row is the writer's to reclaim.
  EXPECT_EQ(Try(*engine, GetRequest{HashedKey("short")}).status, std::nullopt);
  EXPECT_EQ(engine->Get(GetRequest{HashedKey("short")}, [](const ItemView&) {}),
            GetStatus::kExpired);
}

TEST_F(SqliteTryGetTest, AMemoryDatabaseHasNoReadersAndDeclinesEveryGet) {
  auto engine = Open(":memory:");
  ASSERT_NE(engine, nullptr);
  Set(*engine, "k");
  EXPECT_EQ(Try(*engine, GetRequest{HashedKey("k")}).status, std::nullopt);
  EXPECT_EQ(Try(*engine, GetRequest{HashedKey("absent")}).status, std::nullopt);
}

TEST_F(SqliteTryGetTest, TryRunDoesNotWaitForABusyConnection) {
  const std::string path = dir_.File("items.db");
  auto engine = Open(path);  // creates the schema the reader's statements need
  ASSERT_NE(engine, nullptr);
  Result<std::unique_ptr<sqlite::Db>> db = sqlite::Db::Open(path, SQLITE_OPEN_READONLY);
  ASSERT_TRUE(db.ok());
  Result<std::unique_ptr<sqlite::RowStore>> rows = sqlite::RowStore::Prepare(**db);
  ASSERT_TRUE(rows.ok());
  std::vector<sqlite::Connection> connections;
  connections.push_back(sqlite::Connection{std::move(db).value(), std::move(rows).value()});
  sqlite::ReaderPool pool(std::move(connections));
  bool nested_ran = false;
  bool nested_taken = true;
  pool.Run([&](sqlite::RowStore&) {
    nested_taken = pool.TryRun([&](sqlite::RowStore&) { nested_ran = true; });
  });
  EXPECT_FALSE(nested_taken);
  EXPECT_FALSE(nested_ran);
  // Returned after Run: free again.
  EXPECT_TRUE(pool.TryRun([&](sqlite::RowStore&) { nested_ran = true; }));
  EXPECT_TRUE(nested_ran);
}

}  // namespace
}  // namespace mnemo
