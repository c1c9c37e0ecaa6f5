// mnemod as a proxy that follows a domain (`--engine proxy:domain=NAME@SEEDS`): two mnemod
// upstreams keep the domain's list; the proxy starts on version 1 (one upstream), and once
// version 2 adds the second one, keys ketama gives it land there without a restart. A domain
// that no seed knows stops mnemod at start with one line.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "mnemo/client/client.h"
#include "mnemo/client/domain.h"
#include "process.h"
#include "tcp_client.h"

namespace mnemo::scale {
namespace {

using std::chrono::milliseconds;
using testing::Process;
using testing::TcpClient;

constexpr milliseconds kWait{10000};  // upper bound of any wait for a state change

std::vector<std::string> MnemodArgv(std::uint16_t port, const std::string& engine) {
  std::vector<std::string> argv = {MNEMO_MNEMOD_BIN, "-l", "127.0.0.1", "-p",
                                   std::to_string(port), "-t", "2"};
  if (!engine.empty()) argv.insert(argv.end(), {"--engine", engine});
  if (::geteuid() == 0) argv.insert(argv.end(), {"-u", "root"});
  return argv;
}

std::string Address(std::uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

class MnemodProxyDomainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 2; ++i) {
      auto started = testing::StartServer([](std::uint16_t port) { return MnemodArgv(port, ""); });
      ASSERT_TRUE(started.ok()) << started.error().message;
      ports_.push_back(started->port);
      upstreams_.push_back(std::move(started->process));
    }
  }
  void TearDown() override { client::RemoveSharedDomain(domain_); }

  // Adds upstream `index` to the domain as `version`, on both upstreams (each keeps the list).
  void Push(std::uint64_t version, int index) {
    const std::vector<domains::Change> changes = {
        {domains::Change::Kind::kAdd, {Address(ports_[index]), 1}}};
    for (std::uint16_t port : ports_) {
      auto pushed = client::PushDomain({"127.0.0.1", port}, domain_, version, changes, kWait);
      ASSERT_TRUE(pushed.ok()) << pushed.error().message;
    }
  }

  std::string Ask(TcpClient& conn, const std::string& request, std::string_view end) {
    EXPECT_TRUE(conn.Send(request).ok());
    std::string reply;
    conn.ReadUntil(&reply, [&](std::string_view got) { return got.ends_with(end); }, kWait);
    return reply;
  }

  bool Holds(int index, const std::string& key) {
    client::Options options;
    options.servers.push_back({"127.0.0.1", ports_[index]});
    auto direct = client::Client::Create(std::move(options));
    if (!direct.ok()) return false;
    auto got = (*direct)->Get(key);
    return got.ok() && got->has_value();
  }

  const std::string domain_ = "proxy-domain-" + std::to_string(::getpid());
  std::vector<std::uint16_t> ports_;
  std::vector<Process> upstreams_;
};

TEST_F(MnemodProxyDomainTest, NewServersOfTheDomainTakeTheirKeysWithoutARestart) {
  ASSERT_NO_FATAL_FAILURE(Push(1, 0));
  const std::string spec = "proxy:domain=" + domain_ + "@" + Address(ports_[1]) +
                           ";distribution=ketama;hash=md5;timeout_ms=1000";
  auto proxy =
      testing::StartServer([&](std::uint16_t port) { return MnemodArgv(port, spec); });
  ASSERT_TRUE(proxy.ok()) << proxy.error().message;
  auto connected = TcpClient::Connect(proxy->port);
  ASSERT_TRUE(connected.ok()) << connected.error().message;
  TcpClient conn = std::move(connected).value();

  for (int i = 0; i < 20; ++i) {
    const std::string key = "before" + std::to_string(i);
    ASSERT_EQ(Ask(conn, "set " + key + " 0 0 1\r\nv\r\n", "\r\n"), "STORED\r\n");
    EXPECT_TRUE(Holds(0, key)) << key;  // the only upstream of version 1
  }
  EXPECT_NE(Ask(conn, "stats\r\n", "END\r\n").find("STAT proxy_domain_version 1\r\n"),
            std::string::npos);

  ASSERT_NO_FATAL_FAILURE(Push(2, 1));
  std::string stats;
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (stats.find("STAT proxy_domain_version 2\r\n") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(50));
    stats = Ask(conn, "stats\r\n", "END\r\n");
  }
  ASSERT_NE(stats.find("STAT proxy_upstreams 2\r\n"), std::string::npos) << stats;

  // Keys now spread over both, as a client over version 2's list predicts.
  client::Options options;
  for (std::uint16_t port : ports_) options.servers.push_back({"127.0.0.1", port});
  options.distribution = client::Distribution::kKetama;
  options.hash = client::Hash::kMd5;
  auto predicting = client::Client::Create(std::move(options));
  ASSERT_TRUE(predicting.ok());
  int on_new = 0;
  for (int i = 0; i < 40; ++i) {
    const std::string key = "after" + std::to_string(i);
    ASSERT_EQ(Ask(conn, "set " + key + " 0 0 1\r\nv\r\n", "\r\n"), "STORED\r\n");
    const int owner = static_cast<int>((*predicting)->ServerFor(key).value_or(2));
    EXPECT_TRUE(Holds(owner, key)) << key;
    EXPECT_FALSE(Holds(1 - owner, key)) << key;
    on_new += owner == 1;
  }
  EXPECT_GT(on_new, 0);
}

TEST_F(MnemodProxyDomainTest, ADomainNoSeedKnowsStopsTheStart) {
  const std::string spec = "proxy:domain=" + domain_ + "-unknown@" + Address(ports_[0]);
  const std::string log = ::testing::TempDir() + "proxy-domain-" + std::to_string(::getpid());
  auto spawned = Process::Spawn(MnemodArgv(testing::FreeLoopbackPort(), spec), log);
  ASSERT_TRUE(spawned.ok()) << spawned.error().message;
  Process mnemod = std::move(spawned).value();
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (mnemod.Running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  const int status = mnemod.Stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0) << status;
  std::string output;
  if (std::FILE* file = std::fopen(log.c_str(), "r")) {
    char buffer[512];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof(buffer), file)) > 0) output.append(buffer, n);
    std::fclose(file);
  }
  std::remove(log.c_str());
  EXPECT_NE(output.find("proxy: domain " + domain_ + "-unknown: no seed"), std::string::npos) << output;
}

}  // namespace
}  // namespace mnemo::scale
