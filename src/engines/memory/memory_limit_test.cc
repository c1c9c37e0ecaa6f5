// The memory engine under memory pressure: the hard limit holds whatever is stored, S3-FIFO
// keeps the hot set through churn and scans, dead and expired memory is reused before live
// items are evicted, evictions can be turned off, and the limit can change at run time.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "engines/memory/memory_engine.h"
#include "manual_clock.h"

namespace mnemo {
namespace {

constexpr std::size_t kMiB = 1024 * 1024;

class MemoryLimitTest : public ::testing::Test {
 protected:
  void Make(MemoryEngineConfig config) { engine_ = std::make_unique<MemoryEngine>(clock_, config); }
  StoreStatus Set(const std::string& key, std::string_view value, std::int64_t exptime = 0) {
    StoreRequest request{HashedKey(key)};
    request.value = value;
    request.exptime = exptime;
    return engine_->Store(request).status;
  }
  bool Has(const std::string& key) {
    return engine_->Get(GetRequest{HashedKey(key)}, [](const ItemView&) {}) == GetStatus::kHit;
  }
  std::uint64_t Stat(const std::string& name) {
    std::uint64_t value = 0;
    engine_->Stats("", [&](std::string_view stat, std::string_view text) {
      if (stat == name) value = std::stoull(std::string(text));
    });
    return value;
  }
  // Mostly small values, some of several KiB and a few kept in pages of their own.
  std::size_t RandomSize(std::mt19937_64& rng) {
    const std::uint64_t pick = rng() % 100;
    if (pick < 70) return rng() % 300;
    if (pick < 97) return 300 + rng() % 16000;
    return 64 * 1024 + rng() % (200 * 1024);
  }

  testing::ManualClock clock_;
  std::unique_ptr<MemoryEngine> engine_;
  const std::string bytes_ = std::string(300 * 1024, 'v');  // values are views into this
};

TEST_F(MemoryLimitTest, FillingFarPastTheLimitNeverExceedsItAndKeepsHotKeys) {
  Make({.memory_limit_bytes = 8 * kMiB, .shards = 4});
  std::mt19937_64 rng(1);
  std::size_t written = 0;
  for (int i = 0; written < 20 * 8 * kMiB; ++i) {
    const std::size_t size = RandomSize(rng);
    ASSERT_EQ(Set("key:" + std::to_string(i), std::string_view(bytes_).substr(0, size)),
              StoreStatus::kStored);
    written += size;
    ASSERT_LE(engine_->accounted_bytes(), 8 * kMiB);
    const std::string hot = "hot:" + std::to_string(i % 50);
    if (!Has(hot)) Set(hot, std::string_view(bytes_).substr(0, 100));
  }
  EXPECT_GT(Stat("evictions"), 0u);
  for (int h = 0; h < 50; ++h) EXPECT_TRUE(Has("hot:" + std::to_string(h))) << h;
}

// Every eviction is reported to the listener while one is set (memcached's `watch evictions`):
// the item is gone, and what the listener heard describes it; after clearing it, nothing.
TEST_F(MemoryLimitTest, EvictionsAreReportedToTheListener) {
  struct Recorder : EvictionListener {
    void Evicted(const EvictedItem& item) override {
      keys.emplace_back(item.key);
      sizes_ok = sizes_ok && item.value_size == 100 && item.client_flags == 0;
      fetched += item.fetched ? 1 : 0;
      const bool expires = item.key == "key:0";  // the only item stored with an exptime
      ttls_ok = ttls_ok && (expires ? item.ttl > 0 && item.ttl <= 1000 : item.ttl == -1);
      idle_ok = idle_ok && item.idle >= 0;
    }
    std::vector<std::string> keys;
    int fetched = 0;
    bool sizes_ok = true, ttls_ok = true, idle_ok = true;
  } recorder;
  Make({.memory_limit_bytes = 2 * kMiB, .shards = 1});
  engine_->SetEvictionListener(&recorder);
  ASSERT_EQ(Set("key:0", std::string_view(bytes_).substr(0, 100), 1000), StoreStatus::kStored);
  for (int i = 1; i < 60000; ++i) {
    ASSERT_EQ(Set("key:" + std::to_string(i), std::string_view(bytes_).substr(0, 100)),
              StoreStatus::kStored);
  }
  ASSERT_GT(Stat("evictions"), 0u);
  EXPECT_EQ(recorder.keys.size(), Stat("evictions"));
  EXPECT_TRUE(recorder.sizes_ok);
  EXPECT_TRUE(recorder.ttls_ok);
  EXPECT_TRUE(recorder.idle_ok);
  EXPECT_EQ(recorder.fetched, 0);  // nothing was read
  for (const std::string& key : recorder.keys) EXPECT_FALSE(Has(key)) << key;
  engine_->SetEvictionListener(nullptr);
  const std::size_t heard = recorder.keys.size();
  for (int i = 60000; i < 80000; ++i) {
    ASSERT_EQ(Set("key:" + std::to_string(i), std::string_view(bytes_).substr(0, 100)),
              StoreStatus::kStored);
  }
  EXPECT_GT(Stat("evictions"), heard);
  EXPECT_EQ(recorder.keys.size(), heard);
}

TEST_F(MemoryLimitTest, AOnePassScanDoesNotEvictTheHotSet) {
  Make({.memory_limit_bytes = 4 * kMiB});
  const std::string_view value = std::string_view(bytes_).substr(0, 1000);
  for (int round = 0; round < 3; ++round) {
    for (int h = 0; h < 200; ++h) {
      const std::string key = "hot:" + std::to_string(h);
      if (!Has(key)) {
        ASSERT_EQ(Set(key, value), StoreStatus::kStored);
      }
    }
  }
  for (int i = 0; i < 20000; ++i) {  // about five times the limit, each key once
    ASSERT_EQ(Set("scan:" + std::to_string(i), value), StoreStatus::kStored);
  }
  EXPECT_GT(Stat("evictions"), 15000u);
  for (int h = 0; h < 200; ++h) EXPECT_TRUE(Has("hot:" + std::to_string(h))) << h;
}

TEST_F(MemoryLimitTest, ExpiredMemoryIsReusedBeforeLiveItemsAreEvicted) {
  Make({.memory_limit_bytes = 4 * kMiB});
  const std::string_view value = std::string_view(bytes_).substr(0, 1000);
  int stored = 0;
  for (; engine_->accounted_bytes() < 3 * kMiB; ++stored) {
    // Every other item expires in 100 seconds.
    ASSERT_EQ(Set("old:" + std::to_string(stored), value, stored % 2 == 0 ? 100 : 0),
              StoreStatus::kStored);
  }
  clock_.Advance(200);
  // More than the free room, less than the free room plus the expired items.
  for (int i = 0; i < stored * 2 / 5; ++i) {
    ASSERT_EQ(Set("new:" + std::to_string(i), value), StoreStatus::kStored);
  }
  EXPECT_EQ(Stat("evictions"), 0u);
  for (int i = 1; i < stored; i += 2) EXPECT_TRUE(Has("old:" + std::to_string(i))) << i;
}

TEST_F(MemoryLimitTest, WithoutEvictionAFullCacheAnswersNoMemory) {
  Make({.memory_limit_bytes = 2 * kMiB, .evict = false});
  const std::string_view value = std::string_view(bytes_).substr(0, 1000);
  int stored = 0;
  while (Set("k:" + std::to_string(stored), value) == StoreStatus::kStored) ++stored;
  EXPECT_GT(stored, 1000);
  EXPECT_LE(engine_->accounted_bytes(), 2 * kMiB);
  EXPECT_EQ(Set("one:more", value), StoreStatus::kNoMemory);
  for (int i = 0; i < stored; ++i) ASSERT_TRUE(Has("k:" + std::to_string(i))) << i;
  EXPECT_EQ(Stat("evictions"), 0u);
  // Deleted items leave dead bytes that merging segments gives back.
  for (int i = 0; i < stored; i += 2) {
    engine_->Delete(DeleteRequest{HashedKey("k:" + std::to_string(i))});
  }
  for (int i = 0; i < stored / 4; ++i) {
    EXPECT_EQ(Set("again:" + std::to_string(i), value), StoreStatus::kStored) << i;
  }
}

TEST_F(MemoryLimitTest, WithoutEvictionExpiredItemsMakeRoom) {
  Make({.memory_limit_bytes = 2 * kMiB, .evict = false});
  const std::string_view value = std::string_view(bytes_).substr(0, 1000);
  int stored = 0;
  while (Set("k:" + std::to_string(stored), value, 10) == StoreStatus::kStored) ++stored;
  clock_.Advance(10);
  for (int i = 0; i < stored / 2; ++i) {
    EXPECT_EQ(Set("fresh:" + std::to_string(i), value), StoreStatus::kStored) << i;
  }
}

TEST_F(MemoryLimitTest, WithoutEvictionFlushedItemsMakeRoom) {
  Make({.memory_limit_bytes = 2 * kMiB, .evict = false});
  const std::string_view value = std::string_view(bytes_).substr(0, 1000);
  int stored = 0;
  while (Set("k:" + std::to_string(stored), value) == StoreStatus::kStored) ++stored;
  engine_->FlushAll(0);
  for (int i = 0; i < stored / 2; ++i) {
    EXPECT_EQ(Set("fresh:" + std::to_string(i), value), StoreStatus::kStored) << i;
  }
}

TEST_F(MemoryLimitTest, ItemsLargerThanTheLimitDoNotFit) {
  Make({.memory_limit_bytes = 1 * kMiB, .item_size_max = 4 * kMiB});
  const std::string huge(2 * kMiB, 'h');
  EXPECT_EQ(Set("huge", huge), StoreStatus::kNoMemory);
  EXPECT_EQ(Set("small", "v"), StoreStatus::kStored);
  EXPECT_LE(engine_->accounted_bytes(), 1 * kMiB);
}

TEST_F(MemoryLimitTest, TheLimitCanChangeAtRunTime) {
  Make({.memory_limit_bytes = 16 * kMiB});
  const std::string_view value = std::string_view(bytes_).substr(0, 2000);
  for (int i = 0; i < 20000; ++i) Set("k:" + std::to_string(i), value);
  EXPECT_GT(engine_->accounted_bytes(), 12 * kMiB);
  engine_->SetMemoryLimit(8 * kMiB);
  EXPECT_LE(engine_->accounted_bytes(), 8 * kMiB);
  EXPECT_EQ(Stat("limit_maxbytes"), 8 * kMiB);
  for (int i = 0; i < 20000; ++i) {
    ASSERT_EQ(Set("more:" + std::to_string(i), value), StoreStatus::kStored);
    ASSERT_LE(engine_->accounted_bytes(), 8 * kMiB);
  }
  engine_->SetMemoryLimit(16 * kMiB);
  for (int i = 0; i < 20000; ++i) Set("again:" + std::to_string(i), value);
  EXPECT_GT(engine_->accounted_bytes(), 12 * kMiB);
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define MNEMO_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define MNEMO_SANITIZED 1
#endif
#endif

long long ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  long long size = 0, resident = 0;
  statm >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

// Sets, overwrites and deletes of mixed sizes, twenty times the limit: the process grows by
// at most the limit + 10% + 4 MiB.
TEST_F(MemoryLimitTest, ResidentMemoryStaysNearTheLimitUnderMixedLoad) {
#ifdef MNEMO_SANITIZED
  GTEST_SKIP() << "sanitizers add shadow memory to RSS";
#endif
  constexpr std::size_t kLimit = 32 * kMiB;
  const long long before = ResidentBytes();
  Make({.memory_limit_bytes = kLimit});
  std::mt19937_64 rng(3);
  long long peak = 0;
  std::size_t written = 0;
  for (int i = 0; written < 20 * kLimit; ++i) {
    const std::string key = "k:" + std::to_string(rng() % 200000);
    if (rng() % 10 == 0) {
      engine_->Delete(DeleteRequest{HashedKey(key)});
      continue;
    }
    const std::size_t size = RandomSize(rng);
    ASSERT_EQ(Set(key, std::string_view(bytes_).substr(0, size)), StoreStatus::kStored);
    written += size;
    if (i % 512 == 0) peak = std::max(peak, ResidentBytes() - before);
  }
  peak = std::max(peak, ResidentBytes() - before);
  std::printf("limit %zu MiB, RSS growth peak %.1f MiB\n", kLimit / kMiB,
              static_cast<double>(peak) / kMiB);
  EXPECT_LE(peak, static_cast<long long>(kLimit + kLimit / 10 + 4 * kMiB));
}

}  // namespace
}  // namespace mnemo
