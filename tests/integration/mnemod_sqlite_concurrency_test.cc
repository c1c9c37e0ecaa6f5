// Many clients at once on mnemod's sqlite engine, whose sessions run on the offload pool: two
// connections of one worker run on two pool threads at the same time. Every client must read
// its own writes, and `stats` must count every command exactly once (each connection counts
// into its own counters, folded into its worker's on the worker's thread). Labelled
// `concurrency`, so `make check` runs it against the ThreadSanitizer build of mnemod too.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "mnemod_harness.h"

namespace mnemo::integration {
namespace {

constexpr int kClients = 24;
constexpr int kRounds = 40;

// One client's work: each round stores a key, reads it back and bumps a shared counter.
// Returns the number of mismatches seen.
int RunClient(std::uint16_t port, int id) {
  Result<Client> client = Client::Tcp("127.0.0.1", port);
  if (!client.ok()) return kRounds;
  int wrong = 0;
  for (int round = 0; round < kRounds; ++round) {
    const std::string key = "c" + std::to_string(id) + "_" + std::to_string(round);
    const std::string value = std::to_string(id * 1000 + round);
    const std::string set = "set " + key + " " + std::to_string(id) + " 0 " +
                            std::to_string(value.size()) + "\r\n" + value + "\r\n";
    if (client->Ask(set) != "STORED\r\n") ++wrong;
    const std::string expected = "VALUE " + key + " " + std::to_string(id) + " " +
                                 std::to_string(value.size()) + "\r\n" + value + "\r\nEND\r\n";
    if (client->Ask("get " + key + "\r\n", "END\r\n") != expected) ++wrong;
    const std::string bumped = client->Ask("incr shared 1\r\n");
    if (bumped.empty() || bumped.find_first_not_of("0123456789\r\n") != std::string::npos) {
      ++wrong;
    }
  }
  return wrong;
}

TEST(MnemodSqliteConcurrency, ManyClientsCountedExactly) {
  ScratchDir dir;
  Result<Mnemod> server =
      StartMnemod(dir, {"--engine", "sqlite:" + dir.Path("c.db"), "-t", "2", "--cache-mb", "4"});
  ASSERT_TRUE(server.ok()) << server.error().message;
  Result<Client> admin = server->Connect();
  ASSERT_TRUE(admin.ok());
  ASSERT_EQ(admin->Ask("set shared 0 0 1\r\n0\r\n"), "STORED\r\n");

  std::atomic<int> wrong{0};
  std::vector<std::thread> clients;
  for (int id = 0; id < kClients; ++id) {
    clients.emplace_back([&, id] { wrong += RunClient(server->port, id); });
  }
  for (std::thread& client : clients) client.join();
  EXPECT_EQ(wrong.load(), 0);

  constexpr int kTotal = kClients * kRounds;
  EXPECT_EQ(admin->Ask("get shared\r\n", "END\r\n"),
            "VALUE shared 0 " + std::to_string(std::to_string(kTotal).size()) + "\r\n" +
                std::to_string(kTotal) + "\r\nEND\r\n");
  std::map<std::string, std::string> stats = ParseStats(admin->Ask("stats\r\n", "END\r\n"));
  EXPECT_EQ(stats["cmd_set"], std::to_string(kTotal + 1));
  EXPECT_EQ(stats["get_hits"], std::to_string(kTotal + 1));
  EXPECT_EQ(stats["cmd_get"], std::to_string(kTotal + 1));
  EXPECT_EQ(stats["incr_hits"], std::to_string(kTotal));
  EXPECT_EQ(stats["curr_items"], std::to_string(kTotal + 1));
  ::kill(server->process.pid(), SIGTERM);
  const std::optional<int> status = WaitForExit(server->process);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << server->Log();
}

}  // namespace
}  // namespace mnemo::integration
