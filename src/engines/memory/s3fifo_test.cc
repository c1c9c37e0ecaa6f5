// S3-FIFO on its own: the decisions of S3Fifo driven through a small item-level cache model
// (queues of keys, capacity in items), next to models of LRU and of memcached's segmented
// LRU (HOT/WARM/COLD) for a hit-ratio comparison on one deterministic trace.
#include "engines/memory/s3fifo.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <list>
#include <random>
#include <unordered_map>
#include <vector>

namespace mnemo::memory {
namespace {

std::uint32_t Tag(std::uint64_t key) {
  std::uint64_t z = key + 0x9e3779b97f4a7c15ULL;  // splitmix64
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return static_cast<std::uint32_t>((z ^ (z >> 31)) >> 40);
}

class S3FifoModel {
 public:
  explicit S3FifoModel(std::size_t capacity) : capacity_(capacity) {
    policy_.ghost().Reset(MappedBlock::Map(capacity * sizeof(std::uint16_t)));
  }
  // A get, and a set after a miss. Returns true on a hit.
  bool Access(std::uint64_t key) {
    auto it = entries_.find(key);
    if (it != entries_.end()) {
      it->second.freq = S3Fifo::Accessed(it->second.freq);
      return true;
    }
    while (entries_.size() >= capacity_) EvictOne();
    const Queue queue = policy_.Admit(Tag(key));
    entries_[key] = {queue, 0};
    queues_[Index(queue)].push_back(key);
    return false;
  }
  bool Contains(std::uint64_t key) const { return entries_.count(key) != 0; }
  Queue QueueOf(std::uint64_t key) const { return entries_.at(key).queue; }

 private:
  struct Entry {
    Queue queue;
    std::uint8_t freq;
  };
  static int Index(Queue queue) { return static_cast<int>(queue); }

  void EvictOne() {
    for (;;) {
      const Queue from = policy_.VictimQueue(queues_[Index(Queue::kSmall)].size(),
                                             queues_[Index(Queue::kMain)].size());
      const std::uint64_t key = queues_[Index(from)].front();
      queues_[Index(from)].pop_front();
      Entry& entry = entries_.at(key);
      if (!policy_.Keep(from, &entry.freq, Tag(key))) {
        entries_.erase(key);
        return;
      }
      entry.queue = Queue::kMain;
      queues_[Index(Queue::kMain)].push_back(key);
    }
  }

  std::size_t capacity_;
  S3Fifo policy_;
  std::deque<std::uint64_t> queues_[2];
  std::unordered_map<std::uint64_t, Entry> entries_;
};

class LruModel {
 public:
  explicit LruModel(std::size_t capacity) : capacity_(capacity) {}
  bool Access(std::uint64_t key) {
    auto it = where_.find(key);
    if (it != where_.end()) {
      order_.splice(order_.begin(), order_, it->second);
      return true;
    }
    if (order_.size() >= capacity_) {
      where_.erase(order_.back());
      order_.pop_back();
    }
    order_.push_front(key);
    where_[key] = order_.begin();
    return false;
  }

 private:
  std::size_t capacity_;
  std::list<std::uint64_t> order_;
  std::unordered_map<std::uint64_t, std::list<std::uint64_t>::iterator> where_;
};

// memcached 1.6's segmented LRU as documented in its doc/new_lru.txt, without the background
// thread: new items enter HOT (20%); at HOT's tail active items go to WARM (40%), others to
// COLD; at WARM's tail active items are bumped, others go to COLD; a hit in COLD moves the
// item to WARM; evictions come from COLD's tail.
class SegmentedLruModel {
 public:
  explicit SegmentedLruModel(std::size_t capacity) : capacity_(capacity) {}
  bool Access(std::uint64_t key) {
    auto it = items_.find(key);
    if (it != items_.end()) {
      if (it->second.segment == kCold) {
        Move(key, kWarm);
      } else {
        it->second.active = true;
      }
      Balance();
      return true;
    }
    if (items_.size() >= capacity_) Evict();
    lists_[kHot].push_front(key);
    items_[key] = {kHot, false, lists_[kHot].begin()};
    Balance();
    return false;
  }

 private:
  enum Segment { kHot, kWarm, kCold };
  struct Item {
    Segment segment;
    bool active;
    std::list<std::uint64_t>::iterator at;
  };
  void Move(std::uint64_t key, Segment to) {
    Item& item = items_.at(key);
    lists_[to].splice(lists_[to].begin(), lists_[item.segment], item.at);
    item.segment = to;
    item.active = false;
  }
  void Balance() {
    while (lists_[kHot].size() > capacity_ / 5) {
      const std::uint64_t key = lists_[kHot].back();
      Move(key, items_.at(key).active ? kWarm : kCold);
    }
    for (std::size_t guard = 0; lists_[kWarm].size() > capacity_ * 2 / 5 && guard < capacity_;
         ++guard) {
      const std::uint64_t key = lists_[kWarm].back();
      Move(key, items_.at(key).active ? kWarm : kCold);
    }
  }
  void Evict() {
    for (Segment segment : {kCold, kWarm, kHot}) {
      if (lists_[segment].empty()) continue;
      items_.erase(lists_[segment].back());
      lists_[segment].pop_back();
      return;
    }
  }

  std::size_t capacity_;
  std::list<std::uint64_t> lists_[3];
  std::unordered_map<std::uint64_t, Item> items_;
};

TEST(S3FifoTest, OnePassScanDoesNotEvictTheHotSet) {
  S3FifoModel cache(1000);
  for (int round = 0; round < 3; ++round) {
    for (std::uint64_t key = 0; key < 100; ++key) cache.Access(key);
  }
  for (std::uint64_t key = 1'000'000; key < 1'100'000; ++key) cache.Access(key);
  for (std::uint64_t key = 0; key < 100; ++key) EXPECT_TRUE(cache.Contains(key)) << key;
}

TEST(S3FifoTest, ItemsAccessedInTheSmallQueueArePromoted) {
  S3FifoModel cache(100);
  cache.Access(1);
  cache.Access(1);  // accessed while in the small queue
  cache.Access(2);  // never accessed again
  EXPECT_EQ(cache.QueueOf(1), Queue::kSmall);
  for (std::uint64_t key = 100; key < 300; ++key) cache.Access(key);
  ASSERT_TRUE(cache.Contains(1));
  EXPECT_EQ(cache.QueueOf(1), Queue::kMain);
  EXPECT_FALSE(cache.Contains(2));
}

TEST(S3FifoTest, GhostHitGoesStraightToMain) {
  S3FifoModel cache(100);
  cache.Access(2);
  for (std::uint64_t key = 100; key < 300; ++key) cache.Access(key);
  ASSERT_FALSE(cache.Contains(2));
  cache.Access(2);  // evicted from small recently: remembered by the ghost
  EXPECT_EQ(cache.QueueOf(2), Queue::kMain);
  cache.Access(12345);  // never seen
  EXPECT_EQ(cache.QueueOf(12345), Queue::kSmall);
}

TEST(S3FifoTest, MainReinsertionSpendsFrequency) {
  S3Fifo policy;
  std::uint8_t freq = 0;
  for (int i = 0; i < 5; ++i) freq = S3Fifo::Accessed(freq);
  EXPECT_EQ(freq, S3Fifo::kMaxFrequency);
  for (int kept = 0; kept < 3; ++kept) EXPECT_TRUE(policy.Keep(Queue::kMain, &freq, 7));
  EXPECT_EQ(freq, 0);
  EXPECT_FALSE(policy.Keep(Queue::kMain, &freq, 7));
  freq = 2;
  EXPECT_TRUE(policy.Keep(Queue::kSmall, &freq, 7));
  EXPECT_EQ(freq, 0) << "a promoted item starts main afresh";
}

TEST(S3FifoTest, SmallEvictionsAreRememberedOnce) {
  S3Fifo policy;
  policy.ghost().Reset(MappedBlock::Map(4096));
  std::uint8_t freq = 0;
  EXPECT_FALSE(policy.Keep(Queue::kSmall, &freq, 0x42abcd));
  EXPECT_EQ(policy.Admit(0x42abcd), Queue::kMain);
  EXPECT_EQ(policy.Admit(0x42abcd), Queue::kSmall) << "the ghost entry is used up";
  freq = 0;
  EXPECT_FALSE(policy.Keep(Queue::kMain, &freq, 0x123456));
  EXPECT_EQ(policy.Admit(0x123456), Queue::kSmall) << "main evictions are not remembered";
}

TEST(S3FifoTest, GhostForgetsItsOldestEntries) {
  GhostFifo ghost;
  ghost.Reset(MappedBlock::Map(4096));
  ASSERT_EQ(ghost.capacity(), 2048u);
  ghost.Insert(Tag(1));
  for (std::uint64_t key = 2; key < 20; ++key) ghost.Insert(Tag(key));
  EXPECT_TRUE(ghost.Take(Tag(1))) << "recent entries are remembered";
  ghost.Insert(Tag(1));
  for (std::uint64_t key = 100; key < 100 + 16 * ghost.capacity(); ++key) ghost.Insert(Tag(key));
  EXPECT_FALSE(ghost.Take(Tag(1))) << "entries older than many capacities are gone";
}

TEST(S3FifoTest, GhostKeepsItsEntriesWhenItGrows) {
  GhostFifo ghost;
  ghost.Reset(MappedBlock::Map(8192));  // 512 buckets
  constexpr std::uint64_t kKept = 1000;
  for (std::uint64_t key = 1; key <= kKept; ++key) ghost.Insert(Tag(key));
  const MappedBlock old = ghost.Reset(MappedBlock::Map(3 * 8192));
  EXPECT_EQ(old.size(), 8192u) << "the old storage is handed back";
  ASSERT_EQ(ghost.capacity(), 3 * 4096u);
  std::size_t remembered = 0;
  for (std::uint64_t key = 1; key <= kKept; ++key) remembered += ghost.Take(Tag(key));
  // A tag whose low 16 bits are 0 is stored as fingerprint 1 and comes back as another tag;
  // a bucket that overflows drops its oldest entries. Both are rare at a third of capacity.
  EXPECT_GE(remembered, kKept * 99 / 100);
  std::size_t strangers = 0;
  for (std::uint64_t key = 5000; key < 5000 + kKept; ++key) strangers += ghost.Take(Tag(key));
  EXPECT_LE(strangers, kKept / 100) << "only fingerprint collisions answer for unknown tags";
}

TEST(S3FifoTest, GhostShrinkingKeepsTheNewestEntries) {
  GhostFifo ghost;
  ghost.Reset(MappedBlock::Map(4 * 8192));  // 2048 buckets of 8
  for (std::uint64_t key = 1; key <= 8000; ++key) ghost.Insert(Tag(key));
  ghost.Reset(MappedBlock::Map(8192));  // a quarter: 4096 entries
  std::size_t newest = 0, oldest = 0;
  for (std::uint64_t key = 7001; key <= 8000; ++key) newest += ghost.Take(Tag(key));
  for (std::uint64_t key = 1; key <= 1000; ++key) oldest += ghost.Take(Tag(key));
  EXPECT_GT(newest, 900u);
  EXPECT_LT(oldest, 200u);
}

TEST(S3FifoTest, GhostOfFewBucketsForgetsWhenResized) {
  // With 256 buckets or fewer a fingerprint and its bucket do not determine the tag.
  GhostFifo ghost;
  ghost.Reset(MappedBlock::Map(4096));  // 256 buckets
  ghost.Insert(Tag(1));
  ghost.Reset(MappedBlock::Map(8192));
  EXPECT_FALSE(ghost.Take(Tag(1)));
  GhostFifo empty;
  EXPECT_FALSE(empty.Take(Tag(1)));
  empty.Insert(Tag(1));  // no storage: remembered nowhere, and no crash
  empty.Reset(MappedBlock::Map(8192));
  EXPECT_FALSE(empty.Take(Tag(1)));
}

TEST(S3FifoTest, VictimQueueKeepsTheSmallQueueNearItsShare) {
  S3Fifo policy;
  EXPECT_EQ(policy.VictimQueue(0, 5), Queue::kMain);
  EXPECT_EQ(policy.VictimQueue(5, 0), Queue::kSmall);
  EXPECT_EQ(policy.VictimQueue(2, 18), Queue::kMain);
  EXPECT_EQ(policy.VictimQueue(3, 17), Queue::kSmall);
}

// Zipf(1.0) requests over 20,000 keys for a 2,000-item cache, with a one-pass scan of 3,000
// new keys after every 10,000 requests: a hot set under scan pollution, the case segmented
// LRU was built for.
TEST(S3FifoTest, HitRatioBeatsLruAndSegmentedLruOnZipfWithScans) {
  constexpr std::size_t kKeys = 20000, kCapacity = 2000, kRequests = 400000;
  std::vector<double> cdf(kKeys);
  double sum = 0;
  for (std::size_t i = 0; i < kKeys; ++i) cdf[i] = sum += 1.0 / static_cast<double>(i + 1);
  for (double& p : cdf) p /= sum;
  std::mt19937_64 rng(2024);
  std::uniform_real_distribution<double> uniform(0, 1);
  S3FifoModel s3(kCapacity);
  SegmentedLruModel slru(kCapacity);
  LruModel lru(kCapacity);
  std::size_t hits[3] = {0, 0, 0}, gets = 0;
  std::uint64_t scan_key = 1'000'000'000;
  for (std::size_t r = 1; r <= kRequests; ++r) {
    const auto key = static_cast<std::uint64_t>(
        std::lower_bound(cdf.begin(), cdf.end(), uniform(rng)) - cdf.begin());
    hits[0] += s3.Access(key);
    hits[1] += slru.Access(key);
    hits[2] += lru.Access(key);
    ++gets;
    if (r % 10000 != 0) continue;
    for (int i = 0; i < 3000; ++i, ++scan_key, ++gets) {
      hits[0] += s3.Access(scan_key);
      hits[1] += slru.Access(scan_key);
      hits[2] += lru.Access(scan_key);
    }
  }
  const double s3_ratio = static_cast<double>(hits[0]) / static_cast<double>(gets);
  const double slru_ratio = static_cast<double>(hits[1]) / static_cast<double>(gets);
  const double lru_ratio = static_cast<double>(hits[2]) / static_cast<double>(gets);
  std::printf("hit ratio: S3-FIFO %.4f, segmented LRU %.4f, LRU %.4f\n", s3_ratio, slru_ratio,
              lru_ratio);
  EXPECT_GT(s3_ratio, slru_ratio);
  EXPECT_GT(s3_ratio, lru_ratio);
}

}  // namespace
}  // namespace mnemo::memory
