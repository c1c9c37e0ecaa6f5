// -o read_buf_mem_limit hit on purpose: many clients each leave a large value half sent under
// a 1 MiB budget. Those the budget cannot hold get memcached's "SERVER_ERROR out of memory
// reading request" (binary: status 0x82) and are closed, the rest stay connected, `stats`
// shows read_buf_* as memcached names them, a well-behaved client is served throughout, and
// once the senders are gone the budget is whole again. Also: a connection that has received a
// large reply does not keep its buffer while idle.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mnemod_harness.h"

namespace mnemo::integration {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::string_view kRefusal = "SERVER_ERROR out of memory reading request\r\n";
constexpr std::uint64_t kLimit = 1024 * 1024;  // read_buf_mem_limit=1

class ReadBufMemLimitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // -I 2m: a single value may be larger than the whole read buffer budget.
    Result<Mnemod> started =
        StartMnemod(dir_, {"-t", "2", "-I", "2m", "-o", "read_buf_mem_limit=1"});
    ASSERT_TRUE(started.ok()) << started.error().message;
    server_.emplace(std::move(*started));
  }

  Client Connect() {
    Result<Client> client = server_->Connect();
    EXPECT_TRUE(client.ok()) << client.error().message;
    return std::move(*client);
  }

  std::map<std::string, std::string> Stats(Client& client) {
    return ParseStats(client.Ask("stats\r\n", "END\r\n"));
  }
  static std::uint64_t Number(const std::map<std::string, std::string>& stats,
                              const std::string& name) {
    auto found = stats.find(name);
    return found == stats.end() ? ~std::uint64_t{0} : std::stoull(found->second);
  }

  // Polls `stats` until `done` holds for it (bounded by kTimeout); returns the last stats.
  template <class Done>
  std::map<std::string, std::string> WaitForStats(Client& client, Done done) {
    std::map<std::string, std::string> stats = Stats(client);
    const Clock::time_point deadline = Clock::now() + kTimeout;
    while (!done(stats) && Clock::now() < deadline) stats = Stats(client);
    return stats;
  }

  static void ExpectServed(Client& client, int round) {
    const std::string key = "good" + std::to_string(round);
    EXPECT_EQ(client.Ask("set " + key + " 0 0 2\r\nok\r\n"), "STORED\r\n");
    EXPECT_EQ(client.Ask("get " + key + "\r\n", "END\r\n"),
              "VALUE " + key + " 0 2\r\nok\r\nEND\r\n");
  }

  ScratchDir dir_;
  std::optional<Mnemod> server_;
};

TEST_F(ReadBufMemLimitTest, HalfSentValuesBeyondTheBudgetAreRefusedOthersServed) {
  Client good = Connect();
  ExpectServed(good, 0);
  // 20 senders of 100,000 bytes of a 500,000-byte value: at most 10 fit in 1 MiB.
  constexpr int kSenders = 20;
  std::vector<Client> senders;
  for (int i = 0; i < kSenders; ++i) {
    senders.push_back(Connect());
    ASSERT_TRUE(senders.back().Send("set hog" + std::to_string(i) + " 0 0 500000\r\n" +
                                    std::string(100000, 'x')));
    ExpectServed(good, i + 1);
  }
  // Each sender ends up holding a grown buffer or refused (counted once, then closed). The
  // 100,000 bytes may arrive in pieces: until they have, a sender holds a smaller buffer that
  // may still be refused when it grows, so wait for every held buffer to be whole.
  const auto stats = WaitForStats(good, [&](const auto& s) {
    return Number(s, "read_buf_count") + Number(s, "read_buf_oom") == kSenders &&
           Number(s, "read_buf_bytes") >= Number(s, "read_buf_count") * 100000;
  });
  const std::uint64_t held = Number(stats, "read_buf_count");
  const std::uint64_t refused = Number(stats, "read_buf_oom");
  EXPECT_EQ(held + refused, std::uint64_t{kSenders});
  EXPECT_GE(refused, 10u);
  EXPECT_GE(held, 1u);
  EXPECT_LE(Number(stats, "read_buf_bytes"), kLimit);
  EXPECT_GE(Number(stats, "read_buf_bytes"), held * 100000);
  EXPECT_EQ(Number(stats, "read_buf_bytes_free"), 0u);
  ExpectServed(good, 100);

  // Every sender now sends the rest of its value. Those refused before were closed after the
  // refusal line; the others are read on and get STORED, or the refusal if their buffer cannot
  // grow to the whole value: one line each, and every refusal counted in read_buf_oom.
  std::uint64_t refusals = 0;
  for (Client& sender : senders) {
    sender.Send(std::string(400000, 'x') + "\r\n");  // fails once the server has closed
    const std::string reply = sender.ReadUntil("\r\n");
    if (reply == kRefusal) {
      ++refusals;
      EXPECT_EQ(sender.ReadToClose(), "");
    } else {
      EXPECT_EQ(reply, "STORED\r\n");
    }
  }
  EXPECT_GE(refusals, refused);
  const auto final_stats = Stats(good);
  EXPECT_EQ(Number(final_stats, "read_buf_oom"), refusals);
  EXPECT_LE(Number(final_stats, "read_buf_bytes"), kLimit);
  senders.clear();
  const auto after = WaitForStats(good, [](const auto& s) {
    return Number(s, "read_buf_count") == 0 && Number(s, "read_buf_bytes") == 0;
  });
  EXPECT_EQ(Number(after, "read_buf_count"), 0u);
  EXPECT_EQ(Number(after, "read_buf_bytes"), 0u);
  // With the budget back, a large value is read again.
  const std::string value(500000, 'v');
  EXPECT_EQ(good.Ask("set big 0 0 500000\r\n" + value + "\r\n"), "STORED\r\n");
}

TEST_F(ReadBufMemLimitTest, AValueLargerThanTheBudgetIsRefusedInEveryProtocol) {
  Client good = Connect();
  const std::string value(1500000, 'v');  // under -I 2m, over the 1 MiB budget
  Client ascii = Connect();
  ASSERT_TRUE(ascii.Send("set big 0 0 1500000\r\n" + value + "\r\n"));
  EXPECT_EQ(ascii.ReadToClose(), std::string(kRefusal));
  Client meta = Connect();
  ASSERT_TRUE(meta.Send("ms big 1500000\r\n" + value + "\r\n"));
  EXPECT_EQ(meta.ReadToClose(), std::string(kRefusal));
  // Binary set, opaque 0x0a0b0c0d: the reply echoes opcode and opaque, status 0x82 (memcached
  // strips "SERVER_ERROR " from the text).
  std::string header = {'\x80', '\x01', '\x00', '\x03', '\x08', '\x00', '\x00', '\x00'};
  const std::uint32_t body = 8 + 3 + 1500000;
  for (int shift = 24; shift >= 0; shift -= 8) header += static_cast<char>(body >> shift);
  header += std::string("\x0a\x0b\x0c\x0d", 4) + std::string(8, '\0');
  Client binary = Connect();
  ASSERT_TRUE(binary.Send(header + std::string(8, '\0') + "big" + value));
  const std::optional<std::string> reply = binary.ReadToClose();
  ASSERT_TRUE(reply.has_value());
  ASSERT_GE(reply->size(), 24u);
  EXPECT_EQ(reply->substr(0, 8), std::string("\x81\x01\x00\x00\x00\x00\x00\x82", 8));
  EXPECT_EQ(reply->substr(12, 4), "\x0a\x0b\x0c\x0d");
  EXPECT_EQ(reply->substr(24), "out of memory reading request");
  const auto stats = Stats(good);
  EXPECT_EQ(Number(stats, "read_buf_oom"), 3u);
  EXPECT_EQ(Number(stats, "read_buf_count"), 0u);
  ExpectServed(good, 1);
  // A value that fits the budget is still read whole.
  EXPECT_EQ(good.Ask("set fits 0 0 600000\r\n" + std::string(600000, 'f') + "\r\n"),
            "STORED\r\n");
  const auto settings = ParseStats(good.Ask("stats settings\r\n", "END\r\n"));
  EXPECT_EQ(settings.at("read_buf_mem_limit"), std::to_string(kLimit));
}

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

TEST_F(ReadBufMemLimitTest, IdleConnectionsKeepNoLargeReplyBuffer) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer keeps freed memory in quarantine";
#endif
  Client writer = Connect();
  const std::string value(900000, 'v');
  ASSERT_EQ(writer.Ask("set big 0 0 900000\r\n" + value + "\r\n"), "STORED\r\n");
  const std::uint64_t before = ResidentKib(server_->process.pid());
  // 100 connections each receive a 900 KB reply and stay open: kept, their reply buffers
  // would add about 90 MB.
  std::vector<Client> readers;
  for (int i = 0; i < 100; ++i) {
    readers.push_back(Connect());
    ASSERT_EQ(readers.back().Ask("get big\r\n", "END\r\n").size(), value.size() + 27);
  }
  const std::uint64_t after = ResidentKib(server_->process.pid());
  EXPECT_LT(after, before + 40 * 1024) << "KiB before " << before << ", after " << after;
}

}  // namespace
}  // namespace mnemo::integration
