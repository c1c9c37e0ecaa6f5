// mnemod as a proxy (`--engine proxy:...`, engines/proxy) in front of three memcached 1.6.18 on
// free loopback ports:
// - keys land on the upstream mnemo_client's hashing picks for the same server list and options;
// - items keep flags and CAS through the proxy, multi-gets come back whole and in order,
//   counters and touch work, stats are summed and flush_all reaches every upstream;
// - a killed upstream fails its keys only (SERVER_ERROR backend failure on get/set/incr/delete/
//   touch, for a multi-get that has one of its keys, for mg and md) while the others are
//   served, and serves them again once restarted;
// - with eject=1 the killed upstream's keys move to the others, and come back after retry_ms;
// - concurrent pipelining connections each get exactly their own replies, in order;
// - a bad proxy option stops mnemod at start with one line.
// Each test starts its own servers; every wait is bounded.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "mnemo/client/client.h"
#include "process.h"
#include "tcp_client.h"

namespace mnemo::scale {
namespace {

using std::chrono::milliseconds;
using testing::Process;
using testing::TcpClient;

constexpr int kUpstreams = 3;
constexpr milliseconds kWait{10000};  // upper bound of any wait for a state change

std::vector<std::string> MemcachedArgv(std::uint16_t port) {
  std::vector<std::string> argv = {"memcached", "-l", "127.0.0.1", "-p", std::to_string(port),
                                   "-U", "0", "-t", "1"};
  if (::geteuid() == 0) argv.insert(argv.end(), {"-u", "root"});
  return argv;
}

std::unique_ptr<client::Client> ClientFor(std::vector<std::uint16_t> ports) {
  client::Options options;
  for (std::uint16_t port : ports) options.servers.push_back({"127.0.0.1", port});
  options.distribution = client::Distribution::kKetama;
  options.hash = client::Hash::kMd5;
  auto created = client::Client::Create(std::move(options));
  return created ? std::move(created).value() : nullptr;
}

class MnemodProxyTest : public ::testing::Test {
 protected:
  // Starts the upstreams and the proxy; `extra` is appended to the proxy spec.
  void Start(const std::string& extra = "") {
    std::string spec = "proxy:";
    for (int i = 0; i < kUpstreams; ++i) {
      auto started = testing::StartServer(MemcachedArgv);
      ASSERT_TRUE(started.ok()) << started.error().message;
      ports_.push_back(started->port);
      upstreams_.push_back(std::move(started->process));
      spec += (i == 0 ? "" : ",") + std::string("127.0.0.1:") + std::to_string(ports_.back());
    }
    spec += ";distribution=ketama;hash=md5;timeout_ms=1000;connect_ms=1000" + extra;
    auto proxy = testing::StartServer([&](std::uint16_t port) {
      std::vector<std::string> argv = {MNEMO_MNEMOD_BIN, "-l", "127.0.0.1", "-p",
                                       std::to_string(port), "-t", "2", "--engine", spec};
      if (::geteuid() == 0) argv.insert(argv.end(), {"-u", "root"});
      return argv;
    });
    ASSERT_TRUE(proxy.ok()) << proxy.error().message;
    proxy_port_ = proxy->port;
    proxy_ = std::move(proxy->process);
    predicting_ = ClientFor(ports_);
    ASSERT_NE(predicting_, nullptr);
    auto connected = TcpClient::Connect(proxy_port_);
    ASSERT_TRUE(connected.ok()) << connected.error().message;
    conn_ = std::move(connected).value();
  }

  // Sends `request` to the proxy and reads until the reply ends with `end`.
  std::string Ask(const std::string& request, std::string_view end = "\r\n") {
    EXPECT_TRUE(conn_.Send(request).ok());
    std::string reply;
    conn_.ReadUntil(&reply, [&](std::string_view got) { return got.ends_with(end); }, kWait);
    return reply;
  }

  std::string Set(const std::string& key, const std::string& value = "v") {
    return Ask("set " + key + " 0 0 " + std::to_string(value.size()) + "\r\n" + value + "\r\n");
  }

  int Owner(const std::string& key) {
    return static_cast<int>(predicting_->ServerFor(key).value_or(kUpstreams));
  }

  // Whether upstream i holds `key`, asked directly.
  bool Holds(int i, const std::string& key) {
    auto direct = ClientFor({ports_[i]});
    auto got = direct->Get(key);
    return got.ok() && got->has_value();
  }

  void Kill(int i) { upstreams_[i].Stop(milliseconds(0)); }
  void Restart(int i) {
    auto spawned = Process::Spawn(MemcachedArgv(ports_[i]));
    ASSERT_TRUE(spawned.ok()) << spawned.error().message;
    upstreams_[i] = std::move(spawned).value();
    ASSERT_TRUE(testing::WaitForListener(upstreams_[i], ports_[i], kWait));
  }

  // Keys "key0".."key{n-1}".
  static std::vector<std::string> Keys(int n) {
    std::vector<std::string> keys;
    for (int k = 0; k < n; ++k) keys.push_back("key" + std::to_string(k));
    return keys;
  }

  std::vector<std::uint16_t> ports_;
  std::vector<Process> upstreams_;
  Process proxy_;
  std::uint16_t proxy_port_ = 0;
  std::unique_ptr<client::Client> predicting_;
  TcpClient conn_;
};

TEST_F(MnemodProxyTest, KeysLandWhereMnemoClientHashes) {
  ASSERT_NO_FATAL_FAILURE(Start());
  std::vector<int> per_upstream(kUpstreams, 0);
  for (const std::string& key : Keys(300)) {
    ASSERT_EQ(Set(key), "STORED\r\n");
    const int owner = Owner(key);
    ASSERT_LT(owner, kUpstreams);
    ++per_upstream[owner];
    for (int i = 0; i < kUpstreams; ++i) EXPECT_EQ(Holds(i, key), i == owner) << key << " " << i;
  }
  for (int count : per_upstream) EXPECT_GT(count, 0);
}

TEST_F(MnemodProxyTest, ItemsKeepFlagsAndCasAndMultiGetsMerge) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_EQ(Ask("set a 42 0 2\r\nhi\r\n"), "STORED\r\n");
  const std::string gets = Ask("gets a\r\n", "END\r\n");
  ASSERT_TRUE(gets.starts_with("VALUE a 42 2 ")) << gets;
  const std::string cas = gets.substr(13, gets.find("\r\n") - 13);
  EXPECT_EQ(Ask("cas a 7 0 2 " + cas + "\r\nho\r\n"), "STORED\r\n");
  EXPECT_EQ(Ask("cas a 7 0 2 " + cas + "\r\nhu\r\n"), "EXISTS\r\n");
  EXPECT_EQ(Ask("mg a v f\r\n", "ho\r\n"), "VA 2 f7\r\nho\r\n");
  std::string want, request = "get";
  for (const std::string& key : Keys(30)) {
    ASSERT_EQ(Set(key, key + "!"), "STORED\r\n");
    request += " " + key + " missing" + key;
    want += "VALUE " + key + " 0 " + std::to_string(key.size() + 1) + "\r\n" + key + "!\r\n";
  }
  EXPECT_EQ(Ask(request + "\r\n", "END\r\n"), want + "END\r\n");
  EXPECT_EQ(Ask("incr n 1\r\n"), "NOT_FOUND\r\n");
  EXPECT_EQ(Ask("set n 0 0 2\r\n10\r\nincr n 5\r\ndecr n 20\r\n", "0\r\n"),
            "STORED\r\n15\r\n0\r\n");
  EXPECT_EQ(Ask("touch n 100\r\ndelete n\r\ndelete n\r\n", "NOT_FOUND\r\n"),
            "TOUCHED\r\nDELETED\r\nNOT_FOUND\r\n");
}

TEST_F(MnemodProxyTest, StatsAreSummedAndFlushReachesEveryUpstream) {
  ASSERT_NO_FATAL_FAILURE(Start());
  for (const std::string& key : Keys(90)) ASSERT_EQ(Set(key), "STORED\r\n");
  const std::string stats = Ask("stats\r\n", "END\r\n");
  EXPECT_NE(stats.find("STAT curr_items 90\r\n"), std::string::npos) << stats;
  EXPECT_NE(stats.find("STAT total_items 90\r\n"), std::string::npos) << stats;
  EXPECT_NE(stats.find("STAT proxy_upstreams 3\r\n"), std::string::npos) << stats;
  EXPECT_EQ(Ask("flush_all\r\n"), "OK\r\n");
  for (const std::string& key : Keys(90)) {
    for (int i = 0; i < kUpstreams; ++i) EXPECT_FALSE(Holds(i, key)) << key;
  }
}

TEST_F(MnemodProxyTest, KilledUpstreamFailsOnlyItsKeysUntilRestarted) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const std::vector<std::string> keys = Keys(120);
  for (const std::string& key : keys) ASSERT_EQ(Set(key), "STORED\r\n");
  Kill(1);
  constexpr std::string_view kFailed = "SERVER_ERROR backend failure\r\n";
  std::string lost_key, kept_key;
  for (const std::string& key : keys) {
    const bool lost = Owner(key) == 1;
    (lost ? lost_key : kept_key) = key;
    EXPECT_EQ(Set(key), lost ? kFailed : "STORED\r\n") << key;
    const std::string got = Ask("get " + key + "\r\n", lost ? "\r\n" : "END\r\n");
    EXPECT_EQ(got, lost ? kFailed : "VALUE " + key + " 0 1\r\nv\r\nEND\r\n") << key;
  }
  ASSERT_FALSE(lost_key.empty());
  ASSERT_FALSE(kept_key.empty());
  // One reply per request: a multi-get with a failed key is one error line, nothing after it.
  EXPECT_EQ(Ask("get " + kept_key + " " + lost_key + "\r\nmn\r\n", "MN\r\n"),
            std::string(kFailed) + "MN\r\n");
  EXPECT_EQ(Ask("touch " + lost_key + " 10\r\ndelete " + lost_key + "\r\nmg " + lost_key +
                    " v\r\nmd " + lost_key + " q\r\nmn\r\n",
                "MN\r\n"),
            std::string(kFailed) + std::string(kFailed) + std::string(kFailed) +
                std::string(kFailed) + "MN\r\n");
  // Stores and counters too, in every text form; a failed set leaves no delete behind it.
  EXPECT_EQ(Ask("incr " + lost_key + " 1\r\nadd " + lost_key + " 0 0 1\r\nx\r\nms " + lost_key +
                    " 1 q\r\nx\r\nma " + lost_key + "\r\nmn\r\n",
                "MN\r\n"),
            std::string(kFailed) + std::string(kFailed) + std::string(kFailed) +
                std::string(kFailed) + "MN\r\n");
  const std::string stats = Ask("stats\r\n", "END\r\n");
  EXPECT_NE(stats.find("STAT proxy_upstreams_unreachable 1\r\n"), std::string::npos) << stats;
  ASSERT_NO_FATAL_FAILURE(Restart(1));
  for (const std::string& key : keys) {
    EXPECT_EQ(Set(key), "STORED\r\n") << key;
    if (Owner(key) == 1) {
      EXPECT_TRUE(Holds(1, key)) << key;
    }
  }
}

TEST_F(MnemodProxyTest, EjectedUpstreamKeysMoveAndComeBackAfterRetry) {
  ASSERT_NO_FATAL_FAILURE(Start(";eject=1;retry_ms=300"));
  std::string moved;  // a key of upstream 1
  for (const std::string& key : Keys(50)) {
    if (Owner(key) == 1) moved = key;
  }
  ASSERT_FALSE(moved.empty());
  Kill(1);
  // The first failure ejects upstream 1; its keys then go to the others. Ejection lasts 300 ms
  // and each retry fails again, so keep asking until a store lands elsewhere.
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  std::string reply = Set(moved);
  while (reply != "STORED\r\n" && std::chrono::steady_clock::now() < deadline) {
    EXPECT_EQ(reply, "SERVER_ERROR backend failure\r\n");
    reply = Set(moved);
  }
  ASSERT_EQ(reply, "STORED\r\n");
  EXPECT_TRUE(Holds(0, moved) || Holds(2, moved));
  ASSERT_NO_FATAL_FAILURE(Restart(1));
  // Back in the distribution once its retry interval has passed: poll, bounded.
  while (!Holds(1, moved) && std::chrono::steady_clock::now() < deadline + kWait) {
    Set(moved);
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_TRUE(Holds(1, moved));
}

// Many connections at once, each pipelining its own keys: every reply is the one for its own
// request, in order, once (the sessions run on mnemod's offload pool and share the upstream
// pools), and every key ends up on the upstream mnemo_client picks.
TEST_F(MnemodProxyTest, ConcurrentPipelinesGetTheirOwnRepliesInOrder) {
  ASSERT_NO_FATAL_FAILURE(Start());
  constexpr int kThreads = 6;
  constexpr int kKeys = 60;
  std::vector<std::string> failures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto conn = TcpClient::Connect(proxy_port_);
      if (!conn.ok()) return void(failures[t] = conn.error().message);
      std::string request, want;
      for (int k = 0; k < kKeys; ++k) {
        const std::string key = "t" + std::to_string(t) + "k" + std::to_string(k);
        const std::string value = key + "=" + std::to_string(k * 7);
        request += "set " + key + " " + std::to_string(t) + " 0 " +
                   std::to_string(value.size()) + "\r\n" + value + "\r\nget " + key + "\r\n";
        want += "STORED\r\nVALUE " + key + " " + std::to_string(t) + " " +
                std::to_string(value.size()) + "\r\n" + value + "\r\nEND\r\n";
      }
      if (!conn->Send(request).ok()) return void(failures[t] = "send failed");
      std::string got;
      conn->ReadUntil(&got, [&](std::string_view in) { return in.size() >= want.size(); },
                      kWait);
      if (got != want) failures[t] = "replies differ: " + got.substr(0, 200);
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], "") << "connection " << t;
  for (int t = 0; t < kThreads; ++t) {
    const std::string key = "t" + std::to_string(t) + "k0";
    EXPECT_TRUE(Holds(Owner(key), key)) << key;
  }
}

// The replies in `in`, one string each, as far as they are complete: STORED, END (a miss), a
// whole VALUE ... END, or an error line.
std::vector<std::string> SplitReplies(std::string_view in) {
  std::vector<std::string> replies;
  std::size_t at = 0;
  while (true) {
    const std::size_t eol = in.find("\r\n", at);
    if (eol == std::string_view::npos) break;
    std::size_t end = eol + 2;
    if (in.substr(at).starts_with("VALUE ")) {
      const std::size_t done = in.find("END\r\n", end);
      if (done == std::string_view::npos) break;
      end = done + 5;
    }
    replies.emplace_back(in.substr(at, end - at));
    at = end;
  }
  return replies;
}

// Pipelines of sets and gets from several connections while upstream 1 is killed and later
// restarted: every request gets exactly one reply, in order; the other upstreams' keys never
// fail; the killed one's fail with the backend-failure line (never a wrong value) and work
// again after the restart.
TEST_F(MnemodProxyTest, UpstreamKilledMidLoadFailsOnlyItsKeysAndComesBack) {
  ASSERT_NO_FATAL_FAILURE(Start());
  constexpr int kThreads = 4;
  constexpr int kKeys = 10;  // per pipeline: a set and a get each
  const std::string kFailed = "SERVER_ERROR backend failure\r\n";
  std::atomic<bool> stop{false};
  std::atomic<int> rounds{0};
  std::atomic<int> failed_on_killed{0};
  std::vector<std::string> problems(kThreads);
  std::vector<std::atomic<bool>> last_round_clean(kThreads);  // each thread writes its own
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto conn = TcpClient::Connect(proxy_port_);
      if (!conn.ok()) return void(problems[t] = conn.error().message);
      for (int round = 0; !stop && problems[t].empty(); ++round) {
        std::string request;
        std::vector<std::string> keys, values;
        for (int k = 0; k < kKeys; ++k) {
          keys.push_back("m" + std::to_string(t) + "k" + std::to_string(k));
          values.push_back("r" + std::to_string(round));
          request += "set " + keys.back() + " 0 0 " + std::to_string(values.back().size()) +
                     "\r\n" + values.back() + "\r\nget " + keys.back() + "\r\n";
        }
        if (!conn->Send(request).ok()) return void(problems[t] = "send failed");
        std::string got;
        conn->ReadUntil(
            &got, [&](std::string_view in) { return SplitReplies(in).size() >= 2 * kKeys; },
            kWait);
        const std::vector<std::string> replies = SplitReplies(got);
        if (replies.size() != 2 * kKeys) return void(problems[t] = "replies missing: " + got);
        bool clean = true;
        for (int k = 0; k < kKeys; ++k) {
          const std::string& set = replies[2 * k];
          const std::string& get = replies[2 * k + 1];
          const std::string hit = "VALUE " + keys[k] + " 0 " + std::to_string(values[k].size()) +
                                  "\r\n" + values[k] + "\r\nEND\r\n";
          const bool killed_owner = Owner(keys[k]) == 1;
          const bool set_ok = set == "STORED\r\n" || (killed_owner && set == kFailed);
          // After a failed set the get may still find an older value (or none, after a restart).
          const bool get_ok = get == hit || (killed_owner && (get == kFailed || set == kFailed));
          if (!set_ok || !get_ok) problems[t] = "key " + keys[k] + ": " + set + " / " + get;
          if (set != "STORED\r\n" || get != hit) clean = false;
          if (killed_owner && set == kFailed) ++failed_on_killed;
        }
        last_round_clean[t] = clean;
        ++rounds;
      }
    });
  }
  auto wait_rounds = [&](int more) {
    const int target = rounds + more;
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    while (rounds < target && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(5));
    }
  };
  wait_rounds(20);
  Kill(1);
  wait_rounds(40);
  ASSERT_NO_FATAL_FAILURE(Restart(1));
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  wait_rounds(40);
  // Lazily reconnected: wait until every connection's latest round went through cleanly.
  auto all_clean = [&] {
    return std::all_of(last_round_clean.begin(), last_round_clean.end(),
                       [](const std::atomic<bool>& clean) { return clean.load(); });
  };
  while (std::chrono::steady_clock::now() < deadline && !all_clean()) wait_rounds(4);
  stop = true;
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(problems[t], "") << "connection " << t;
  EXPECT_GT(failed_on_killed.load(), 0);
  for (int t = 0; t < kThreads; ++t) EXPECT_TRUE(last_round_clean[t]) << "connection " << t;
}

// SIGTERM with a client connected and the upstream links open: the links go with the last
// connection, so mnemod drains and exits 0 without waiting out its drain timeout.
TEST(MnemodProxyStop, SigtermClosesTheUpstreamLinksAndDrains) {
  auto upstream = testing::StartServer(MemcachedArgv);
  ASSERT_TRUE(upstream.ok()) << upstream.error().message;
  const std::string log = ::testing::TempDir() + "mnemod_proxy_stop.log";
  std::remove(log.c_str());
  testing::ServerOptions options;
  options.log_path = log;
  auto proxy = testing::StartServer(
      [&](std::uint16_t port) {
        std::vector<std::string> argv = {MNEMO_MNEMOD_BIN, "-l", "127.0.0.1", "-p",
                                         std::to_string(port), "-t", "2", "-v", "--engine",
                                         "proxy:127.0.0.1:" + std::to_string(upstream->port)};
        if (::geteuid() == 0) argv.insert(argv.end(), {"-u", "root"});
        return argv;
      },
      options);
  ASSERT_TRUE(proxy.ok()) << proxy.error().message;
  auto conn = TcpClient::Connect(proxy->port);
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(conn->Send("set a 0 0 1\r\nx\r\nget a\r\n").ok());
  std::string got;
  conn->ReadUntil(&got, [](std::string_view in) { return in.ends_with("END\r\n"); }, kWait);
  ASSERT_EQ(got, "STORED\r\nVALUE a 0 1\r\nx\r\nEND\r\n");
  proxy->process.Terminate();
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (proxy->process.Running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  const int status = proxy->process.Stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  std::ifstream in(log);
  const std::string output(std::istreambuf_iterator<char>(in), {});
  EXPECT_EQ(output.find("still busy"), std::string::npos) << output;
}

// A bad option stops mnemod at start with one line naming it, exit status 64 (EX_USAGE).
TEST(MnemodProxyStart, BadSpecStopsMnemodWithOneLine) {
  for (const auto& [spec, line] : std::vector<std::pair<std::string, std::string>>{
           {"proxy:127.0.0.1:1;hash=nope", "--engine proxy: unknown hash \"nope\"\n"},
           {"proxy:127.0.0.1:1;pool=0", "--engine proxy: bad value \"0\" for pool\n"},
           {"proxy:127.0.0.1:1;colour=red", "--engine proxy: unknown option \"colour\"\n"}}) {
    const std::string log = ::testing::TempDir() + "mnemod_proxy_start.log";
    std::remove(log.c_str());
    std::vector<std::string> argv = {MNEMO_MNEMOD_BIN, "-p", "0", "--engine", spec};
    if (::geteuid() == 0) argv.insert(argv.end(), {"-u", "root"});
    auto started = Process::Spawn(argv, log);
    ASSERT_TRUE(started.ok()) << started.error().message;
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    while (started->Running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(20));
    }
    ASSERT_FALSE(started->Running()) << spec;
    const int status = started->Stop();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 64) << spec << " " << status;
    std::ifstream in(log);
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), line) << spec;
  }
}

}  // namespace
}  // namespace mnemo::scale
