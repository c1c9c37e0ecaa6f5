// SharedDomain: publish and read back, older versions ignored, no torn reads under concurrent
// writers, a writer that died mid-update, and the leader lock.
#include "domain_shm.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <thread>
#include <vector>

namespace mnemo::client {
namespace {

class SharedDomainTest : public ::testing::Test {
 protected:
  void SetUp() override { SharedDomain::Remove(name_); }
  void TearDown() override { SharedDomain::Remove(name_); }

  // A list whose every entry is derivable from its version, so a torn copy shows.
  static domains::List ListFor(std::uint64_t version) {
    domains::List list{version, {}};
    for (std::uint64_t i = 0; i <= version % 7; ++i) {
      list.servers.push_back(
          {"host" + std::to_string(i) + ":" + std::to_string(version % 60000 + 1),
           static_cast<std::uint32_t>(version % 5 + 1)});
    }
    return list;
  }

  const std::string name_ = "shm-test-" + std::to_string(getpid());
};

TEST_F(SharedDomainTest, PublishAndRead) {
  auto shared = SharedDomain::Open(name_);
  ASSERT_TRUE(shared) << shared.error().message;
  EXPECT_FALSE((*shared)->Read());
  ASSERT_TRUE((*shared)->Publish(ListFor(5)));
  auto other = SharedDomain::Open(name_);  // another process would map the same segment
  ASSERT_TRUE(other);
  auto read = (*other)->Read();
  ASSERT_TRUE(read);
  EXPECT_EQ(read->version, 5u);
  EXPECT_EQ(read->servers, ListFor(5).servers);
  ASSERT_TRUE((*other)->Publish(ListFor(3)));  // older: ignored
  EXPECT_EQ((*shared)->Read()->version, 5u);
  ASSERT_TRUE((*other)->Publish(ListFor(6)));
  EXPECT_EQ((*shared)->Read()->servers, ListFor(6).servers);
}

TEST_F(SharedDomainTest, TooLongToShare) {
  auto shared = SharedDomain::Open(name_);
  ASSERT_TRUE(shared);
  domains::List huge{1, std::vector<domains::Server>(2000, {"a-rather-long-host-name:11211", 1})};
  EXPECT_FALSE((*shared)->Publish(huge));
  EXPECT_FALSE((*shared)->Read());
}

TEST_F(SharedDomainTest, WriterThatDiedLeavesTheLastCompleteList) {
  auto shared = SharedDomain::Open(name_);
  ASSERT_TRUE(shared);
  ASSERT_TRUE((*shared)->Publish(ListFor(1)));  // slot 0
  ASSERT_TRUE((*shared)->Publish(ListFor(2)));  // slot 1
  // What a writer of version 3 leaves when it dies inside slot 0: an odd sequence, garbage.
  const int fd = shm_open(SharedDomain::SegmentName(name_).c_str(), O_RDWR, 0);
  ASSERT_GE(fd, 0);
  const std::size_t slot_bytes = (3 + SharedDomain::kMaxTextBytes / 8) * 8;
  void* memory = mmap(nullptr, 2 * slot_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ASSERT_NE(memory, MAP_FAILED);
  auto* slot0 = static_cast<std::atomic<std::uint64_t>*>(memory);
  slot0[0].fetch_add(1);  // sequence: odd
  slot0[1].store(3);      // version
  slot0[3].store(0x2020202020202020ull);
  auto read = (*shared)->Read();
  ASSERT_TRUE(read);
  EXPECT_EQ(read->version, 2u);
  EXPECT_EQ(read->servers, ListFor(2).servers);
  // The next writer reuses the abandoned slot.
  ASSERT_TRUE((*shared)->Publish(ListFor(4)));
  EXPECT_EQ(slot0[0].load() % 2, 0u);
  EXPECT_EQ((*shared)->Read()->servers, ListFor(4).servers);
  munmap(memory, 2 * slot_bytes);
  close(fd);
}

TEST_F(SharedDomainTest, ReadersNeverSeeATornList) {
  auto writer = SharedDomain::Open(name_);
  ASSERT_TRUE(writer);
  ASSERT_TRUE((*writer)->Publish(ListFor(1)));
  std::atomic<bool> done{false};
  std::atomic<int> bad{0};
  std::atomic<int> torn{0};
  std::atomic<int> older{0};
  std::atomic<int> read{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      auto reader = SharedDomain::Open(name_);
      if (!reader) return ++bad, void();
      std::uint64_t last = 0;
      while (!done) {
        // No list at all is allowed: a reader descheduled while the writer rewrites both slots
        // again and again gives up (the client keeps the list it has). A wrong or older one is
        // never allowed.
        auto list = (*reader)->Read();
        if (!list) continue;
        ++read;
        if (list->servers != ListFor(list->version).servers) ++torn;
        if (list->version < last) ++older;
        last = list->version;
      }
    });
  }
  for (std::uint64_t v = 2; v < 20000; ++v) ASSERT_TRUE((*writer)->Publish(ListFor(v)));
  done = true;
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(torn.load(), 0);
  EXPECT_EQ(older.load(), 0);
  EXPECT_GT(read.load(), 0);
  EXPECT_EQ((*writer)->Read()->version, 19999u);
}

TEST_F(SharedDomainTest, OneLeaderAtATime) {
  auto first = SharedDomain::Open(name_);
  auto second = SharedDomain::Open(name_);
  ASSERT_TRUE(first && second);
  EXPECT_TRUE((*first)->TryLead());
  EXPECT_TRUE((*first)->TryLead());
  EXPECT_FALSE((*second)->TryLead());
  first.value().reset();  // the leader goes away: its lock with it
  EXPECT_TRUE((*second)->TryLead());
  EXPECT_TRUE((*second)->leading());
}

}  // namespace
}  // namespace mnemo::client
