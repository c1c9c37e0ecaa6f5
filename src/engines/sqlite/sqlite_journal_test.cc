// The journal (journal.h): changes reach the items table through it, folded in rounds; what a
// crash leaves in it is folded in when the file is opened again.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <thread>

#include "engines/sqlite/sqlite_engine.h"
#include "engines/sqlite/testing/temp_sqlite.h"
#include "manual_clock.h"

namespace mnemo {
namespace {

using std::chrono::milliseconds;

// A single number from the file, read as another program would; -1 when it cannot be read.
std::int64_t Query(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  std::int64_t value = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
    if (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return value;
}

class SqliteJournalTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteEngine> Open(const std::string& path, milliseconds fold) {
    SqliteEngineConfig config = sqlite::testing::ConformanceConfig(path);
    config.journal_fold_interval = fold;
    config.size_limit_bytes = std::size_t{1} << 30;
    auto engine = SqliteEngine::Open(clock_, config);
    EXPECT_TRUE(engine.ok()) << (engine.ok() ? "" : engine.error().message);
    return engine.ok() ? std::move(engine).value() : nullptr;
  }
  static void Set(Engine& engine, const std::string& key, const std::string& value,
                  std::uint32_t flags = 0) {
    StoreRequest request{HashedKey(key)};
    request.value = value;
    request.client_flags = flags;
    ASSERT_EQ(engine.Store(request).status, StoreStatus::kStored) << key;
  }
  static std::uint64_t Stat(Engine& engine, const std::string& name) {
    std::map<std::string, std::string> stats;
    engine.Stats("", [&](std::string_view n, std::string_view v) {
      stats[std::string(n)] = std::string(v);
    });
    return std::stoull(stats.at(name));
  }
  // Stores keys 0..2999 (one fold step takes 1,024), overwrites every sixth and deletes every
  // tenth of them; returns what the file must hold afterwards.
  static std::map<std::string, std::string> Write(Engine& engine) {
    std::map<std::string, std::string> expected;
    for (int i = 0; i < 3000; ++i) {
      const std::string key = "key" + std::to_string(i);
      Set(engine, key, "v" + std::to_string(i), static_cast<std::uint32_t>(i));
      expected[key] = "v" + std::to_string(i);
    }
    for (int i = 0; i < 3000; i += 6) {
      const std::string key = "key" + std::to_string(i);
      Set(engine, key, "again" + std::to_string(i), static_cast<std::uint32_t>(i));
      expected[key] = "again" + std::to_string(i);
    }
    for (int i = 0; i < 3000; i += 10) {
      const std::string key = "key" + std::to_string(i);
      EXPECT_EQ(engine.Delete(DeleteRequest{HashedKey(key)}), DeleteStatus::kDeleted);
      expected.erase(key);
    }
    return expected;
  }
  static void ExpectHolds(const std::string& path, const std::map<std::string, std::string>& want) {
    std::map<std::string, sqlite::Row> rows = sqlite::testing::CommittedRows(path);
    EXPECT_EQ(rows.size(), want.size());
    for (const auto& [key, value] : want) {
      auto found = rows.find(key);
      ASSERT_NE(found, rows.end()) << key;
      EXPECT_EQ(found->second.value, value) << key;
      EXPECT_EQ(found->second.client_flags, std::stoul(key.substr(3))) << key;
    }
  }

  testing::ManualClock clock_;
  sqlite::testing::TempDir dir_;
  std::string path_ = dir_.File("items.db");
};

TEST_F(SqliteJournalTest, FoldRoundsPutEveryChangeInTheTableAndEmptyTheJournal) {
  auto engine = Open(path_, milliseconds(1));
  ASSERT_NE(engine, nullptr);
  const std::map<std::string, std::string> expected = Write(*engine);
  // Folded in the background, a bounded step at a time, while the engine serves.
  for (int i = 0; i < 1000 && Query(path_, "SELECT count(*) FROM journal") != 0; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_EQ(Query(path_, "SELECT count(*) FROM journal"), 0);
  EXPECT_EQ(Query(path_, "SELECT count(*) FROM items"), static_cast<std::int64_t>(expected.size()));
  ExpectHolds(path_, expected);
  EXPECT_EQ(Stat(*engine, "sqlite_journal_items"), 0u);
  EXPECT_EQ(Stat(*engine, "curr_items"), expected.size());
}

TEST_F(SqliteJournalTest, ChangesWaitInTheJournalAndAreServedFromMemory) {
  auto engine = Open(path_, std::chrono::hours(1));
  ASSERT_NE(engine, nullptr);
  const std::map<std::string, std::string> expected = Write(*engine);
  EXPECT_EQ(Query(path_, "SELECT count(*) FROM items"), 0);  // nothing folded yet
  EXPECT_GT(Query(path_, "SELECT count(*) FROM journal"), 0);
  ExpectHolds(path_, expected);                             // and yet all committed
  EXPECT_EQ(Stat(*engine, "sqlite_journal_items"), 3000u);  // deletions included
  EXPECT_GT(Stat(*engine, "sqlite_journal_bytes"), 3000u * 5);
  for (const auto& [key, value] : expected) {
    std::string got;
    ASSERT_EQ(engine->Get(GetRequest{HashedKey(key)}, [&](const ItemView& v) { got = v.value; }),
              GetStatus::kHit);
    EXPECT_EQ(got, value);
  }
  EXPECT_EQ(engine->Get(GetRequest{HashedKey("key0")}, [](const ItemView&) {}), GetStatus::kMiss);
  engine.reset();  // a clean close folds everything in
  EXPECT_EQ(Query(path_, "SELECT count(*) FROM journal"), 0);
  EXPECT_EQ(Query(path_, "SELECT count(*) FROM items"), static_cast<std::int64_t>(expected.size()));
  ExpectHolds(path_, expected);
}

// A copy of the file (and its WAL) taken while the engine runs is what a crash leaves behind.
TEST_F(SqliteJournalTest, AJournalLeftByACrashIsFoldedInAtOpen) {
  auto engine = Open(path_, std::chrono::hours(1));
  ASSERT_NE(engine, nullptr);
  const std::map<std::string, std::string> expected = Write(*engine);
  sqlite::testing::TempDir crashed;
  const std::string copy = crashed.File("items.db");
  std::filesystem::copy_file(path_, copy);
  std::filesystem::copy_file(path_ + "-wal", copy + "-wal");
  ASSERT_EQ(Query(copy, "SELECT count(*) FROM items"), 0);
  ASSERT_GT(Query(copy, "SELECT count(*) FROM journal"), 0);
  {
    auto reopened = Open(copy, std::chrono::hours(1));
    ASSERT_NE(reopened, nullptr);
    EXPECT_EQ(Stat(*reopened, "curr_items"), expected.size());
    EXPECT_EQ(Stat(*reopened, "sqlite_journal_items"), 0u);  // folded in before serving
    for (const auto& [key, value] : expected) {
      std::string got;
      ASSERT_EQ(
          reopened->Get(GetRequest{HashedKey(key)}, [&](const ItemView& v) { got = v.value; }),
          GetStatus::kHit);
      EXPECT_EQ(got, value);
    }
    EXPECT_EQ(reopened->Get(GetRequest{HashedKey("key10")}, [](const ItemView&) {}),
              GetStatus::kMiss);
  }
  EXPECT_EQ(Query(copy, "SELECT count(*) FROM journal"), 0);
  ExpectHolds(copy, expected);
}

TEST_F(SqliteJournalTest, ADamagedJournalRowFailsTheOpenAndChangesNothing) {
  {
    auto engine = Open(path_, std::chrono::hours(1));
    ASSERT_NE(engine, nullptr);
    Set(*engine, "kept", "v");
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(db, "INSERT INTO journal(records) VALUES (x'00ff')", nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);
  SqliteEngineConfig config = sqlite::testing::ConformanceConfig(path_);
  auto engine = SqliteEngine::Open(clock_, config);
  ASSERT_FALSE(engine.ok());
  EXPECT_NE(engine.error().message.find("journal row is damaged"), std::string::npos)
      << engine.error().message;
  EXPECT_EQ(Query(path_, "SELECT count(*) FROM journal"), 1);
  EXPECT_EQ(Query(path_, "SELECT count(*) FROM items"), 1);
}

}  // namespace
}  // namespace mnemo
