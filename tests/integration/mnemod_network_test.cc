// mnemod's listeners and connections: -c (connection limit), -s/-a (Unix socket), IPv6 and
// several -l addresses, -t with clients on every worker, pipelining past the output high-water
// mark, -R (requests per event), the binary protocol, and a client that misbehaves.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "mnemod_harness.h"

namespace mnemo::integration {
namespace {

constexpr std::string_view kEnd = "END\r\n";

TEST(MnemodNetwork, ConnectionLimit) {
  ScratchDir dir;
  Result<Mnemod> server = StartMnemod(dir, {"-c", "2"});
  ASSERT_TRUE(server.ok()) << server.error().message;
  Result<Client> first = server->Connect();
  Result<Client> second = server->Connect();
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->Ask("version\r\n"), "VERSION 1.6.18\r\n");
  EXPECT_EQ(second->Ask("version\r\n"), "VERSION 1.6.18\r\n");
  Result<Client> third = server->Connect();
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->ReadToClose(),
            std::optional<std::string>("ERROR Too many open connections\r\n"));
  const auto stats = ParseStats(first->Ask("stats\r\n", kEnd));
  EXPECT_EQ(stats.at("rejected_connections"), "1");
  EXPECT_EQ(stats.at("curr_connections"), "2");
  EXPECT_EQ(stats.at("max_connections"), "2");
}

TEST(MnemodNetwork, UnixSocketWithMask) {
  ScratchDir dir;
  const std::string path = dir.Path("mnemod.sock");
  Result<Mnemod> server = StartMnemod(dir, {"-s", path, "-a", "0660"});
  ASSERT_TRUE(server.ok()) << server.error().message;
  ASSERT_EQ(server->listening, std::vector<std::string>{path});
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_TRUE(S_ISSOCK(info.st_mode));
  EXPECT_EQ(info.st_mode & 0777, 0660u);
  Result<Client> client = Client::Unix(path);
  ASSERT_TRUE(client.ok()) << client.error().message;
  EXPECT_EQ(client->Ask("set k 0 0 2\r\nhi\r\n"), "STORED\r\n");
  EXPECT_EQ(client->Ask("get k\r\n", kEnd), "VALUE k 0 2\r\nhi\r\nEND\r\n");
  const std::string conns = client->Ask("stats conns\r\n", kEnd);
  EXPECT_NE(conns.find("listen_addr unix:" + path), std::string::npos) << conns;
}

TEST(MnemodNetwork, SeveralAddressesIncludingIpv6) {
  ScratchDir dir;
  Result<Mnemod> server = StartMnemod(dir, {"-l", "127.0.0.1,[::1]:0"}, 2);
  if (!server.ok() && server.error().message.find("::1") != std::string::npos) {
    GTEST_SKIP() << "no IPv6 loopback here: " << server.error().message;
  }
  ASSERT_TRUE(server.ok()) << server.error().message;
  ASSERT_EQ(server->listening.size(), 2u);
  EXPECT_TRUE(server->listening[1].starts_with("[::1]:")) << server->listening[1];
  const std::string& v6 = server->listening[1];
  const auto port6 = static_cast<std::uint16_t>(std::stoi(v6.substr(v6.rfind(':') + 1)));
  Result<Client> over_v6 = Client::Tcp("::1", port6);
  ASSERT_TRUE(over_v6.ok()) << over_v6.error().message;
  EXPECT_EQ(over_v6->Ask("set k 0 0 1\r\n6\r\n"), "STORED\r\n");
  Result<Client> over_v4 = server->Connect();
  ASSERT_TRUE(over_v4.ok());
  EXPECT_EQ(over_v4->Ask("get k\r\n", kEnd), "VALUE k 0 1\r\n6\r\nEND\r\n");
  EXPECT_NE(over_v6->Ask("stats conns\r\n", kEnd).find("tcp6:[::1]:"), std::string::npos);
}

TEST(MnemodNetwork, ClientsOnEveryWorker) {
  ScratchDir dir;
  Result<Mnemod> server = StartMnemod(dir, {"-t", "4"});
  ASSERT_TRUE(server.ok()) << server.error().message;
  std::vector<Client> clients;
  for (int i = 0; i < 12; ++i) {
    Result<Client> client = server->Connect();
    ASSERT_TRUE(client.ok());
    clients.push_back(std::move(*client));
  }
  for (std::size_t i = 0; i < clients.size(); ++i) {
    const std::string key = "key" + std::to_string(i);
    EXPECT_EQ(clients[i].Ask("set " + key + " 0 0 1\r\nx\r\n"), "STORED\r\n");
  }
  // Every item is visible from every connection, whichever worker stored it.
  for (std::size_t i = 0; i < clients.size(); ++i) {
    const std::string key = "key" + std::to_string((i + 5) % clients.size());
    EXPECT_EQ(clients[i].Ask("get " + key + "\r\n", kEnd), "VALUE " + key + " 0 1\r\nx\r\nEND\r\n");
  }
  const auto stats = ParseStats(clients[0].Ask("stats\r\n", kEnd));
  EXPECT_EQ(stats.at("threads"), "4");
  EXPECT_EQ(stats.at("curr_connections"), "12");
  EXPECT_EQ(stats.at("cmd_set"), "12");
}

TEST(MnemodNetwork, PipelinePastHighWaterMark) {
  ScratchDir dir;
  Result<Mnemod> server = StartMnemod(dir, {"-t", "1"});
  ASSERT_TRUE(server.ok()) << server.error().message;
  Result<Client> client = server->Connect();
  ASSERT_TRUE(client.ok());
  const std::string value(500 * 1024, 'v');
  ASSERT_EQ(client->Ask("set big 0 0 " + std::to_string(value.size()) + "\r\n" + value + "\r\n"),
            "STORED\r\n");
  // 40 gets of 500 KiB: 20 MiB of replies to one pipelined write, far past the 1 MiB mark.
  constexpr int kGets = 40;
  std::string requests;
  for (int i = 0; i < kGets; ++i) requests += "get big\r\n";
  requests += "version\r\n";
  ASSERT_TRUE(client->Send(requests));
  const std::string reply = client->ReadUntil("VERSION 1.6.18\r\n", std::chrono::seconds(20));
  const std::string one =
      "VALUE big 0 " + std::to_string(value.size()) + "\r\n" + value + "\r\nEND\r\n";
  ASSERT_EQ(reply.size(), one.size() * kGets + 16);
  EXPECT_EQ(reply.substr(0, one.size()), one);
  EXPECT_EQ(reply.substr(one.size() * (kGets - 1), one.size()), one);
}

TEST(MnemodNetwork, BinaryOnlyWithDashB) {
  ScratchDir dir;
  Result<Mnemod> server = StartMnemod(dir, {"-B", "binary"});
  ASSERT_TRUE(server.ok()) << server.error().message;
  Result<Client> client = server->Connect();
  ASSERT_TRUE(client.ok());
  // A binary noop: magic 0x80, opcode 0x0a, the rest zero.
  std::string noop(24, '\0');
  noop[0] = static_cast<char>(0x80);
  noop[1] = 0x0a;
  ASSERT_TRUE(client->Send(noop));
  const std::string reply = client->ReadUntil(std::string(1, '\0'), std::chrono::seconds(2));
  ASSERT_GE(reply.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(reply[0]), 0x81);
  EXPECT_EQ(static_cast<unsigned char>(reply[1]), 0x0a);
}

TEST(MnemodNetwork, GarbageDoesNotHurtOtherClients) {
  ScratchDir dir;
  Result<Mnemod> server = StartMnemod(dir, {"-t", "1"});
  ASSERT_TRUE(server.ok()) << server.error().message;
  Result<Client> good = server->Connect();
  ASSERT_TRUE(good.ok());
  {
    Result<Client> bad = server->Connect();
    ASSERT_TRUE(bad.ok());
    // A 4 MiB line without a newline: memcached's answer is an error and a closed connection,
    // which may come before all of it is sent (so the send may fail).
    (void)bad->Send(std::string(4 * 1024 * 1024, 'x'));
    EXPECT_TRUE(bad->ReadToClose().has_value());
  }
  EXPECT_EQ(good->Ask("version\r\n"), "VERSION 1.6.18\r\n");
  EXPECT_TRUE(server->process.Running());
}

// -R 2: a client pipelining many requests in one write gets every reply, in order, while the
// server yields to other connections every two requests (counted in conn_yields).
TEST(MnemodNetwork, RequestsPerEventYieldsButAnswersEverything) {
  ScratchDir dir;
  Result<Mnemod> server = StartMnemod(dir, {"-R", "2", "-t", "1"});
  ASSERT_TRUE(server.ok()) << server.error().message;
  Result<Client> client = server->Connect();
  ASSERT_TRUE(client.ok());
  EXPECT_EQ(client->Ask("set k 0 0 1\r\nv\r\n"), "STORED\r\n");
  std::string pipeline, expected;
  for (int i = 0; i < 100; ++i) {
    pipeline += "get k\r\nincr n 1\r\n";
    expected += "VALUE k 0 1\r\nv\r\nEND\r\nNOT_FOUND\r\n";
  }
  pipeline += "version\r\n";
  expected += "VERSION 1.6.18\r\n";
  EXPECT_EQ(client->Ask(pipeline, "VERSION 1.6.18\r\n"), expected);
  const auto stats = ParseStats(client->Ask("stats\r\n", kEnd));
  EXPECT_GE(std::stoull(stats.at("conn_yields")), 50u);
  Result<Client> other = server->Connect();
  ASSERT_TRUE(other.ok());
  const auto settings = ParseStats(other->Ask("stats settings\r\n", kEnd));
  EXPECT_EQ(settings.at("reqs_per_event"), "2");
}

}  // namespace
}  // namespace mnemo::integration
