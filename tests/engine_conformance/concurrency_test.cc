// Engines are shared by every connection: concurrent increments must not be lost.
#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "engine_test.h"

namespace mnemo::conformance {
namespace {

class ConcurrencyTest : public EngineTest {};

TEST_P(ConcurrencyTest, ConcurrentIncrementsAreNotLost) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 2000;
  ASSERT_EQ(Set("counter", "0").status, StoreStatus::kStored);
  std::atomic<std::uint64_t> successes{0};
  std::vector<std::vector<std::uint64_t>> seen(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        ArithResult r = Incr("counter", 1);
        if (r.status != ArithStatus::kOk) continue;
        successes.fetch_add(1, std::memory_order_relaxed);
        seen[t].push_back(r.value);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(successes.load(), std::uint64_t{kThreads} * kPerThread);
  auto item = Get("counter");
  ASSERT_TRUE(item);
  EXPECT_EQ(item->value, std::to_string(successes.load()));
  // Every increment saw a distinct result, as if the increments ran one at a time.
  std::set<std::uint64_t> distinct;
  for (const auto& values : seen) distinct.insert(values.begin(), values.end());
  EXPECT_EQ(distinct.size(), successes.load());
}

TEST_P(ConcurrencyTest, ConcurrentAddHasExactlyOneWinner) {
  constexpr int kThreads = 8;
  std::atomic<int> stored{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      if (Store("once", "v", StoreMode::kAdd).status == StoreStatus::kStored) ++stored;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(stored.load(), 1);
}

MNEMO_ENGINE_SUITE(ConcurrencyTest);

}  // namespace
}  // namespace mnemo::conformance
