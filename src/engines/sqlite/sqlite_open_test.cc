// Open() on files it must refuse: each gets one clear error, never a crash.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

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
  RunSql(path_, "PRAGMA user_version = 2");
  const std::string error = OpenError(path_);
  EXPECT_NE(error.find("schema version 2 is newer"), std::string::npos) << error;
}

TEST_F(SqliteOpenTest, RefusesACorruptDatabase) {
  MakeDatabase(path_, 300);
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

// The size of the WAL after writing about 12 MB of items with `checkpoint_pages`.
std::uintmax_t WalSizeAfterWrites(const std::string& path, int checkpoint_pages) {
  testing::ManualClock clock;
  SqliteEngineConfig config = sqlite::testing::ConformanceConfig(path);
  config.size_limit_bytes = std::size_t{1} << 30;
  config.wal_checkpoint_pages = checkpoint_pages;
  auto engine = SqliteEngine::Open(clock, config);
  EXPECT_TRUE(engine.ok());
  if (!engine.ok()) return 0;
  const std::string value(3000, 'v');
  for (int i = 0; i < 4000; ++i) {
    const std::string key = "key" + std::to_string(i);  // HashedKey only views it
    StoreRequest request{HashedKey(key)};
    request.value = value;
    EXPECT_EQ((*engine)->Store(request).status, StoreStatus::kStored);
  }
  std::error_code error;
  return std::filesystem::file_size(path + "-wal", error);
}

// The WAL is folded into the file after wal_checkpoint_pages pages, not SQLite's 1000: a
// checkpoint then writes each hot page once for many of its writes.
TEST(SqliteWalTest, TheWalGrowsToTheConfiguredCheckpointPages) {
  sqlite::testing::TempDir dir;
  const std::uintmax_t small = WalSizeAfterWrites(dir.File("small.db"), 1000);
  const std::uintmax_t large = WalSizeAfterWrites(dir.File("large.db"), 30000);
  EXPECT_LT(small, 6u << 20) << small;  // reused after each checkpoint of ~4 MB
  EXPECT_GT(large, 10u << 20) << large;
}

}  // namespace
}  // namespace mnemo
