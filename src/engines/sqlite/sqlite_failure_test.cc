// Write failures while running (a full disk, here a capped file): the failed write gets the
// store error, the engine keeps serving, and nothing committed is lost.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "engines/sqlite/sqlite_engine.h"
#include "engines/sqlite/testing/temp_sqlite.h"
#include "manual_clock.h"

namespace mnemo {
namespace {

class SqliteFailureTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteEngine> Open(std::size_t max_file_bytes) {
    SqliteEngineConfig config = sqlite::testing::ConformanceConfig(dir_.File("items.db"));
    config.max_file_bytes = max_file_bytes;
    config.size_limit_bytes = std::size_t{1} << 30;
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
               [&](const ItemView& view) { value = std::string(view.value); });
    return value;
  }
  static std::string ValueOf(int i) { return std::string(8000, static_cast<char>('a' + i % 26)); }

  testing::ManualClock clock_;
  sqlite::testing::TempDir dir_;
};

TEST_F(SqliteFailureTest, AFullDiskFailsTheWriteAndKeepsWhatWasCommitted) {
  std::vector<std::string> stored;
  {
    auto engine = Open(256 * 1024);
    ASSERT_TRUE(engine);
    StoreStatus status = StoreStatus::kStored;
    for (int i = 0; i < 200 && status == StoreStatus::kStored; ++i) {
      status = Set(*engine, "k" + std::to_string(i), ValueOf(i));
      if (status == StoreStatus::kStored) stored.push_back("k" + std::to_string(i));
    }
    ASSERT_EQ(status, StoreStatus::kNoMemory);  // SERVER_ERROR out of memory storing object
    ASSERT_FALSE(stored.empty());
    // Reads keep working, and so do writes that need no new space.
    for (std::size_t i = 0; i < stored.size(); ++i) {
      EXPECT_EQ(Get(*engine, stored[i]), ValueOf(static_cast<int>(i))) << stored[i];
    }
    DeleteRequest request{HashedKey(stored.back())};
    EXPECT_EQ(engine->Delete(request), DeleteStatus::kDeleted);
    stored.pop_back();
    std::map<std::string, std::string> stats;
    engine->Stats("", [&](std::string_view name, std::string_view value) {
      stats[std::string(name)] = std::string(value);
    });
    EXPECT_NE(stats["sqlite_errors"], "0");
    EXPECT_EQ(stats["curr_items"], std::to_string(stored.size()));
  }
  auto engine = Open(0);
  ASSERT_TRUE(engine);
  for (std::size_t i = 0; i < stored.size(); ++i) {
    EXPECT_EQ(Get(*engine, stored[i]), ValueOf(static_cast<int>(i))) << stored[i];
  }
  EXPECT_EQ(Set(*engine, "after", "v"), StoreStatus::kStored);
}

}  // namespace
}  // namespace mnemo
