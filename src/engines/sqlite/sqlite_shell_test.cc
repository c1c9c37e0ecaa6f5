// The database is readable with the sqlite3 shell and the query docs/sqlite-schema.md shows.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "engines/sqlite/sqlite_engine.h"
#include "engines/sqlite/testing/temp_sqlite.h"
#include "manual_clock.h"

namespace mnemo {
namespace {

// Runs a shell command and returns what it printed; nullopt when it could not run.
std::optional<std::string> Capture(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  std::string output;
  char buffer[4096];
  std::size_t got = 0;
  while ((got = fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, got);
  if (pclose(pipe) != 0) return std::nullopt;
  return output;
}

TEST(SqliteShellTest, ThePlainSelectOfTheSchemaDocumentReadsAnItem) {
  if (!Capture("command -v sqlite3")) GTEST_SKIP() << "no sqlite3 shell installed";
  testing::ManualClock clock(1'700'000'000);
  sqlite::testing::TempDir dir;
  const std::string path = dir.File("items.db");
  {
    auto engine = SqliteEngine::Open(clock, sqlite::testing::ConformanceConfig(path));
    ASSERT_TRUE(engine.ok()) << engine.error().message;
    StoreRequest request{HashedKey("greeting")};
    request.value = "hello, world";
    request.client_flags = 42;
    request.exptime = 300;
    ASSERT_EQ((*engine)->Store(request).status, StoreStatus::kStored);
  }
  // The query docs/sqlite-schema.md documents.
  const std::string query =
      "SELECT CAST(value AS TEXT), flags, exptime FROM items WHERE key = CAST('greeting' AS BLOB);";
  std::optional<std::string> output = Capture("sqlite3 -readonly '" + path + "' \"" + query + "\"");
  ASSERT_TRUE(output);
  EXPECT_EQ(*output, "hello, world|42|1700000300\n");
  std::optional<std::string> version =
      Capture("sqlite3 -readonly '" + path + "' 'PRAGMA user_version'");
  ASSERT_TRUE(version);
  EXPECT_EQ(*version, "3\n");
}

}  // namespace
}  // namespace mnemo
