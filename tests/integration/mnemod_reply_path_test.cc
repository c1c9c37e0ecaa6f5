// How mnemod writes replies (src/server/connection.cc): it sends what the socket takes at once
// and waits in the event loop only for the rest. These tests hold the paths that fast path adds:
// a reply far larger than the socket buffer while its client does not read must not stall the
// other connections of the same worker, must arrive whole once the client reads, and a client
// that leaves in the middle of it must only end its own connection.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "mnemod_harness.h"

namespace mnemo::integration {
namespace {

constexpr int kGets = 24;
constexpr std::size_t kValueBytes = 512 * 1024;

std::string OneReply(const std::string& value) {
  return "VALUE big 0 " + std::to_string(value.size()) + "\r\n" + value + "\r\nEND\r\n";
}

std::string ManyGets() {
  std::string requests;
  for (int i = 0; i < kGets; ++i) requests += "get big\r\n";
  return requests + "version\r\n";
}

std::string CurrConnections(Client& client) {
  return ParseStats(client.Ask("stats\r\n", "END\r\n"))["curr_connections"];
}

// Polls `stats` until curr_connections reads `expected` (bounded: the harness's timeout).
bool WaitForConnections(Client& client, const std::string& expected) {
  const auto deadline = std::chrono::steady_clock::now() + kTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (CurrConnections(client) == expected) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST(MnemodReplyPath, UnreadReplyDoesNotStallItsWorker) {
  ScratchDir dir;
  Result<Mnemod> server = StartMnemod(dir, {"-t", "1"});  // both clients on one worker
  ASSERT_TRUE(server.ok()) << server.error().message;
  Result<Client> slow = server->Connect();
  Result<Client> other = server->Connect();
  ASSERT_TRUE(slow.ok() && other.ok());
  const std::string value(kValueBytes, 'v');
  ASSERT_EQ(slow->Ask("set big 0 0 " + std::to_string(value.size()) + "\r\n" + value + "\r\n"),
            "STORED\r\n");
  // 12 MiB of replies that `slow` does not read yet: the first send fills its socket buffer.
  ASSERT_TRUE(slow->Send(ManyGets()));
  EXPECT_EQ(other->Ask("version\r\n"), "VERSION 1.6.18\r\n");
  EXPECT_EQ(other->Ask("get nothing\r\n", "END\r\n"), "END\r\n");
  const std::string reply = slow->ReadUntil("VERSION 1.6.18\r\n", std::chrono::seconds(20));
  const std::string one = OneReply(value);
  ASSERT_EQ(reply.size(), one.size() * kGets + 16);
  for (int i = 0; i < kGets; ++i) {
    ASSERT_EQ(reply.compare(one.size() * i, one.size(), one), 0) << "reply " << i;
  }
}

TEST(MnemodReplyPath, ClientLeavingMidReplyEndsOnlyItsConnection) {
  ScratchDir dir;
  Result<Mnemod> server = StartMnemod(dir, {"-t", "1"});
  ASSERT_TRUE(server.ok()) << server.error().message;
  Result<Client> other = server->Connect();
  ASSERT_TRUE(other.ok());
  const std::string alone = CurrConnections(*other);
  ASSERT_FALSE(alone.empty());
  const std::string value(kValueBytes, 'w');
  {
    Result<Client> leaving = server->Connect();
    ASSERT_TRUE(leaving.ok());
    ASSERT_EQ(leaving->Ask("set big 0 0 " + std::to_string(value.size()) + "\r\n" + value + "\r\n"),
              "STORED\r\n");
    ASSERT_TRUE(leaving->Send(ManyGets()));
    // Closed with replies unread: the server's next send fails (reset), mid-reply.
  }
  EXPECT_TRUE(WaitForConnections(*other, alone));
  EXPECT_EQ(other->Ask("get big\r\n", "END\r\n"), OneReply(value));
  EXPECT_TRUE(server->process.Running());
}

}  // namespace
}  // namespace mnemo::integration
