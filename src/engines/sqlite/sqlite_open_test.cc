// Open() on files it must refuse: each gets one clear error, never a crash.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "engines/sqlite/schema.h"
#include "engines/sqlite/sqlite_engine.h"
#include "engines/sqlite/testing/temp_sqlite.h"
#include "manual_clock.h"

namespace mnemo {
namespace {

class SqliteOpenTest : public ::testing::Test {
 protected:
  Result<std::unique_ptr<SqliteEngine>> Open(const std::string& path) {
    SqliteEngineConfig config = sqlite::testing::ConformanceConfig(path);
    return SqliteEngine::Open(clock_, config);
  }
  // The error of a failed Open, or a note that it succeeded.
  std::string OpenError(const std::string& path) {
    Result<std::unique_ptr<SqliteEngine>> engine = Open(path);
    return engine.ok() ? "opened" : engine.error().message;
  }
  void Write(const std::string& path, const std::string& bytes, std::streamoff at = 0) {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    if (!file) file.open(path, std::ios::out | std::ios::binary);
    file.seekp(at);
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  // Runs SQL on the file with the plain SQLite API, as another program would.
  void RunSql(const std::string& path, const char* sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  // A closed mnemo database with `items` items of 1000 bytes.
  void MakeDatabase(const std::string& path, int items) {
    auto engine = Open(path);
    ASSERT_TRUE(engine.ok()) << engine.error().message;
    for (int i = 0; i < items; ++i) {
      const std::string key = "key" + std::to_string(i);
      const std::string value(1000, static_cast<char>('a' + i % 26));
      StoreRequest request{HashedKey(key)};
      request.value = value;
      ASSERT_EQ((*engine)->Store(request).status, StoreStatus::kStored);
    }
  }

  testing::ManualClock clock_;
  sqlite::testing::TempDir dir_;
  std::string path_ = dir_.File("items.db");
};

TEST_F(SqliteOpenTest, CreatesANewFileAndAcceptsAnEmptyOne) {
  EXPECT_EQ(OpenError(path_), "opened");
  const std::string empty = dir_.File("empty.db");
  Write(empty, "");
  EXPECT_EQ(OpenError(empty), "opened");
  EXPECT_EQ(OpenError(path_), "opened");  // and reopens what it created
}

TEST_F(SqliteOpenTest, RefusesAFileThatIsNotSqlite) {
  Write(path_, "VALUE k 0 5\r\nhello\r\nEND\r\n and more text that is surely not a database");
  const std::string error = OpenError(path_);
  EXPECT_NE(error.find("sqlite engine: " + path_ + ": "), std::string::npos) << error;
  EXPECT_NE(error.find("not a SQLite database"), std::string::npos) << error;
}

TEST_F(SqliteOpenTest, RefusesAnotherApplicationsDatabase) {
  RunSql(path_, "CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT)");
  const std::string error = OpenError(path_);
  EXPECT_NE(error.find("another application"), std::string::npos) << error;
}

TEST_F(SqliteOpenTest, RefusesANewerSchemaVersion) {
  MakeDatabase(path_, 1);
  const std::string newer = std::to_string(sqlite::kSchemaVersion + 1);
  RunSql(path_, ("PRAGMA user_version = " + newer).c_str());
  const std::string error = OpenError(path_);
  EXPECT_NE(error.find("schema version " + newer + " is newer"), std::string::npos) << error;
}

// A file written by a build of schema version 1 (its DDL as that build created it): rows,
// CAS, flags, deadlines, access state and the meta table carry over to the current schema.
TEST_F(SqliteOpenTest, MigratesAVersion1File) {
  RunSql(path_, R"sql(
    CREATE TABLE items (seq INTEGER PRIMARY KEY, key BLOB NOT NULL, flags INTEGER NOT NULL,
      exptime INTEGER NOT NULL, cas INTEGER NOT NULL, last_access INTEGER NOT NULL,
      stored_at INTEGER NOT NULL, state INTEGER NOT NULL, value BLOB NOT NULL);
    CREATE UNIQUE INDEX items_key ON items(key);
    CREATE INDEX items_exptime ON items(exptime) WHERE exptime != 0;
    CREATE INDEX items_lru ON items(last_access);
    CREATE TABLE meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
    INSERT INTO items VALUES (3, CAST('old' AS BLOB), 7, 0, 41, 1700000000, 1700000000, 1,
                              CAST('kept' AS BLOB));
    INSERT INTO items VALUES (5, CAST('ttl' AS BLOB), 0, 4000000000, 42, 1700000001,
                              1700000001, 0, CAST('later' AS BLOB));
    INSERT INTO meta VALUES ('last_cas', 42), ('last_seq', 5);
    PRAGMA application_id = 1299082607;
    PRAGMA user_version = 1;
  )sql");
  {
    auto engine = Open(path_);
    ASSERT_TRUE(engine.ok()) << engine.error().message;
    GetRequest peek{HashedKey("old")};
    peek.peek = true;
    std::string value;
    std::uint32_t flags = 0;
    std::uint64_t cas = 0;
    bool fetched = false;
    ASSERT_EQ((*engine)->Get(peek,
                             [&](const ItemView& view) {
                               value = std::string(view.value);
                               flags = view.client_flags;
                               cas = view.cas;
                               fetched = view.fetched;
                             }),
              GetStatus::kHit);
    EXPECT_EQ(value, "kept");
    EXPECT_EQ(flags, 7u);
    EXPECT_EQ(cas, 41u);
    EXPECT_TRUE(fetched);
    GetRequest ttl{HashedKey("ttl")};
    std::int64_t deadline = 0;
    ASSERT_EQ((*engine)->Get(ttl, [&](const ItemView& view) { deadline = view.deadline; }),
              GetStatus::kHit);
    EXPECT_EQ(deadline, 4000000000);
    StoreRequest store{HashedKey("new")};
    store.value = "v";
    EXPECT_GT((*engine)->Store(store).cas, 42u);  // meta.last_cas carried over
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  auto text = [&](const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    std::string out;
    sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      const unsigned char* column = sqlite3_column_text(stmt, 0);
      out += column == nullptr ? "NULL" : reinterpret_cast<const char*>(column);
      out += ";";
    }
    sqlite3_finalize(stmt);
    return out;
  };
  EXPECT_EQ(text("PRAGMA user_version"), std::to_string(sqlite::kSchemaVersion) + ";");
  EXPECT_EQ(text("SELECT name FROM sqlite_schema WHERE type != 'table' OR name != 'meta' "
                 "ORDER BY name"),
            "items;items_exptime;journal;");
  EXPECT_NE(text("SELECT sql FROM sqlite_schema WHERE name = 'items'").find("WITHOUT ROWID"),
            std::string::npos);
  EXPECT_EQ(text("SELECT CAST(key AS TEXT) FROM items ORDER BY key"), "new;old;ttl;");
  sqlite3_close(db);
}

// A file of schema version 2 (its DDL as that build created it) gains the journal table; its
// rows stay where they are.
TEST_F(SqliteOpenTest, MigratesAVersion2File) {
  RunSql(path_, R"sql(
    CREATE TABLE items (key BLOB PRIMARY KEY, seq INTEGER NOT NULL, flags INTEGER NOT NULL,
      exptime INTEGER NOT NULL, cas INTEGER NOT NULL, last_access INTEGER NOT NULL,
      stored_at INTEGER NOT NULL, state INTEGER NOT NULL, value BLOB NOT NULL) WITHOUT ROWID;
    CREATE INDEX items_exptime ON items(exptime) WHERE exptime != 0;
    CREATE TABLE meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
    INSERT INTO items VALUES (CAST('old' AS BLOB), 3, 7, 0, 41, 1700000000, 1700000000, 0,
                              CAST('kept' AS BLOB));
    INSERT INTO meta VALUES ('last_cas', 42), ('last_seq', 3);
    PRAGMA application_id = 1299082607;
    PRAGMA user_version = 2;
  )sql");
  {
    auto engine = Open(path_);
    ASSERT_TRUE(engine.ok()) << engine.error().message;
    std::string value;
    ASSERT_EQ((*engine)->Get(GetRequest{HashedKey("old")},
                             [&](const ItemView& view) { value = std::string(view.value); }),
              GetStatus::kHit);
    EXPECT_EQ(value, "kept");
    StoreRequest store{HashedKey("new")};
    store.value = "v";
    EXPECT_GT((*engine)->Store(store).cas, 42u);
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT (SELECT user_version FROM pragma_user_version), "
                               "(SELECT count(*) FROM journal), (SELECT count(*) FROM items)",
                               -1, &stmt, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int64(stmt, 0), sqlite::kSchemaVersion);
  EXPECT_EQ(sqlite3_column_int64(stmt, 1), 0);  // folded in at the close
  EXPECT_EQ(sqlite3_column_int64(stmt, 2), 2);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST_F(SqliteOpenTest, RefusesACorruptDatabase) {
  MakeDatabase(path_, 300);
  RunSql(path_, "VACUUM");  // the journal's freed pages go: the table fills the file
  // Keep the header page; overwrite table and index pages in the middle of the file.
  Write(path_, std::string(64 * 1024, '\x5a'), 8 * 4096);
  const std::string error = OpenError(path_);
  EXPECT_NE(error.find("sqlite engine: " + path_), std::string::npos) << error;
  EXPECT_TRUE(error.find("corrupt") != std::string::npos ||
              error.find("malformed") != std::string::npos)
      << error;
}

TEST_F(SqliteOpenTest, RefusesADamagedHeaderPage) {
  MakeDatabase(path_, 10);
  Write(path_, std::string(4000, '\x01'), 16);  // SQLite's magic stays, the rest is noise
  const std::string error = OpenError(path_);
  EXPECT_NE(error.find("sqlite engine: " + path_), std::string::npos) << error;
  EXPECT_NE(error.find("corrupt"), std::string::npos) << error;
}

TEST_F(SqliteOpenTest, RefusesAFileAnotherEngineHasOpen) {
  auto first = Open(path_);
  ASSERT_TRUE(first.ok()) << first.error().message;
  const std::string error = OpenError(path_);
  EXPECT_NE(error.find("locked"), std::string::npos) << error;
  (*first).reset();
  EXPECT_EQ(OpenError(path_), "opened");
}

TEST_F(SqliteOpenTest, RefusesADirectoryAndAnEmptyPath) {
  EXPECT_NE(OpenError(dir_.path()).find("not a regular file"), std::string::npos);
  EXPECT_NE(OpenError("").find("no database path"), std::string::npos);
}

TEST_F(SqliteOpenTest, RefusesAReadOnlyFile) {
  if (geteuid() == 0) GTEST_SKIP() << "root may write to read-only files";
  MakeDatabase(path_, 1);
  ASSERT_EQ(chmod(path_.c_str(), 0444), 0);
  const std::string error = OpenError(path_);
  EXPECT_NE(error.find("cannot open the file for writing"), std::string::npos) << error;
}

}  // namespace
}  // namespace mnemo

namespace mnemo {
namespace {

// Stores `count` items of 3000 bytes.
void StoreItems(Engine& engine, int count) {
  const std::string value(3000, 'v');
  for (int i = 0; i < count; ++i) {
    const std::string key = "key" + std::to_string(i);  // HashedKey only views it
    StoreRequest request{HashedKey(key)};
    request.value = value;
    ASSERT_EQ(engine.Store(request).status, StoreStatus::kStored);
  }
}

// The size of the WAL after writing about 12 MB of items with `checkpoint_pages`.
std::uintmax_t WalSizeAfterWrites(const std::string& path, int checkpoint_pages) {
  testing::ManualClock clock;
  SqliteEngineConfig config = sqlite::testing::ConformanceConfig(path);
  config.size_limit_bytes = std::size_t{1} << 30;
  config.wal_checkpoint_pages = checkpoint_pages;
  auto engine = SqliteEngine::Open(clock, config);
  EXPECT_TRUE(engine.ok());
  if (!engine.ok()) return 0;
  StoreItems(**engine, 4000);
  std::error_code error;
  return std::filesystem::file_size(path + "-wal", error);
}

// Checkpoints run on the checkpointer's thread (sqlite_checkpoints counts them), and the WAL
// still starts over, staying near wal_checkpoint_pages.
TEST(SqliteWalTest, TheCheckpointerFoldsTheWalIntoTheFile) {
  sqlite::testing::TempDir dir;
  const std::string path = dir.File("items.db");
  testing::ManualClock clock;
  SqliteEngineConfig config = sqlite::testing::ConformanceConfig(path);
  config.size_limit_bytes = std::size_t{1} << 30;
  config.wal_checkpoint_pages = 200;
  auto engine = SqliteEngine::Open(clock, config);
  ASSERT_TRUE(engine.ok());
  auto checkpoints = [&] {
    std::string value;
    (*engine)->Stats("", [&](std::string_view name, std::string_view v) {
      if (name == "sqlite_checkpoints") value = std::string(v);
    });
    return value.empty() ? -1 : std::stoi(value);
  };
  EXPECT_EQ(checkpoints(), 0);
  StoreItems(**engine, 1000);
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (checkpoints() < 1 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_GE(checkpoints(), 1);
  std::error_code error;
  EXPECT_LT(std::filesystem::file_size(path + "-wal", error), 4u << 20);  // 200 pages ~ 0.8 MB
  EXPECT_GT(std::filesystem::file_size(path, error), 3u << 20);  // the rows reached the file
}

// The WAL is folded into the file after wal_checkpoint_pages pages, not SQLite's 1000: a
// checkpoint then writes each hot page once for many of its writes.
TEST(SqliteWalTest, TheWalGrowsToTheConfiguredCheckpointPages) {
  sqlite::testing::TempDir dir;
  // The checkpointer's thread may fall behind; the writer then folds the WAL itself at four
  // times the pages: 1,000 pages of 4 KiB at most for 250.
  const std::uintmax_t small = WalSizeAfterWrites(dir.File("small.db"), 250);
  const std::uintmax_t large = WalSizeAfterWrites(dir.File("large.db"), 30000);
  EXPECT_LT(small, 6u << 20) << small;  // reused after each checkpoint
  EXPECT_GT(large, 10u << 20) << large;
}

}  // namespace
}  // namespace mnemo
