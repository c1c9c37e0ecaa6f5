// When the accesses that gets record in memory reach the table: every access_fold_interval,
// sooner while more than access_fold_above keys have one, and at close -- never with each get.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <thread>

#include "engines/sqlite/sqlite_engine.h"
#include "engines/sqlite/testing/temp_sqlite.h"
#include "manual_clock.h"

namespace mnemo {
namespace {

using std::chrono::milliseconds;

constexpr std::int64_t kStart = 1'700'000'000;

struct TableAccess {
  std::int64_t last_access = 0;
  bool fetched = false;
};

// key's last access and fetched bit as committed (the table and the journal), read as another
// program would.
std::optional<TableAccess> CommittedAccess(const std::string& path, const std::string& key) {
  std::map<std::string, sqlite::Row> rows = sqlite::testing::CommittedRows(path);
  auto found = rows.find(key);
  if (found == rows.end()) return std::nullopt;
  return TableAccess{found->second.last_access, found->second.fetched};
}

class SqliteAccessFoldTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteEngine> Open(milliseconds interval, std::size_t above) {
    SqliteEngineConfig config = sqlite::testing::ConformanceConfig(path_);
    config.access_fold_interval = interval;
    config.access_fold_above = above;
    Result<std::unique_ptr<SqliteEngine>> engine = SqliteEngine::Open(clock_, config);
    EXPECT_TRUE(engine.ok()) << (engine.ok() ? "" : engine.error().message);
    return engine.ok() ? std::move(engine).value() : nullptr;
  }
  static void Set(Engine& engine, std::string_view key) {
    StoreRequest request{HashedKey(key)};
    request.value = "v";
    ASSERT_EQ(engine.Store(request).status, StoreStatus::kStored);
  }
  static void Fetch(Engine& engine, std::string_view key) {
    GetRequest request{HashedKey(key)};
    ASSERT_EQ(engine.Get(request, [](const ItemView&) {}), GetStatus::kHit);
  }
  // Waits (10 s at most) until the table shows key fetched at `at`.
  bool AwaitFolded(const std::string& key, std::int64_t at) {
    for (int i = 0; i < 1000; ++i) {
      std::optional<TableAccess> access = CommittedAccess(path_, key);
      if (access && access->fetched && access->last_access == at) return true;
      std::this_thread::sleep_for(milliseconds(10));
    }
    return false;
  }

  testing::ManualClock clock_{kStart};
  sqlite::testing::TempDir dir_;
  std::string path_ = dir_.File("items.db");
};

TEST_F(SqliteAccessFoldTest, AGetIsNotWrittenBeforeItsFoldButIsAtClose) {
  {
    auto engine = Open(std::chrono::hours(1), 1000);
    ASSERT_NE(engine, nullptr);
    Set(*engine, "read");
    clock_.Advance(5);
    Fetch(*engine, "read");
    Set(*engine, "other");  // a commit after the get: it does not carry the access
    std::optional<TableAccess> before = CommittedAccess(path_, "read");
    ASSERT_TRUE(before);
    EXPECT_FALSE(before->fetched);
    EXPECT_EQ(before->last_access, kStart);
    // The engine itself already answers with the access.
    GetRequest peek{HashedKey("read")};
    peek.peek = true;
    bool fetched = false;
    std::int64_t last_access = 0;
    engine->Get(peek, [&](const ItemView& view) {
      fetched = view.fetched;
      last_access = view.last_access;
    });
    EXPECT_TRUE(fetched);
    EXPECT_EQ(last_access, kStart + 5);
  }
  std::optional<TableAccess> after = CommittedAccess(path_, "read");
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->fetched);
  EXPECT_EQ(after->last_access, kStart + 5);
}

TEST_F(SqliteAccessFoldTest, TheIntervalFoldsRecordedAccessesIn) {
  auto engine = Open(milliseconds(100), 1000);
  ASSERT_NE(engine, nullptr);
  Set(*engine, "read");
  clock_.Advance(3);
  Fetch(*engine, "read");
  EXPECT_TRUE(AwaitFolded("read", kStart + 3));
}

TEST_F(SqliteAccessFoldTest, TooManyRecordedAccessesAreFoldedInBeforeTheInterval) {
  auto engine = Open(std::chrono::hours(1), 2);
  ASSERT_NE(engine, nullptr);
  for (const char* key : {"a", "b", "c"}) Set(*engine, key);
  clock_.Advance(2);
  for (const char* key : {"a", "b", "c"}) Fetch(*engine, key);
  for (const char* key : {"a", "b", "c"}) EXPECT_TRUE(AwaitFolded(key, kStart + 2)) << key;
}

}  // namespace
}  // namespace mnemo
