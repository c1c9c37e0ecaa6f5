// mnemod's server-level stats: the general fields in memcached's order, command counters summed
// over every worker, `stats settings`, `stats conns`, `stats reset`, and the commands that
// change settings at run time (verbosity, cache_memlimit).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "mnemod_harness.h"

namespace mnemo::integration {
namespace {

constexpr std::string_view kEnd = "END\r\n";

class MnemodStats : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<Mnemod> started = StartMnemod(dir_, {"-t", "3"});
    ASSERT_TRUE(started.ok()) << started.error().message;
    server_.emplace(std::move(*started));
  }

  Client Connect() {
    Result<Client> client = server_->Connect();
    EXPECT_TRUE(client.ok()) << client.error().message;
    return std::move(*client);
  }

  ScratchDir dir_;
  std::optional<Mnemod> server_;
};

TEST_F(MnemodStats, GeneralFieldsInMemcachedOrder) {
  Client client = Connect();
  const std::string reply = client.Ask("stats\r\n", kEnd);
  const std::vector<std::string> names = StatNames(reply);
  // memcached 1.6.18 prints these in this order (with others of its own in between).
  const std::vector<std::string> expected = {"pid",
                                             "uptime",
                                             "time",
                                             "version",
                                             "libevent",
                                             "pointer_size",
                                             "rusage_user",
                                             "rusage_system",
                                             "max_connections",
                                             "curr_connections",
                                             "total_connections",
                                             "rejected_connections",
                                             "connection_structures",
                                             "cmd_get",
                                             "cmd_set",
                                             "get_hits",
                                             "get_misses",
                                             "bytes_read",
                                             "bytes_written",
                                             "limit_maxbytes",
                                             "accepting_conns",
                                             "threads",
                                             "conn_yields",
                                             "bytes",
                                             "curr_items",
                                             "total_items",
                                             "evictions"};
  std::size_t at = 0;
  for (const std::string& name : expected) {
    auto found = std::find(names.begin() + static_cast<std::ptrdiff_t>(at), names.end(), name);
    ASSERT_NE(found, names.end()) << name << " missing or out of order in\n" << reply;
    at = static_cast<std::size_t>(found - names.begin());
  }
  const auto stats = ParseStats(reply);
  EXPECT_EQ(stats.at("version"), "1.6.18");
  EXPECT_EQ(stats.at("threads"), "3");
  EXPECT_EQ(stats.at("pid"), std::to_string(server_->process.pid()));
  EXPECT_EQ(stats.at("limit_maxbytes"), std::to_string(64 * 1024 * 1024));
  EXPECT_NE(stats.at("rusage_user").find('.'), std::string::npos);
}

TEST_F(MnemodStats, CountersAreSummedOverWorkers) {
  // Round-robin: three clients land on the three workers.
  std::vector<Client> clients;
  for (int i = 0; i < 3; ++i) clients.push_back(Connect());
  for (Client& client : clients) {
    EXPECT_EQ(client.Ask("set k 0 0 1\r\nv\r\n"), "STORED\r\n");
    EXPECT_EQ(client.Ask("get k\r\n", kEnd), "VALUE k 0 1\r\nv\r\nEND\r\n");
    EXPECT_EQ(client.Ask("get missing\r\n", kEnd), "END\r\n");
  }
  const auto stats = ParseStats(clients[0].Ask("stats\r\n", kEnd));
  EXPECT_EQ(stats.at("cmd_set"), "3");
  EXPECT_EQ(stats.at("cmd_get"), "6");
  EXPECT_EQ(stats.at("get_hits"), "3");
  EXPECT_EQ(stats.at("get_misses"), "3");
  EXPECT_EQ(stats.at("curr_connections"), "3");
  EXPECT_EQ(stats.at("total_connections"), "3");
  EXPECT_EQ(stats.at("curr_items"), "1");
}

TEST_F(MnemodStats, ResetClearsEveryWorker) {
  Client first = Connect();
  Client second = Connect();
  EXPECT_EQ(first.Ask("set a 0 0 1\r\n1\r\n"), "STORED\r\n");
  EXPECT_EQ(second.Ask("set b 0 0 1\r\n2\r\n"), "STORED\r\n");
  EXPECT_EQ(first.Ask("stats reset\r\n"), "RESET\r\n");
  // The other worker resets its counters on its own thread; by the time a second round trip
  // has been served there, it has.
  EXPECT_EQ(second.Ask("version\r\n"), "VERSION 1.6.18\r\n");
  const auto stats = ParseStats(first.Ask("stats\r\n", kEnd));
  EXPECT_EQ(stats.at("cmd_set"), "0");
  EXPECT_EQ(stats.at("total_connections"), "0");
  EXPECT_EQ(stats.at("curr_items"), "2");  // items stay
}

TEST_F(MnemodStats, SettingsAnswered) {
  Client client = Connect();
  const auto settings = ParseStats(client.Ask("stats settings\r\n", kEnd));
  EXPECT_EQ(settings.at("maxbytes"), std::to_string(64 * 1024 * 1024));
  EXPECT_EQ(settings.at("maxconns"), "1024");
  EXPECT_EQ(settings.at("num_threads"), "3");
  EXPECT_EQ(settings.at("verbosity"), "0");
  EXPECT_EQ(settings.at("item_size_max"), "1048576");
}

TEST_F(MnemodStats, RuntimeSettingsFollowCommands) {
  Client client = Connect();
  EXPECT_EQ(client.Ask("verbosity 1\r\n"), "OK\r\n");
  EXPECT_EQ(client.Ask("cache_memlimit 100\r\n"), "OK\r\n");
  const auto settings = ParseStats(client.Ask("stats settings\r\n", kEnd));
  EXPECT_EQ(settings.at("verbosity"), "1");
  EXPECT_EQ(settings.at("maxbytes"), std::to_string(100 * 1024 * 1024));
  const auto stats = ParseStats(client.Ask("stats\r\n", kEnd));
  EXPECT_EQ(stats.at("limit_maxbytes"), std::to_string(100 * 1024 * 1024));
}

TEST_F(MnemodStats, ConnsListsListenerAndClients) {
  Client idle = Connect();
  EXPECT_EQ(idle.Ask("version\r\n"), "VERSION 1.6.18\r\n");
  Client asking = Connect();
  const std::string reply = asking.Ask("stats conns\r\n", kEnd);
  const auto conns = ParseStats(reply);
  const std::string listener = "tcp:127.0.0.1:" + std::to_string(server_->port);
  int listeners = 0, clients = 0, parsing = 0;
  for (const auto& [name, value] : conns) {
    if (name.ends_with(":addr") && value == listener) ++listeners;
    if (name.ends_with(":listen_addr")) {
      EXPECT_EQ(value, listener);
      ++clients;
    }
    if (name.ends_with(":state") && value == "conn_parse_cmd") ++parsing;
    if (name.ends_with(":secs_since_last_cmd")) {
      EXPECT_FALSE(value.empty());
    }
  }
  EXPECT_EQ(listeners, 1) << reply;
  EXPECT_EQ(clients, 2) << reply;
  EXPECT_EQ(parsing, 1) << reply;  // only the connection asking is busy
}

TEST_F(MnemodStats, EngineGroupsStillAnswered) {
  Client client = Connect();
  EXPECT_EQ(client.Ask("set k 0 0 1\r\nv\r\n"), "STORED\r\n");
  EXPECT_TRUE(client.Ask("stats items\r\n", kEnd).ends_with(kEnd));
  EXPECT_TRUE(client.Ask("stats slabs\r\n", kEnd).ends_with(kEnd));
  EXPECT_EQ(client.Ask("stats nonsense\r\n"), "ERROR\r\n");
}

// Names of `reply`'s STAT lines that are also in `other`, in reply order.
std::vector<std::string> CommonNames(const std::vector<std::string>& names,
                                     const std::vector<std::string>& other) {
  const std::set<std::string> wanted(other.begin(), other.end());
  std::vector<std::string> common;
  for (const std::string& name : names) {
    if (wanted.count(name) != 0) common.push_back(name);
  }
  return common;
}

TEST_F(MnemodStats, FieldOrderMatchesLiveMemcached) {
  const bool root = ::geteuid() == 0;
  Result<testing::RunningServer> memcached = testing::StartServer([&](std::uint16_t port) {
    std::vector<std::string> argv = {"memcached", "-l", "127.0.0.1", "-p", std::to_string(port),
                                     "-U",        "0",  "-t",        "3"};
    if (root) argv.insert(argv.end(), {"-u", "root"});
    return argv;
  });
  ASSERT_TRUE(memcached.ok()) << memcached.error().message;
  Result<Client> reference = Client::Tcp("127.0.0.1", memcached->port);
  ASSERT_TRUE(reference.ok());
  const std::vector<std::string> theirs = StatNames(reference->Ask("stats\r\n", kEnd));
  Client client = Connect();
  const std::vector<std::string> ours = StatNames(client.Ask("stats\r\n", kEnd));
  const std::vector<std::string> common = CommonNames(ours, theirs);
  EXPECT_GE(common.size(), 60u);  // most of memcached's fields are there
  EXPECT_EQ(common, CommonNames(theirs, ours));
  // memcached notices SIGTERM only at its next clock tick; it has nothing to save.
  memcached->process.Stop(std::chrono::milliseconds(0));
}

}  // namespace
}  // namespace mnemo::integration
