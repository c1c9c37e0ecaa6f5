// Bounds hit on purpose: a line with no end, a key over 250 bytes, a get with 100,000 keys and
// a get line with no end, a value over -I, more clients than -c, a client that never reads its
// replies, and slow byte-at-a-time senders. Each time the offender gets memcached's answer (or is
// disconnected, where memcached disconnects), the server's memory stays bounded, and another client
// is answered within 100 ms meanwhile: the one timing assertion, which issue #8 asks for, with a
// bound far above a loopback round trip.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "mnemod_harness.h"

namespace mnemo::integration {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kServedWithin = std::chrono::milliseconds(100);

// Resident memory of a process in KiB, from /proc (0 if unreadable).
std::uint64_t ResidentKib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string word;
  while (status >> word) {
    if (word == "VmRSS:") {
      std::uint64_t kib = 0;
      status >> kib;
      return kib;
    }
  }
  return 0;
}

// A bystander asks `rounds` times; every answer must be right and come within kServedWithin.
void ExpectServedPromptly(const Mnemod& server, int rounds = 20) {
  Result<Client> client = server.Connect();
  ASSERT_TRUE(client.ok());
  ASSERT_EQ(client->Ask("set bystander 0 0 2\r\nok\r\n"), "STORED\r\n");
  for (int i = 0; i < rounds; ++i) {
    const Clock::time_point start = Clock::now();
    EXPECT_EQ(client->Ask("get bystander\r\n", "END\r\n"), "VALUE bystander 0 2\r\nok\r\nEND\r\n");
    EXPECT_LT(Clock::now() - start, kServedWithin) << "round " << i;
  }
}

class LimitsTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> args = {}) {
    Result<Mnemod> started = StartMnemod(dir_, std::move(args));
    ASSERT_TRUE(started.ok()) << started.error().message;
    server_.emplace(std::move(*started));
  }
  ScratchDir dir_;
  std::optional<Mnemod> server_;
};

TEST_F(LimitsTest, EndlessLineIsDisconnectedAndLongLinesAnswered) {
  Start();
  Result<Client> endless = server_->Connect();
  ASSERT_TRUE(endless.ok());
  ASSERT_TRUE(endless->Send(std::string(5000, 'x')));
  EXPECT_EQ(endless->ReadToClose(), "");  // memcached 1.6.18 closes too
  Result<Client> client = server_->Connect();
  ASSERT_TRUE(client.ok());
  EXPECT_EQ(client->Ask(std::string(5000, 'x') + "\r\n"), "ERROR\r\n");
  EXPECT_EQ(client->Ask("get " + std::string(251, 'k') + "\r\n"),
            "CLIENT_ERROR bad command line format\r\n");
  EXPECT_EQ(client->Ask("set big 0 0 2097152\r\n" + std::string(2097152, 'v') + "\r\n"),
            "SERVER_ERROR object too large for cache\r\n");
  EXPECT_EQ(client->Ask("version\r\n"), "VERSION 1.6.18\r\n");
  ExpectServedPromptly(*server_);
}

TEST_F(LimitsTest, GetWithAHundredThousandKeys) {
  Start();
  Result<Client> client = server_->Connect();
  ASSERT_TRUE(client.ok());
  ASSERT_EQ(client->Ask("set key99999 0 0 1\r\nz\r\n"), "STORED\r\n");
  std::string line = "get";
  for (int i = 0; i < 100000; ++i) line += " key" + std::to_string(i);
  EXPECT_EQ(client->Ask(line + "\r\n", "END\r\n"), "VALUE key99999 0 1\r\nz\r\nEND\r\n");
  // A get line is not unbounded (memcached's is): past 1 MiB without an end, it is cut off.
  Result<Client> endless = server_->Connect();
  ASSERT_TRUE(endless.ok());
  ASSERT_TRUE(endless->Send("get " + std::string(2 * 1024 * 1024, 'k')));
  EXPECT_TRUE(endless->ReadToClose().has_value());
  ExpectServedPromptly(*server_);
}

TEST_F(LimitsTest, ConnectionsOverDashCAreRefusedAndRoomIsMadeAgain) {
  Start({"-c", "10"});
  std::vector<Client> held;
  std::string refusal;
  for (int i = 0; i < 20 && refusal.empty(); ++i) {
    Result<Client> client = server_->Connect();
    ASSERT_TRUE(client.ok());
    // An accepted client answers; a refused one gets memcached's line and is closed.
    const std::string answer = client->Ask("version\r\n");
    if (answer == "VERSION 1.6.18\r\n") {
      held.push_back(std::move(*client));
    } else {
      refusal = answer;
    }
  }
  EXPECT_EQ(refusal, "ERROR Too many open connections\r\n");
  EXPECT_LE(held.size(), 10u);
  held.clear();  // closes them all
  bool served = false;
  const Clock::time_point deadline = Clock::now() + kTimeout;
  while (!served && Clock::now() < deadline) {
    Result<Client> client = server_->Connect();
    served = client.ok() && client->Ask("version\r\n") == "VERSION 1.6.18\r\n";
  }
  EXPECT_TRUE(served);
}

TEST_F(LimitsTest, ClientThatNeverReadsDoesNotGrowTheServer) {
  Start();
  Result<Client> writer = server_->Connect();
  ASSERT_TRUE(writer.ok());
  const std::string value(512 * 1024, 'v');
  ASSERT_EQ(writer->Ask("set big 0 0 " + std::to_string(value.size()) + "\r\n" + value + "\r\n"),
            "STORED\r\n");
  const std::uint64_t before = ResidentKib(server_->process.pid());
  // 2,000 gets of 512 KiB: a gigabyte of replies that the client never reads.
  Result<Client> sink = server_->Connect();
  ASSERT_TRUE(sink.ok());
  std::string gets;
  for (int i = 0; i < 2000; ++i) gets += "get big\r\n";
  ASSERT_TRUE(sink->Send(gets));
  // Wait until the server is stuck writing to the sink (its socket buffers are full).
  Result<Client> watcher = server_->Connect();
  ASSERT_TRUE(watcher.ok());
  bool blocked = false;
  const Clock::time_point deadline = Clock::now() + kTimeout;
  while (!blocked && Clock::now() < deadline) {
    blocked =
        watcher->Ask("stats conns\r\n", "END\r\n").find("state conn_mwrite") != std::string::npos;
  }
  EXPECT_TRUE(blocked);
  ExpectServedPromptly(*server_);
  const std::uint64_t after = ResidentKib(server_->process.pid());
  EXPECT_LT(after, before + 64 * 1024) << "KiB before " << before << ", after " << after;
}

TEST_F(LimitsTest, SlowByteAtATimeSendersDoNotHoldOthersUp) {
  Start();
  std::atomic<bool> stop{false};
  std::vector<std::thread> senders;
  for (int i = 0; i < 8; ++i) {
    senders.emplace_back([&] {
      Result<Client> slow = server_->Connect();
      if (!slow.ok()) return;
      const std::string request = "set slow 0 0 4\r\nslow\r\nget slow\r\n";
      for (std::size_t at = 0; !stop; at = (at + 1) % request.size()) {
        if (!slow->Send(request.substr(at, 1))) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    });
  }
  ExpectServedPromptly(*server_, 50);
  stop = true;
  for (std::thread& sender : senders) sender.join();
  ExpectServedPromptly(*server_, 5);
}

}  // namespace
}  // namespace mnemo::integration
