// `watch` against a running mnemod: a watcher sees another connection's fetches and stores in
// the lines memcached 1.6.18 writes for the same requests (ts, gid and cfd differ by nature and
// are masked), refusals, the clean-up of a watcher that disconnects, and a watcher that never
// reads losing lines (memcached's skipped=N) without holding back anyone else.
#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <regex>

#include "mnemod_harness.h"

namespace mnemo::integration {
namespace {

constexpr std::string_view kEnd = "END\r\n";

// A few requests, then a miss on `end_key`: the watcher reads until that line arrives.
const std::vector<std::string> kRequests = {"set a 0 0 1\r\nx\r\n",
                                            "get a\r\n",
                                            "get b\r\n",
                                            "add a 0 0 1\r\ny\r\n",
                                            "replace a 0 0 2\r\nzz\r\n",
                                            "append a 0 0 1\r\nq\r\n",
                                            "cas a 0 0 1 999\r\nq\r\n",
                                            "delete a\r\n",
                                            "incr n 1\r\n",
                                            "set k%b/c 0 0 1\r\nx\r\n",
                                            "mg k%b/c v\r\n",
                                            "ms m 1 T50\r\nx\r\n",
                                            "touch m 10\r\n",
                                            "get zz_end\r\n"};

Client Connect(std::uint16_t port) {
  Result<Client> client = Client::Tcp("127.0.0.1", port);
  EXPECT_TRUE(client.ok()) << client.error().message;
  return std::move(*client);
}

// Reads log lines until one names `key`, or kTimeout passes.
std::string ReadLinesThrough(Client& watcher, std::string_view key) {
  const std::string wanted = " key=" + std::string(key) + " ";
  const auto deadline = std::chrono::steady_clock::now() + kTimeout;
  std::string got;
  while (got.find(wanted) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    got += watcher.ReadUntil("\n", std::chrono::milliseconds(500));
  }
  return got;
}

// Watches `port` with `args`, runs kRequests on another connection, returns the lines with
// ts, gid and cfd masked.
std::string WatchedLines(std::uint16_t port, std::string_view args) {
  Client watcher = Connect(port);
  EXPECT_EQ(watcher.Ask("watch " + std::string(args) + "\r\n"), "OK\r\n");
  Client client = Connect(port);
  for (const std::string& request : kRequests) client.Ask(request);
  const std::string lines = ReadLinesThrough(watcher, "zz_end");
  const std::regex varying(R"((ts|gid|cfd)=[0-9.]+)");
  return std::regex_replace(lines, varying, "$1=*");
}

std::string User() {
  const passwd* me = ::getpwuid(::geteuid());
  return me != nullptr ? me->pw_name : "root";
}

TEST(MnemodWatch, LinesMatchMemcached) {
  ScratchDir dir;
  Result<Mnemod> mnemod = StartMnemod(dir, {});
  ASSERT_TRUE(mnemod.ok()) << mnemod.error().message;
  Result<testing::RunningServer> memcached = testing::StartServer([](std::uint16_t port) {
    return std::vector<std::string>{
        "memcached", "-u", User(), "-U", "0", "-l", "127.0.0.1", "-p", std::to_string(port)};
  });
  ASSERT_TRUE(memcached.ok()) << memcached.error().message;
  const std::string ours = WatchedLines(mnemod->port, "fetchers mutations");
  EXPECT_NE(ours.find("type=item_store key=k%25b%2Fc status=stored cmd=set ttl=0 clsid=1 "),
            std::string::npos)
      << ours;
  EXPECT_EQ(ours, WatchedLines(memcached->port, "fetchers mutations"));
}

// Fills a small cache through one connection until the `watch evictions` watcher has read a
// few eviction lines; returns them with ts, gid and the key's number masked.
std::string EvictionLines(std::uint16_t port) {
  Client watcher = Connect(port);
  EXPECT_EQ(watcher.Ask("watch evictions\r\n"), "OK\r\n");
  Client client = Connect(port);
  const std::string value(100, 'v');
  std::string got;
  const auto deadline = std::chrono::steady_clock::now() + kTimeout;
  for (int batch = 0; std::count(got.begin(), got.end(), '\n') < 3; ++batch) {
    if (std::chrono::steady_clock::now() > deadline) break;
    std::string sets;
    for (int i = 0; i < 1000; ++i) {
      sets += "set ev:" + std::to_string(batch * 1000 + i) + " 0 0 100 noreply\r\n";
      sets += value + "\r\n";
    }
    EXPECT_TRUE(client.Send(sets));
    client.Ask("mn\r\n", "MN\r\n");
    got += watcher.ReadUntil("\n", std::chrono::milliseconds(20));
  }
  got += watcher.ReadUntil("\n", std::chrono::milliseconds(200));
  const std::regex varying(R"((ts|gid)=[0-9.]+)");
  const std::regex key("key=ev%3A[0-9]+");  // "ev:N", URI-encoded as memcached does
  return std::regex_replace(
      std::regex_replace(got.substr(0, got.rfind('\n') + 1), varying, "$1=*"), key, "key=*");
}

TEST(MnemodWatch, EvictionsAsMemcached) {
  ScratchDir dir;
  Result<Mnemod> mnemod = StartMnemod(dir, {"-m", "2"});
  ASSERT_TRUE(mnemod.ok()) << mnemod.error().message;
  Result<testing::RunningServer> memcached = testing::StartServer([](std::uint16_t port) {
    return std::vector<std::string>{"memcached", "-u", User(), "-U", "0", "-l", "127.0.0.1",
                                    "-m", "2", "-p", std::to_string(port)};
  });
  ASSERT_TRUE(memcached.ok()) << memcached.error().message;
  // Items never read, without expiry: every line is the same but for ts, gid and the key.
  const std::regex line(
      R"(ts=\* gid=\* type=eviction key=\* fetch=no ttl=-1 la=[0-9]+ clsid=[0-9]+ size=[0-9]+\n)");
  std::vector<std::string> firsts;
  for (const std::uint16_t port : {mnemod->port, memcached->port}) {
    const std::string lines = EvictionLines(port);
    ASSERT_FALSE(lines.empty()) << "no eviction line from port " << port;
    std::size_t at = 0;
    for (std::size_t end; (end = lines.find('\n', at)) != std::string::npos; at = end + 1) {
      EXPECT_TRUE(std::regex_match(lines.substr(at, end + 1 - at), line))
          << port << ": " << lines.substr(at, end + 1 - at);
    }
    firsts.push_back(std::regex_replace(lines.substr(0, lines.find('\n') + 1),
                                        std::regex("la=[0-9]+"), "la=*"));
  }
  EXPECT_EQ(firsts[0], firsts[1]);  // same class and size for the same item
}

TEST(MnemodWatch, RefusalsAsMemcached) {
  ScratchDir dir;
  Result<Mnemod> mnemod = StartMnemod(dir, {});
  ASSERT_TRUE(mnemod.ok()) << mnemod.error().message;
  Client client = Connect(mnemod->port);
  EXPECT_EQ(client.Ask("watch bogus\r\n"), "ERROR\r\n");
  EXPECT_EQ(client.Ask("watch deletions\r\n"), "ERROR\r\n");
  EXPECT_EQ(client.Ask("version\r\n").substr(0, 8), "VERSION ");  // still an ordinary client

  Result<Mnemod> disabled = StartMnemod(dir, {"-W"});
  ASSERT_TRUE(disabled.ok()) << disabled.error().message;
  Client refused = Connect(disabled->port);
  EXPECT_EQ(refused.Ask("watch bogus\r\n"), "CLIENT_ERROR watch commands not allowed\r\n");

  std::vector<Client> watchers;
  for (int i = 0; i < 20; ++i) {
    watchers.push_back(Connect(mnemod->port));
    ASSERT_EQ(watchers.back().Ask("watch\r\n"), "OK\r\n") << i;
  }
  EXPECT_EQ(client.Ask("watch\r\n"), "WATCHER_TOO_MANY log watcher limit reached\r\n");
}

// curr_connections as `stats` reports it.
int CurrentConnections(Client& client) {
  return std::stoi(ParseStats(client.Ask("stats\r\n", kEnd))["curr_connections"]);
}

TEST(MnemodWatch, ADisconnectedWatcherIsCleanedUp) {
  ScratchDir dir;
  Result<Mnemod> mnemod = StartMnemod(dir, {});
  ASSERT_TRUE(mnemod.ok()) << mnemod.error().message;
  Client client = Connect(mnemod->port);
  const int alone = CurrentConnections(client);
  {
    Client watcher = Connect(mnemod->port);
    ASSERT_EQ(watcher.Ask("watch fetchers\r\n"), "OK\r\n");
    // The state changes once the OK is sent: a bounded wait for it.
    bool watching = false;
    for (int i = 0; i < 100 && !watching; ++i) {
      const std::string conns = client.Ask("stats conns\r\n", kEnd);
      watching = conns.find(":state conn_watch\r\n") != std::string::npos;
      if (!watching) ::usleep(20000);
    }
    EXPECT_TRUE(watching);
    EXPECT_EQ(CurrentConnections(client), alone + 1);
  }
  // The watcher's read sees the close; bounded wait for its coroutine to end.
  int now = -1;
  for (int i = 0; i < 100 && now != alone; ++i) {
    now = CurrentConnections(client);
    if (now != alone) ::usleep(50000);
  }
  EXPECT_EQ(now, alone);
  EXPECT_EQ(client.Ask("stats conns\r\n", kEnd).find("conn_watch"), std::string::npos);
  // With nobody watching, requests still work and nothing is left registered.
  EXPECT_EQ(client.Ask("get a\r\n", kEnd), "END\r\n");
}

TEST(MnemodWatch, ASlowWatcherLosesLinesAndSlowsNobody) {
  ScratchDir dir;
  // One worker: a pipelined batch runs in one go, so a 1 KiB queue must overflow within it.
  Result<Mnemod> mnemod = StartMnemod(dir, {"-t", "1", "-o", "watcher_logbuf_size=1"});
  ASSERT_TRUE(mnemod.ok()) << mnemod.error().message;
  Client watcher = Connect(mnemod->port);
  ASSERT_EQ(watcher.Ask("watch\r\n"), "OK\r\n");
  Client client = Connect(mnemod->port);
  const std::string key(200, 'k');
  std::string batch;
  for (int i = 0; i < 100; ++i) batch += "get " + key + "\r\n";
  // The watcher reads nothing meanwhile; every batch is still answered whole.
  for (int round = 0; round < 50; ++round) {
    ASSERT_TRUE(client.Send(batch));
    std::string replies;
    for (int i = 0; i < 100 && replies.size() < 500; ++i) replies += client.ReadUntil(kEnd);
    ASSERT_EQ(replies.size(), 500u) << round;
  }
  client.Ask("get zz_end\r\n", kEnd);
  const std::string lines = ReadLinesThrough(watcher, "zz_end");
  EXPECT_NE(lines.find("\nskipped="), std::string::npos);
  EXPECT_NE(lines.find(" key=zz_end "), std::string::npos);
}

}  // namespace
}  // namespace mnemo::integration
