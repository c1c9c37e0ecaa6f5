// Gets read through reader connections that the calling threads check out (reader_pool.h):
// more threads than connections all get their answers, and no connections at all leaves every
// get to the writer.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "engines/sqlite/sqlite_engine.h"
#include "engines/sqlite/testing/temp_sqlite.h"
#include "manual_clock.h"

namespace mnemo {
namespace {

constexpr int kKeys = 40;

class SqliteReaderTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteEngine> Open(int connections) {
    SqliteEngineConfig config = sqlite::testing::ConformanceConfig(dir_.File("items.db"));
    config.reader_connections = connections;
    auto engine = SqliteEngine::Open(clock_, config);
    EXPECT_TRUE(engine.ok()) << (engine.ok() ? "" : engine.error().message);
    return engine.ok() ? std::move(engine).value() : nullptr;
  }
  static void Fill(Engine& engine) {
    for (int i = 0; i < kKeys; ++i) {
      const std::string key = "k" + std::to_string(i);  // HashedKey only views it
      StoreRequest request{HashedKey(key)};
      const std::string value = "v" + std::to_string(i);
      request.value = value;
      ASSERT_EQ(engine.Store(request).status, StoreStatus::kStored);
    }
  }
  // Every key from `threads` threads at once, `rounds` times; returns the wrong answers.
  static int ReadEverywhere(Engine& engine, int threads, int rounds) {
    std::atomic<int> wrong{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < threads; ++t) {
      readers.emplace_back([&] {
        for (int round = 0; round < rounds; ++round) {
          for (int i = 0; i < kKeys; ++i) {
            std::string value;
            const GetStatus status =
                engine.Get(GetRequest{HashedKey("k" + std::to_string(i))},
                           [&](const ItemView& v) { value = std::string(v.value); });
            if (status != GetStatus::kHit || value != "v" + std::to_string(i)) ++wrong;
          }
        }
      });
    }
    for (std::thread& reader : readers) reader.join();
    return wrong.load();
  }

  sqlite::testing::TempDir dir_;
  testing::ManualClock clock_;
};

TEST_F(SqliteReaderTest, MoreThreadsThanConnectionsAllGetTheirAnswers) {
  auto engine = Open(1);
  ASSERT_NE(engine, nullptr);
  Fill(*engine);
  EXPECT_EQ(ReadEverywhere(*engine, 6, 10), 0);
  // A miss through the same connections.
  EXPECT_EQ(engine->Get(GetRequest{HashedKey("absent")}, [](const ItemView&) {}), GetStatus::kMiss);
}

TEST_F(SqliteReaderTest, WithoutReaderConnectionsTheWriterServesGets) {
  auto engine = Open(0);
  ASSERT_NE(engine, nullptr);
  Fill(*engine);
  EXPECT_EQ(ReadEverywhere(*engine, 3, 3), 0);
  EXPECT_EQ(engine->Get(GetRequest{HashedKey("absent")}, [](const ItemView&) {}), GetStatus::kMiss);
}

}  // namespace
}  // namespace mnemo
