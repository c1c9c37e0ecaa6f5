// Clients and domains: a running application follows `mcadmin add` without a restart,
// `clients` lists the connections, and standard clients next to subscribed connections and
// live updates see nothing new.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "domains_util.h"
#include "mnemo/client/domain.h"

namespace mnemo::domains_test {
namespace {

// Domains shared through /dev/shm are host-wide: each test gets a name of its own (tests may
// run in parallel) and removes its segments at the end.
class SharedName {
 public:
  SharedName() {
    static int counter = 0;
    name_ = "test-" + std::to_string(getpid()) + "-" + std::to_string(++counter);
    client::RemoveSharedDomain(name_);
  }
  ~SharedName() { client::RemoveSharedDomain(name_); }
  const std::string& get() const { return name_; }

 private:
  std::string name_;
};

// Two application processes on one host follow the domain; only one of them watches the
// servers, the other learns the new list through shared memory. Within a second of
// `mcadmin add`, without a restart, the new server gets its share of the keys.
TEST(DomainClientsTest, RunningClientsFollowAnAdd) {
  ScratchDir dir;
  SharedName domain;
  std::vector<Mnemod> servers = StartServers(dir, 4);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(
        Mcadmin(dir, {"-s", Address(servers[0]), "-d", domain.get(), "add", Address(servers[i])})
            .code,
        0);
  }
  std::vector<testing::Process> drivers;
  std::vector<std::string> status;
  for (int i = 0; i < 2; ++i) {
    status.push_back(dir.Path("driver-" + std::to_string(i) + ".status"));
    Result<testing::Process> driver = testing::Process::Spawn(
        {DOMAIN_DRIVER_BINARY, domain.get(), Address(servers[0]), status.back()},
        dir.Path("driver-" + std::to_string(i) + ".log"));
    ASSERT_TRUE(driver);
    drivers.push_back(std::move(*driver));
  }
  const auto has = [&](int i, std::string_view text) {
    return ReadFile(status[i]).find(text) != std::string::npos;
  };
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(WaitUntil([&] { return has(i, "version 3 servers 3"); }))
        << ReadFile(dir.Path("driver-" + std::to_string(i) + ".log"));
  }
  ASSERT_TRUE(WaitUntil([&] { return has(0, "leading") || has(1, "leading"); }));
  ASSERT_TRUE(WaitUntil([&] { return Stat(servers[1], "cmd_set") > 0; }));
  EXPECT_EQ(Stat(servers[3], "cmd_set"), 0);

  AdminRun run =
      Mcadmin(dir, {"-s", Address(servers[0]), "-d", domain.get(), "add", Address(servers[3])});
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_TRUE(
      WaitUntil([&] { return Stat(servers[3], "cmd_set") > 0; }, std::chrono::milliseconds(1000)));
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(WaitUntil([&] { return has(i, "version 4 servers 4"); })) << ReadFile(status[i]);
    EXPECT_TRUE(drivers[i].Running());
  }
  EXPECT_NE(has(0, "leading"), has(1, "leading"));  // exactly one watches the servers
}

TEST(DomainClientsTest, ForDomainFailsWithoutAList) {
  ScratchDir dir;
  Mnemod server = StartServer(dir, 0);
  auto seeds = client::ParseServerList(Address(server));
  ASSERT_TRUE(seeds);
  auto unknown = client::Client::ForDomain("app", seeds.value());
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("no seed has a server list"), std::string::npos);
  auto down = client::Client::ForDomain(
      "app", {client::ServerSpec{"127.0.0.1", testing::FreeLoopbackPort()}});
  ASSERT_FALSE(down);
  EXPECT_NE(down.error().message.find("connect"), std::string::npos) << down.error().message;
  EXPECT_FALSE(client::Client::ForDomain("bad name", seeds.value()));
}

TEST(DomainClientsTest, ForDomainInProcessSwitchesList) {
  ScratchDir dir;
  std::vector<Mnemod> servers = StartServers(dir, 2);
  ASSERT_EQ(Mcadmin(dir, {"-s", Address(servers[0]), "-d", "app", "add", Address(servers[0])}).code,
            0);
  auto seeds = client::ParseServerList(Address(servers[0]));
  client::DomainOptions options;
  options.check_interval = std::chrono::milliseconds(20);
  options.shared = false;
  auto follower = client::DomainClient::Create("app", seeds.value(), {}, options);
  ASSERT_TRUE(follower) << follower.error().message;
  EXPECT_EQ((*follower)->version(), 1u);
  ASSERT_TRUE((*follower)->Set("k", "v"));
  ASSERT_EQ(Mcadmin(dir, {"-s", Address(servers[0]), "-d", "app", "add", Address(servers[1])}).code,
            0);
  ASSERT_TRUE(WaitUntil([&] { return (*follower)->version() == 2; }));
  EXPECT_EQ((*follower)->current()->options().servers.size(), 2u);
  EXPECT_EQ((*follower)->rebuilds(), 1u);
}

TEST(DomainClientsTest, ClientsListsConnections) {
  ScratchDir dir;
  Mnemod server = StartServer(dir, 0);
  Result<integration::Client> ascii = server.Connect();
  ASSERT_TRUE(ascii);
  ascii->Ask("version\r\n");
  AdminRun run = Mcadmin(dir, {"-s", Address(server), "-d", "app", "clients", "--json"});
  EXPECT_EQ(run.code, 0) << run.output;
  EXPECT_NE(run.output.find("\"protocol\": \"ascii\""), std::string::npos) << run.output;
  Result<integration::Client> raw = server.Connect();
  ASSERT_TRUE(raw);
  const std::string reply = raw->Ask("clients\r\n", "END\r\n");
  EXPECT_EQ(reply.rfind("CLIENT 127.0.0.1:", 0), 0u) << reply;
}

// pymemcache and memccapable against a server where a subscribed connection exists and the
// domain keeps changing: their replies carry nothing new.
TEST(DomainClientsTest, StandardClientsUnaffected) {
  ScratchDir dir;
  Mnemod server = StartServer(dir, 0);
  Result<integration::Client> watcher = server.Connect();
  ASSERT_TRUE(watcher);
  EXPECT_EQ(watcher->Ask("servers app notify\r\n", "END\r\n"), "SERVERS app 0\r\nEND\r\n");
  Result<integration::Client> admin = server.Connect();
  ASSERT_TRUE(admin);
  for (int v = 1; v <= 3; ++v) {
    ASSERT_EQ(admin->Ask("domain_update app " + std::to_string(v) + " 1\r\nadd 10.0.0." +
                         std::to_string(v) + ":1\r\n"),
              "UPDATED app " + std::to_string(v) + "\r\n");
  }
  const std::string port = std::to_string(server.port);
  // memccapable alone takes about five seconds (its own waits): a wider bound than RunToExit's.
  const std::string capable_log = dir.Path("memccapable.log");
  Result<testing::Process> capable = testing::Process::Spawn(
      {"memccapable", "-h", "127.0.0.1", "-p", port, "-t", "5"}, capable_log);
  ASSERT_TRUE(capable);
  EXPECT_TRUE(integration::WaitForExit(*capable, std::chrono::seconds(60)));
  EXPECT_NE(ReadFile(capable_log).find("All tests passed"), std::string::npos)
      << ReadFile(capable_log);
  const std::string script =
      "import sys\n"
      "from pymemcache.client.base import Client\n"
      "c = Client(('127.0.0.1', int(sys.argv[1])))\n"
      "c.set('a', b'1'); c.set('b', b'2')\n"
      "assert c.get('a') == b'1'\n"
      "assert c.get_many(['a', 'b', 'c']) == {'a': b'1', 'b': b'2'}\n"
      "assert int(c.stats()[b'cmd_set']) >= 2\n"
      "print('pymemcache ok')\n";
  integration::Finished python =
      integration::RunToExit(dir, {"/usr/bin/python3", "-c", script, port});
  EXPECT_TRUE(WIFEXITED(python.status) && WEXITSTATUS(python.status) == 0) << python.output;
  // Only the subscriber sees the change, once, before its next END.
  EXPECT_EQ(watcher->Ask("get nothing\r\n", "END\r\n"), "SERVER_UPDATE app 3\r\nEND\r\n");
}

}  // namespace
}  // namespace mnemo::domains_test
