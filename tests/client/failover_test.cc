// Auto-eject end to end: three memcached, one is killed. Operations for its keys fail (fast:
// the connection is refused) until the failure limit, then its keys move to the others while
// every other key stays put; once it is restarted it gets its keys back after the retry
// interval, not before.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "mnemo/client/client.h"
#include "servers.h"

namespace mnemo::client {
namespace {

using std::chrono::milliseconds;
using testing::ServerKind;
using testing::TestServer;

// Three memcached behind a ketama client that ejects after two failures for 1.5 s.
std::unique_ptr<Client> StartThree(std::vector<TestServer>& servers) {
  std::string list;
  for (int i = 0; i < 3; ++i) {
    auto server = TestServer::Start(ServerKind::kMnemod);
    if (!server.ok()) return nullptr;
    list += (i ? "," : "") + server->address();
    servers.push_back(std::move(server.value()));
  }
  Options options;
  options.servers = ParseServerList(list).value();
  options.distribution = Distribution::kKetama;
  options.hash = Hash::kMd5;
  options.failure_limit = 2;
  options.retry_interval = milliseconds(1500);
  options.connect_timeout = milliseconds(500);
  auto created = Client::Create(options);
  return created ? std::move(created.value()) : nullptr;
}

TEST(FailoverTest, KilledServerIsEjectedAndComesBackAfterTheRetryInterval) {
  std::vector<TestServer> servers;
  auto created = StartThree(servers);
  ASSERT_TRUE(created);
  Client& client = *created;

  std::vector<std::string> keys;
  std::vector<std::size_t> owner;
  std::string victim_key;
  for (int i = 0; i < 200; ++i) {
    keys.push_back("key:" + std::to_string(i));
    owner.push_back(*client.ServerFor(keys.back()));
    ASSERT_EQ(client.Set(keys.back(), "v").value(), StoreStatus::kStored);
    if (owner.back() == 1 && victim_key.empty()) victim_key = keys.back();
  }
  ASSERT_FALSE(victim_key.empty());
  const std::uint16_t victim_port = servers[1].port();
  servers[1].Kill();

  // Up to the limit the victim's keys fail, naming the server, and fast.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const auto start = std::chrono::steady_clock::now();
    auto got = client.Get(victim_key);
    ASSERT_FALSE(got.ok());
    EXPECT_NE(got.error().message.find(servers[1].address()), std::string::npos)
        << got.error().message;
    EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(400));
  }
  // Ejected: its keys move, the others stay.
  EXPECT_NE(client.ServerFor(victim_key), 1u);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (owner[i] != 1) {
      EXPECT_EQ(client.ServerFor(keys[i]), owner[i]) << keys[i];
    }
  }
  EXPECT_EQ(client.Set(victim_key, "moved").value(), StoreStatus::kStored);
  EXPECT_EQ(client.Get(victim_key).value()->value, "moved");
  auto stats = client.GetStats();
  EXPECT_FALSE(stats[1].result.ok());
  EXPECT_NE(stats[1].result.error().message.find("ejected"), std::string::npos);
  EXPECT_TRUE(stats[0].result.ok());

  auto restarted = TestServer::StartOn(ServerKind::kMnemod, victim_port);
  ASSERT_TRUE(restarted.ok()) << restarted.error().message;
  EXPECT_NE(client.ServerFor(victim_key), 1u) << "back before the retry interval";
  std::this_thread::sleep_for(milliseconds(1700));
  EXPECT_EQ(client.ServerFor(victim_key), 1u);
  EXPECT_FALSE(client.Get(victim_key).value().has_value());  // a fresh, empty server
  EXPECT_EQ(client.Set(victim_key, "home").value(), StoreStatus::kStored);
  EXPECT_EQ(client.Get(victim_key).value()->value, "home");
  for (const auto& v : client.Version()) EXPECT_TRUE(v.result.ok()) << v.server;
}

TEST(FailoverTest, WithoutAFailureLimitServersAreNeverEjected) {
  auto server = TestServer::Start(ServerKind::kMnemod);
  ASSERT_TRUE(server.ok());
  auto other = TestServer::Start(ServerKind::kMnemod);
  ASSERT_TRUE(other.ok());
  Options options;
  options.servers = ParseServerList(server->address() + "," + other->address()).value();
  auto created = Client::Create(options);
  ASSERT_TRUE(created.ok());
  Client& client = *created.value();
  std::string key;
  for (int i = 0; key.empty(); ++i) {
    if (client.ServerFor("k" + std::to_string(i)) == 0u) key = "k" + std::to_string(i);
  }
  server->Kill();
  for (int attempt = 0; attempt < 5; ++attempt) EXPECT_FALSE(client.Get(key).ok());
  EXPECT_EQ(client.ServerFor(key), 0u);
}

}  // namespace
}  // namespace mnemo::client
