// mcadmin and mnemod together: changes reach every server, an older version is refused,
// concurrent admins converge, domains survive a restart, a server that was down is repaired
// by sync.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>

#include "domains_util.h"

namespace mnemo::domains_test {
namespace {

TEST(DomainsTest, AddReachesEveryServer) {
  ScratchDir dir;
  std::vector<Mnemod> servers = StartServers(dir, 3);
  for (const Mnemod& server : servers) {
    AdminRun run =
        Mcadmin(dir, {"--servers", Address(servers[0]), "--domain", "app", "add", Address(server)});
    ASSERT_EQ(run.code, 0) << run.output;
  }
  const std::string expected = "SERVERS app 3\r\nSERVER " + Address(servers[0]) + "\r\nSERVER " +
                               Address(servers[1]) + "\r\nSERVER " + Address(servers[2]) +
                               "\r\nEND\r\n";
  for (const Mnemod& server : servers) EXPECT_EQ(ServersReply(server, "app"), expected);
  AdminRun list = Mcadmin(dir, {"-s", Address(servers[2]), "-d", "app", "list", "--json"});
  EXPECT_EQ(list.code, 0);
  EXPECT_NE(list.output.find("\"version\": 3"), std::string::npos) << list.output;
  AdminRun version = Mcadmin(dir, {"-s", Address(servers[0]), "-d", "app", "version"});
  EXPECT_EQ(version.code, 0);
  EXPECT_NE(version.output.find(Address(servers[2]) + "\t1.6.18"), std::string::npos)
      << version.output;
  AdminRun stats = Mcadmin(dir, {"-s", Address(servers[0]), "-d", "app", "stats"});
  EXPECT_EQ(stats.code, 0);
  EXPECT_NE(stats.output.find("[" + Address(servers[1]) + "]\npid "), std::string::npos)
      << stats.output;
  AdminRun removed =
      Mcadmin(dir, {"-s", Address(servers[2]), "-d", "app", "remove", Address(servers[0])});
  EXPECT_EQ(removed.code, 0) << removed.output;
  // The removed server learns it too: every server of the old list gets the new one.
  EXPECT_EQ(ServersReply(servers[0], "app").substr(0, 15), "SERVERS app 4\r\n");
}

TEST(DomainsTest, OlderVersionRejected) {
  ScratchDir dir;
  Mnemod server = StartServer(dir, 0);
  Result<integration::Client> client = server.Connect();
  ASSERT_TRUE(client);
  EXPECT_EQ(client->Ask("domain_update app 5 1\r\nadd 10.0.0.1:11211\r\n"), "UPDATED app 5\r\n");
  EXPECT_EQ(client->Ask("domain_update app 4 1\r\nclear\r\n"), "EXISTS app 5\r\n");
  EXPECT_EQ(client->Ask("domain_update app 5 1\r\nclear\r\n"), "EXISTS app 5\r\n");
  EXPECT_EQ(client->Ask("domain_update app 6 1\r\nadd nope\r\n"),
            "CLIENT_ERROR bad domain update line\r\n");
  EXPECT_EQ(ServersReply(server, "app"), "SERVERS app 5\r\nSERVER 10.0.0.1:11211\r\nEND\r\n");
}

TEST(DomainsTest, ConcurrentAdminsConverge) {
  ScratchDir dir;
  std::vector<Mnemod> servers = StartServers(dir, 4);
  const std::string seeds = Addresses(servers);
  std::vector<testing::Process> runs;
  for (const Mnemod& server : servers) {
    runs.push_back(SpawnMcadmin(dir, {"-s", seeds, "-d", "app", "add", Address(server)}));
  }
  for (testing::Process& run : runs) {
    std::optional<int> status = integration::WaitForExit(run);
    ASSERT_TRUE(status);
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
  }
  const std::string first = ServersReply(servers[0], "app");
  for (const Mnemod& server : servers) {
    EXPECT_NE(first.find("SERVER " + Address(server) + "\r\n"), std::string::npos) << first;
  }
  for (const Mnemod& server : servers) EXPECT_EQ(ServersReply(server, "app"), first);
}

TEST(DomainsTest, RestartKeepsDomains) {
  ScratchDir dir;
  std::string before;
  {
    Mnemod server = StartServer(dir, 0);
    AdminRun run =
        Mcadmin(dir, {"-s", Address(server), "-d", "app", "add", Address(server) + ":3"});
    ASSERT_EQ(run.code, 0) << run.output;
    before = ServersReply(server, "app");
    EXPECT_EQ(before, "SERVERS app 1\r\nSERVER " + Address(server) + ":3\r\nEND\r\n");
  }
  Mnemod again = StartServer(dir, 0);
  EXPECT_EQ(ServersReply(again, "app"), before);
}

TEST(DomainsTest, DamagedStateFileStartsEmptyWithOneLine) {
  ScratchDir dir;
  std::filesystem::create_directories(dir.Path("state-0"));
  std::ofstream(dir.Path("state-0/domains.state")) << "mnemo-domains 1\ndomain app 1 2\n";
  Mnemod server = StartServer(dir, 0);
  EXPECT_EQ(ServersReply(server, "app"), "SERVERS app 0\r\nEND\r\n");
  EXPECT_NE(server.Log().find("domains " + dir.Path("state-0/domains.state") +
                              ": not loaded, starting empty: "),
            std::string::npos)
      << server.Log();
}

TEST(DomainsTest, ServerDownDuringAddIsRepairedBySync) {
  ScratchDir dir;
  std::vector<Mnemod> servers = StartServers(dir, 4);
  for (int i = 0; i < 3; ++i) {
    AdminRun run =
        Mcadmin(dir, {"-s", Address(servers[0]), "-d", "app", "add", Address(servers[i])});
    ASSERT_EQ(run.code, 0) << run.output;
  }
  const std::uint16_t port = servers[2].port;
  servers[2].process.Stop();
  AdminRun run = Mcadmin(dir, {"-s", Address(servers[0]), "-d", "app", "add", Address(servers[3])});
  EXPECT_EQ(run.code, 3) << run.output;
  EXPECT_NE(run.output.find("127.0.0.1:" + std::to_string(port)), std::string::npos);
  EXPECT_EQ(ServersReply(servers[3], "app").substr(0, 15), "SERVERS app 4\r\n");
  servers[2] = StartServer(dir, 2, {"-p", std::to_string(port)});
  EXPECT_EQ(ServersReply(servers[2], "app").substr(0, 15), "SERVERS app 3\r\n");
  run = Mcadmin(dir, {"-s", Address(servers[0]), "-d", "app", "sync"});
  EXPECT_EQ(run.code, 0) << run.output;
  EXPECT_NE(run.output.find("synced 1 server(s)"), std::string::npos) << run.output;
  EXPECT_EQ(ServersReply(servers[2], "app"), ServersReply(servers[0], "app"));
  EXPECT_EQ(ServersReply(servers[2], "app").substr(0, 15), "SERVERS app 4\r\n");
}

// With -Y (ascii auth) a connection must sign in before any verb, domain verbs included.
TEST(DomainsTest, AuthGuardsUpdatesAndClients) {
  ScratchDir dir;
  std::ofstream(dir.Path("auth")) << "admin:secret\n";
  Mnemod server = StartServer(dir, 0, {"-Y", dir.Path("auth")});
  Result<integration::Client> anonymous = server.Connect();
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->Ask("clients\r\n"), "CLIENT_ERROR unauthenticated\r\n");
  Result<integration::Client> admin = server.Connect();
  ASSERT_TRUE(admin);
  EXPECT_EQ(admin->Ask("set a 0 0 12\r\nadmin secret\r\n"), "STORED\r\n");
  EXPECT_EQ(admin->Ask("domain_update app 1 1\r\nadd 10.0.0.1:1\r\n"), "UPDATED app 1\r\n");
  EXPECT_EQ(admin->Ask("clients\r\n", "END\r\n").rfind("CLIENT 127.0.0.1:", 0), 0u);
}

// A real memcached answers `servers` with ERROR: mcadmin reports it and sends it no update,
// whose `delete` lines memcached would run as deletes.
TEST(DomainsTest, PlainMemcachedIsNeverUpdated) {
  ScratchDir dir;
  Mnemod server = StartServer(dir, 0);
  Result<testing::RunningServer> memcached = testing::StartServer([](std::uint16_t port) {
    return std::vector<std::string>{"memcached", "-p", std::to_string(port), "-U", "0", "-l",
                                    "127.0.0.1", "-u", "root"};
  });
  ASSERT_TRUE(memcached) << memcached.error().message;
  const std::string plain = "127.0.0.1:" + std::to_string(memcached->port);
  AdminRun run = Mcadmin(dir, {"-s", Address(server), "-d", "app", "add", plain});
  EXPECT_EQ(run.code, 3) << run.output;
  EXPECT_NE(run.output.find(plain + ": servers: ERROR"), std::string::npos) << run.output;
  EXPECT_EQ(ServersReply(server, "app"), "SERVERS app 1\r\nSERVER " + plain + "\r\nEND\r\n");
}

TEST(DomainsTest, UsageErrors) {
  ScratchDir dir;
  EXPECT_EQ(Mcadmin(dir, {"list"}).code, 2);  // no --domain
  EXPECT_EQ(Mcadmin(dir, {"-d", "app", "add", "nohost"}).code, 2);
  EXPECT_EQ(Mcadmin(dir, {"-d", "app", "remove", "h:1:2"}).code, 2);
  EXPECT_EQ(Mcadmin(dir, {"-d", "app"}).code, 2);  // no command
  EXPECT_EQ(Mcadmin(dir, {"-s", "a:1,,b", "-d", "app", "list"}).code, 2);
}

TEST(DomainsTest, NothingReachable) {
  ScratchDir dir;
  const std::uint16_t port = testing::FreeLoopbackPort();
  AdminRun run =
      Mcadmin(dir, {"-s", "127.0.0.1:" + std::to_string(port), "-d", "app", "add", "10.0.0.1:1"});
  EXPECT_EQ(run.code, 3);
  EXPECT_NE(run.output.find("could be reached"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace mnemo::domains_test
