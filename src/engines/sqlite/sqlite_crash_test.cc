// Crash durability: a child process stores items with durability normal from several threads
// and reports every acknowledgement through a pipe; it is killed with SIGKILL mid-stream. The
// reopened database must hold every acknowledged item with its value, flags, deadline and CAS.
// This test forks, so it has a binary of its own (no other threads exist when it forks).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "engines/sqlite/sqlite_engine.h"
#include "engines/sqlite/testing/temp_sqlite.h"
#include "manual_clock.h"

namespace mnemo {
namespace {

constexpr std::int64_t kStart = 1'700'000'000;
constexpr std::uint32_t kMaxWrites = 20000;  // the child stops here if never killed
constexpr std::size_t kKillAfter = 400;      // acknowledgements before the SIGKILL
constexpr int kWriterThreads = 4;

struct Ack {
  std::uint32_t index = 0;
  std::uint64_t cas = 0;
};

std::string KeyOf(std::uint32_t i) { return "crash:" + std::to_string(i); }
// Mixed sizes from empty to about 8 KB.
std::string ValueOf(std::uint32_t i) {
  const std::size_t size = (i * 2654435761u) % 8192 * (i % 5 != 0);
  return std::string(size, static_cast<char>('a' + i % 26)) + std::to_string(i);
}
std::uint32_t FlagsOf(std::uint32_t i) { return i * 40503u; }
std::int64_t ExptimeOf(std::uint32_t i) { return i % 3 == 0 ? 0 : 1000 + i % 500; }

SqliteEngineConfig Config(const std::string& path) {
  SqliteEngineConfig config = sqlite::testing::ConformanceConfig(path);
  config.durability = Durability::kNormal;
  config.size_limit_bytes = std::size_t{1} << 30;
  return config;
}

// The child: writes until killed. Exit codes other than death by SIGKILL mean trouble.
[[noreturn]] void WriteUntilKilled(const std::string& path, int ack_fd) {
  testing::ManualClock clock(kStart);
  auto engine = SqliteEngine::Open(clock, Config(path));
  if (!engine.ok()) _exit(2);
  std::atomic<std::uint32_t> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kWriterThreads; ++t) {
    threads.emplace_back([&] {
      for (std::uint32_t i = next++; i < kMaxWrites; i = next++) {
        const std::string key = KeyOf(i), value = ValueOf(i);
        StoreRequest request{HashedKey(key)};
        request.value = value;
        request.client_flags = FlagsOf(i);
        request.exptime = ExptimeOf(i);
        const StoreResult stored = (*engine)->Store(request);
        if (stored.status != StoreStatus::kStored) _exit(3);
        const Ack ack{i, stored.cas};
        if (write(ack_fd, &ack, sizeof ack) != sizeof ack) _exit(4);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  _exit(0);
}

TEST(SqliteCrashTest, EveryAcknowledgedWriteSurvivesSigkill) {
  sqlite::testing::TempDir dir;
  const std::string path = dir.File("items.db");
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    WriteUntilKilled(path, fds[1]);
  }
  close(fds[1]);
  std::vector<Ack> acks;
  Ack ack;
  bool killed = false;
  while (read(fds[0], &ack, sizeof ack) == static_cast<ssize_t>(sizeof ack)) {
    acks.push_back(ack);
    if (!killed && acks.size() >= kKillAfter) killed = kill(child, SIGKILL) == 0;
  }
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child status " << status;
  ASSERT_GE(acks.size(), kKillAfter);

  testing::ManualClock clock(kStart);
  auto engine = SqliteEngine::Open(clock, Config(path));
  ASSERT_TRUE(engine.ok()) << engine.error().message;
  for (const Ack& acked : acks) {
    const std::string key = KeyOf(acked.index);
    GetRequest request{HashedKey(key)};
    request.peek = true;
    bool found = false;
    (*engine)->Get(request, [&](const ItemView& view) {
      found = true;
      EXPECT_EQ(view.value, ValueOf(acked.index)) << key;
      EXPECT_EQ(view.client_flags, FlagsOf(acked.index)) << key;
      EXPECT_EQ(view.cas, acked.cas) << key;
      const std::int64_t exptime = ExptimeOf(acked.index);
      EXPECT_EQ(view.deadline, exptime == 0 ? 0 : kStart + exptime) << key;
    });
    EXPECT_TRUE(found) << key << " was acknowledged but is missing";
  }
}

}  // namespace
}  // namespace mnemo
