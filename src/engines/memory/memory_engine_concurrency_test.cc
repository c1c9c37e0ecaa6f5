// Many threads on overlapping keys: no lost increments, no torn or foreign values while items
// are moved, merged and evicted under other threads' feet, and the limit still holds. Run
// under TSan with the `concurrency` label.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "engines/memory/memory_engine.h"
#include "manual_clock.h"
#include "mnemo/item_rules.h"

namespace mnemo {
namespace {

constexpr std::size_t kMiB = 1024 * 1024;
constexpr int kThreads = 8;

// Every value stored under a key is made of the key's own byte, so a reader can tell a value
// that belongs to another key, or one that was overwritten while being read.
char ByteFor(std::string_view key) {
  return static_cast<char>('a' + std::hash<std::string_view>{}(key) % 26);
}

bool Consistent(const ItemView& view) {
  const char byte = ByteFor(view.key);
  return std::all_of(view.value.begin(), view.value.end(), [&](char c) { return c == byte; });
}

void RunThreads(const std::function<void(int)>& body) {
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(body, t);
  for (std::thread& thread : threads) thread.join();
}

TEST(MemoryEngineConcurrencyTest, MixedOperationsOnOverlappingKeys) {
  testing::ManualClock clock;
  MemoryEngine engine(clock, MemoryEngineConfig{});
  constexpr int kCounters = 8;
  for (int c = 0; c < kCounters; ++c) {
    const std::string key = "counter:" + std::to_string(c);
    StoreRequest request{HashedKey(key)};
    request.value = "0";
    ASSERT_EQ(engine.Store(request).status, StoreStatus::kStored);
  }
  std::atomic<std::uint64_t> increments[kCounters] = {};
  std::atomic<int> inconsistent{0};
  RunThreads([&](int t) {
    std::mt19937_64 rng(t);
    for (int i = 0; i < 10000; ++i) {
      const std::string key = "k:" + std::to_string(rng() % 200);
      const std::uint64_t op = rng() % 10;
      if (op < 3 || op == 9) {
        const std::string value(rng() % 3000, ByteFor(key));
        StoreRequest request{HashedKey(key)};
        request.mode = op == 9 ? StoreMode::kAppend : StoreMode::kSet;
        request.value = value;
        engine.Store(request);
      } else if (op < 6) {
        engine.Get(GetRequest{HashedKey(key)}, [&](const ItemView& view) {
          if (!Consistent(view)) ++inconsistent;
        });
      } else if (op == 6) {
        engine.Delete(DeleteRequest{HashedKey(key)});
      } else {
        const int c = static_cast<int>(rng() % kCounters);
        const std::string counter = "counter:" + std::to_string(c);
        ArithRequest request{HashedKey(counter)};
        if (engine.Arithmetic(request).status == ArithStatus::kOk) ++increments[c];
      }
    }
  });
  EXPECT_EQ(inconsistent.load(), 0);
  std::uint64_t total = 0;
  for (int c = 0; c < kCounters; ++c) {
    const std::string key = "counter:" + std::to_string(c);
    std::optional<std::uint64_t> value;
    engine.Get(GetRequest{HashedKey(key)},
               [&](const ItemView& view) { value = ParseCounter(view.value); });
    ASSERT_TRUE(value) << key;
    EXPECT_EQ(*value, increments[c].load()) << key;
    total += *value;
  }
  EXPECT_GT(total, 0u);
}

TEST(MemoryEngineConcurrencyTest, EvictionAcrossShardsUnderContention) {
  testing::ManualClock clock;
  constexpr std::size_t kLimit = 4 * kMiB;
  MemoryEngine engine(clock, MemoryEngineConfig{.memory_limit_bytes = kLimit, .shards = 4});
  std::atomic<int> inconsistent{0};
  std::atomic<int> failed{0};
  std::atomic<std::size_t> over_limit{0};
  RunThreads([&](int t) {
    std::mt19937_64 rng(100 + t);
    for (int i = 0; i < 4000; ++i) {
      const std::string key = "k:" + std::to_string(rng() % 5000);
      const std::uint64_t op = rng() % 100;
      if (op < 50) {
        // Mostly small values, a few big enough to live in pages of their own.
        const std::size_t size = op < 2 ? 64 * 1024 + rng() % (128 * 1024) : rng() % 4000;
        const std::string value(size, ByteFor(key));
        StoreRequest request{HashedKey(key)};
        request.value = value;
        request.exptime = op % 7 == 0 ? 1 : 0;
        if (engine.Store(request).status != StoreStatus::kStored) ++failed;
      } else if (op < 95) {
        engine.Get(GetRequest{HashedKey(key)}, [&](const ItemView& view) {
          if (!Consistent(view)) ++inconsistent;
        });
      } else if (op < 98) {
        engine.Delete(DeleteRequest{HashedKey(key)});
      } else if (t == 0 && op == 99) {
        engine.Stats("", [](std::string_view, std::string_view) {});
        clock.Advance(1);
      } else if (t == 1 && op == 99 && i % 8 == 0) {
        engine.FlushAll(0);
      }
      if (engine.accounted_bytes() > kLimit) ++over_limit;
    }
  });
  EXPECT_EQ(inconsistent.load(), 0);
  EXPECT_EQ(failed.load(), 0) << "evicting stores always find room";
  EXPECT_EQ(over_limit.load(), 0u);
  std::uint64_t evictions = 0;
  engine.Stats("", [&](std::string_view name, std::string_view value) {
    if (name == "evictions") evictions = std::stoull(std::string(value));
  });
  EXPECT_GT(evictions, 0u);
  int visited = 0;
  engine.ForEach([&](const ItemView& view) {
    if (!Consistent(view)) ++inconsistent;
    return ++visited < 100000;
  });
  EXPECT_EQ(inconsistent.load(), 0);
}

}  // namespace
}  // namespace mnemo
