// The watchers' queues: bounded with memcached's skip notice, wake-ups only when needed, and
// the bus's places, flags and order.
#include "server/watch_bus.h"

#include <gtest/gtest.h>

#include <thread>

namespace mnemo::server {
namespace {

TEST(WatcherTest, QueuesLinesInOrderAndWakesOncePerDrain) {
  int wakes = 0;
  Watcher watcher(kWatchFetchers, 1, 1024, [&] { ++wakes; });
  watcher.Offer("one\n");
  watcher.Offer("two\n");
  EXPECT_EQ(wakes, 1);  // the second line found a wake-up already on its way
  EXPECT_EQ(watcher.Take(), "one\ntwo\n");
  EXPECT_EQ(watcher.Take(), "");
  watcher.Offer("three\n");
  EXPECT_EQ(wakes, 2);
  EXPECT_EQ(watcher.Take(), "three\n");
}

TEST(WatcherTest, OverflowIsCountedAndAnnouncedBeforeTheNextLine) {
  const std::string line(100, 'x');
  // Room for one line plus the reserve for a skip notice, not for two lines.
  Watcher watcher(kWatchFetchers, 1, line.size() + 128 + 50, nullptr);
  watcher.Offer(line);
  watcher.Offer(line);
  watcher.Offer(line);
  EXPECT_EQ(watcher.Take(), line);
  watcher.Offer(line);
  EXPECT_EQ(watcher.Take(), "skipped=2\n" + line);
  watcher.Offer(line);
  EXPECT_EQ(watcher.Take(), line);  // the count starts again
}

TEST(WatcherTest, ALineLargerThanTheQueueIsSkipped) {
  Watcher watcher(kWatchFetchers, 1, 200, nullptr);
  watcher.Offer(std::string(100, 'x'));
  EXPECT_EQ(watcher.Take(), "");
  watcher.Offer("y\n");
  EXPECT_EQ(watcher.Take(), "skipped=1\ny\n");
}

TEST(WatchBusTest, InactiveUntilAWatcherIsAdded) {
  WatchBus bus(true, 4096);
  EXPECT_EQ(bus.Active(), nullptr);
  ASSERT_EQ(bus.Reserve(), WatchStart::kStarted);
  EXPECT_EQ(bus.Active(), nullptr);  // reserved, not yet registered
  auto watcher = bus.Add(kWatchFetchers, nullptr);
  EXPECT_EQ(bus.Active(), &bus);
  bus.Remove(watcher);
  EXPECT_EQ(bus.Active(), nullptr);
  bus.Remove(watcher);  // a second removal changes nothing
  EXPECT_EQ(bus.Active(), nullptr);
}

TEST(WatchBusTest, DisabledRefuses) {
  WatchBus bus(false, 4096);
  EXPECT_EQ(bus.Reserve(), WatchStart::kDisabled);
}

TEST(WatchBusTest, TwentyWatchersAtMost) {
  WatchBus bus(true, 4096);
  for (int i = 0; i < WatchBus::kMaxWatchers; ++i) ASSERT_EQ(bus.Reserve(), WatchStart::kStarted);
  EXPECT_EQ(bus.Reserve(), WatchStart::kTooMany);
  bus.Release();
  EXPECT_EQ(bus.Reserve(), WatchStart::kStarted);
  auto watcher = bus.Add(kWatchFetchers, nullptr);
  EXPECT_EQ(bus.Reserve(), WatchStart::kTooMany);
  bus.Remove(watcher);  // frees its place
  EXPECT_EQ(bus.Reserve(), WatchStart::kStarted);
}

TEST(WatchBusTest, EachWatcherGetsTheKindsItAskedFor) {
  WatchBus bus(true, 4096);
  ASSERT_EQ(bus.Reserve(), WatchStart::kStarted);
  ASSERT_EQ(bus.Reserve(), WatchStart::kStarted);
  auto fetchers = bus.Add(kWatchFetchers, nullptr);
  auto mutations = bus.Add(kWatchMutations, nullptr);
  bus.ItemGet(FetchEvent{.key = "g"});
  bus.ItemStore(StoreEvent{.key = "s"});
  const std::string fetched = fetchers->Take();
  const std::string stored = mutations->Take();
  EXPECT_NE(fetched.find("type=item_get key=g "), std::string::npos);
  EXPECT_EQ(fetched.find("item_store"), std::string::npos);
  EXPECT_NE(stored.find("type=item_store key=s "), std::string::npos);
  EXPECT_EQ(stored.find("item_get"), std::string::npos);
  EXPECT_NE(fetched.find(" gid=1 "), std::string::npos);
  EXPECT_NE(stored.find(" gid=2 "), std::string::npos);
}

TEST(WatchBusTest, AWatcherSeesOnlyEventsAfterItStarted) {
  WatchBus bus(true, 4096);
  ASSERT_EQ(bus.Reserve(), WatchStart::kStarted);
  auto first = bus.Add(kWatchFetchers, nullptr);
  bus.ItemGet(FetchEvent{.key = "before"});
  ASSERT_EQ(bus.Reserve(), WatchStart::kStarted);
  auto second = bus.Add(kWatchFetchers, nullptr);
  bus.ItemGet(FetchEvent{.key = "after"});
  EXPECT_EQ(second->Take().find("before"), std::string::npos);
  EXPECT_NE(first->Take().find("before"), std::string::npos);
}

TEST(WatchBusTest, ConcurrentProducersLoseNothingThatFits) {
  WatchBus bus(true, 1 << 20);
  ASSERT_EQ(bus.Reserve(), WatchStart::kStarted);
  auto watcher = bus.Add(kWatchFetchers, nullptr);
  constexpr int kPerThread = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) bus.ItemGet(FetchEvent{.key = "k"});
    });
  }
  for (auto& thread : threads) thread.join();
  const std::string all = watcher->Take();
  EXPECT_EQ(static_cast<int>(std::count(all.begin(), all.end(), '\n')), 4 * kPerThread);
  EXPECT_EQ(all.find("skipped"), std::string::npos);
}

}  // namespace
}  // namespace mnemo::server
