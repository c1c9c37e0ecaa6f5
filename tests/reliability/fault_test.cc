// Faults: half-closed sockets still get their replies; SIGTERM under load ends with status 0,
// the memory engine's snapshot written, and no client ever holding half a reply: what each
// client read is a whole number of replies, then a clean close. Every write acknowledged
// before the stop is in the snapshot the next start loads.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "reliability_util.h"

namespace mnemo::reliability {
namespace {

using integration::Client;
using integration::Mnemod;
using integration::ScratchDir;
using std::chrono::milliseconds;
using testing::ReadEnd;
using testing::TcpClient;

std::string Hit(const std::string& key, const std::string& value) {
  return "VALUE " + key + " 0 " + std::to_string(value.size()) + "\r\n" + value + "\r\n";
}

TEST(HalfClosed, RepliesArriveAfterTheClientStopsSending) {
  ScratchDir dir;
  Result<Mnemod> server = integration::StartMnemod(dir, {});
  ASSERT_TRUE(server.ok()) << server.error().message;
  Result<TcpClient> client = TcpClient::Connect(server->port);
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE(client->Send("set k 0 0 5\r\nhello\r\nget k\r\n").ok());
  client->ShutdownWrite();
  std::string reply;
  EXPECT_EQ(client->ReadUntilEof(&reply, milliseconds(5000)), ReadEnd::kClosed);
  EXPECT_EQ(reply, "STORED\r\n" + Hit("k", "hello") + "END\r\n");
}

TEST(HalfClosed, LongPipelineIsAnsweredInFull) {
  constexpr int kGets = 2000;
  ScratchDir dir;
  Result<Mnemod> server = integration::StartMnemod(dir, {});
  ASSERT_TRUE(server.ok()) << server.error().message;
  const std::string value(1000, 'v');
  Result<Client> setter = server->Connect();
  ASSERT_TRUE(setter.ok());
  ASSERT_EQ(setter->Ask("set big 0 0 1000\r\n" + value + "\r\n"), "STORED\r\n");
  std::string batch;
  for (int i = 0; i < kGets; ++i) batch += "get big\r\n";
  Result<TcpClient> client = TcpClient::Connect(server->port);
  ASSERT_TRUE(client.ok());
  Result<void> sent;
  std::thread sender([&] {
    sent = client->Send(batch, milliseconds(10000));
    client->ShutdownWrite();
  });
  std::string replies;
  const ReadEnd end = client->ReadUntilEof(&replies, milliseconds(20000));
  sender.join();
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ(end, ReadEnd::kClosed);
  std::string expected;
  for (int i = 0; i < kGets; ++i) expected += Hit("big", value) + "END\r\n";
  EXPECT_EQ(replies.size(), expected.size());
  EXPECT_TRUE(replies == expected);
}

TEST(HalfClosed, PartialRequestThenEofClosesWithoutReply) {
  ScratchDir dir;
  Result<Mnemod> server = integration::StartMnemod(dir, {});
  ASSERT_TRUE(server.ok()) << server.error().message;
  Result<TcpClient> client = TcpClient::Connect(server->port);
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE(client->Send("set k 0 0 5\r\nhel").ok());
  client->ShutdownWrite();
  std::string reply;
  EXPECT_EQ(client->ReadUntilEof(&reply, milliseconds(5000)), ReadEnd::kClosed);
  EXPECT_EQ(reply, "");
  Result<Client> other = server->Connect();
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->Ask("get k\r\n", "END\r\n"), "END\r\n");  // the half value was not stored
}

// One writer under SIGTERM: batches of five sets and a get of them, each batch's replies
// checked whole; `acked` gets every key whose STORED arrived.
struct Writer {
  int id = 0;
  std::atomic<int> batches{0};
  std::map<std::string, std::string> acked;
  std::string error;  // empty: every byte read was part of a complete, expected reply

  void Run(std::uint16_t port) {
    Result<TcpClient> client = TcpClient::Connect(port);
    if (!client) {
      error = client.error().message;
      return;
    }
    for (int n = 0; n < 600; ++n) {
      std::string batch, expected, get = "get";
      std::vector<std::pair<std::string, std::string>> keys;
      for (int j = 0; j < 5; ++j) {
        const std::string key = "w" + std::to_string(id) + "_" + std::to_string(n * 5 + j);
        const std::string value(1 + (n * 37 + j * 101) % 900, static_cast<char>('a' + j));
        batch += "set " + key + " 0 0 " + std::to_string(value.size()) + "\r\n" + value + "\r\n";
        get += " " + key;
        keys.emplace_back(key, value);
      }
      batch += get + "\r\n";
      expected = "STORED\r\nSTORED\r\nSTORED\r\nSTORED\r\nSTORED\r\n";
      for (const auto& [key, value] : keys) expected += Hit(key, value);
      expected += "END\r\n";
      if (!client->Send(batch).ok()) return;  // the server is gone: nothing half-read here
      std::string reply;
      const ReadEnd end = client->ReadUntil(
          &reply, [&](std::string_view r) { return r.size() >= expected.size(); },
          milliseconds(8000));
      if (!CheckReply(reply, expected, keys, end)) return;
      ++batches;
    }
  }

  // A stop may end the connection between replies, never inside one.
  bool CheckReply(const std::string& reply, const std::string& expected,
                  const std::vector<std::pair<std::string, std::string>>& keys, ReadEnd end) {
    if (reply == expected) {
      for (const auto& [key, value] : keys) acked[key] = value;
      return true;
    }
    if (end != ReadEnd::kClosed || !expected.starts_with(reply)) {
      error = std::string("read ") + testing::ReadEndName(end) + " with " + reply;
      return false;
    }
    // The reply boundaries: after each STORED line, and at the end of the get's reply.
    constexpr std::size_t kStored = 8;  // "STORED\r\n"
    const std::size_t cut = reply.size();
    if (cut > 5 * kStored || cut % kStored != 0) error = "half a reply: " + reply;
    for (std::size_t i = 0; i < std::min<std::size_t>(cut / kStored, 5); ++i) {
      acked[keys[i].first] = keys[i].second;
    }
    return false;
  }
};

TEST(Sigterm, UnderLoadSnapshotIsWrittenAndNoReplyIsCut) {
  constexpr int kWriters = 6;
  ScratchDir dir;
  const std::string snapshot = dir.Path("cache.snapshot");
  Result<Mnemod> server = integration::StartMnemod(dir, {"--snapshot", snapshot, "-t", "2"});
  ASSERT_TRUE(server.ok()) << server.error().message;
  std::vector<Writer> writers(kWriters);
  std::vector<std::thread> threads;
  for (int i = 0; i < kWriters; ++i) {
    writers[i].id = i;
    threads.emplace_back([&, i] { writers[i].Run(server->port); });
  }
  // Stop once every writer is in full flow.
  const auto deadline = std::chrono::steady_clock::now() + milliseconds(10000);
  auto flowing = [&] {
    for (const Writer& w : writers) {
      if (w.batches < 20) return false;
    }
    return true;
  };
  while (!flowing() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  ASSERT_TRUE(flowing());
  ::kill(server->process.pid(), SIGTERM);
  std::optional<int> status = integration::WaitForExit(server->process, milliseconds(15000));
  for (std::thread& thread : threads) thread.join();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << server->Log();
  EXPECT_NE(server->Log().find("snapshot " + snapshot + ": saved "), std::string::npos)
      << server->Log();
  std::size_t acked = 0;
  for (const Writer& w : writers) {
    EXPECT_EQ(w.error, "") << "writer " << w.id;
    acked += w.acked.size();
  }
  EXPECT_GE(acked, static_cast<std::size_t>(kWriters * 20 * 5));
  RecordProperty("acknowledged_writes", static_cast<int>(acked));
  RecordProperty("writers_cut_mid_run",
                 static_cast<int>(std::count_if(writers.begin(), writers.end(),
                                                [](const Writer& w) { return w.batches < 600; })));

  // Every acknowledged write survives the restart.
  Result<Mnemod> again = integration::StartMnemod(dir, {"--snapshot", snapshot});
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_NE(again->Log().find("snapshot " + snapshot + ": loaded "), std::string::npos)
      << again->Log();
  Result<Client> reader = again->Connect();
  ASSERT_TRUE(reader.ok());
  std::size_t missing = 0;
  for (const Writer& w : writers) {
    for (const auto& [key, value] : w.acked) {
      if (reader->Ask("get " + key + "\r\n", "END\r\n") != Hit(key, value) + "END\r\n") {
        ++missing;
      }
    }
  }
  EXPECT_EQ(missing, 0u) << "of " << acked << " acknowledged writes";
}

}  // namespace
}  // namespace mnemo::reliability
