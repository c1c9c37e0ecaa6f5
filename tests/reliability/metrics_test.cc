// --metrics: mnemod serves `stats` as a Prometheus exposition over HTTP, scraped here with raw
// requests; its values follow the traffic; bad addresses and requests fail as documented.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <sstream>
#include <string>

#include "reliability_util.h"

namespace mnemo::reliability {
namespace {

using integration::Client;
using integration::Mnemod;
using integration::ScratchDir;

constexpr std::string_view kScrape = "GET /metrics HTTP/1.0\r\n\r\n";

TEST(Metrics, ScrapeFollowsTraffic) {
  ScratchDir dir;
  Result<Mnemod> server = integration::StartMnemod(dir, {"--metrics", "127.0.0.1:0"});
  ASSERT_TRUE(server.ok()) << server.error().message;
  std::optional<std::uint16_t> port = MetricsPort(*server);
  ASSERT_TRUE(port.has_value()) << server->Log();
  Result<Client> client = server->Connect();
  ASSERT_TRUE(client.ok());
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(client->Ask("set k" + std::to_string(i) + " 0 0 1\r\nv\r\n"), "STORED\r\n");
  }
  ASSERT_EQ(client->Ask("get k0 k1 nope\r\n", "END\r\n"),
            "VALUE k0 0 1\r\nv\r\nVALUE k1 0 1\r\nv\r\nEND\r\n");
  ASSERT_EQ(client->Ask("incr nope 1\r\n"), "NOT_FOUND\r\n");

  Result<std::string> reply = HttpExchange(*port, kScrape);
  ASSERT_TRUE(reply.ok()) << reply.error().message;
  ASSERT_TRUE(reply->starts_with("HTTP/1.0 200 OK\r\n")) << *reply;
  EXPECT_NE(reply->find("Content-Type: text/plain; version=0.0.4"), std::string::npos);
  EXPECT_EQ(Sample(*reply, "mnemo_cmd_set_total"), "5");
  EXPECT_EQ(Sample(*reply, "mnemo_cmd_get_total"), "3");
  EXPECT_EQ(Sample(*reply, "mnemo_get_hits_total"), "2");
  EXPECT_EQ(Sample(*reply, "mnemo_get_misses_total"), "1");
  EXPECT_EQ(Sample(*reply, "mnemo_incr_misses_total"), "1");
  EXPECT_EQ(Sample(*reply, "mnemo_curr_items"), "5");
  EXPECT_EQ(Sample(*reply, "mnemo_curr_connections"), "1");
  EXPECT_EQ(Sample(*reply, "mnemo_limit_maxbytes"), "67108864");
  EXPECT_NE(reply->find("# TYPE mnemo_cmd_set_total counter\n"), std::string::npos);
  EXPECT_NE(reply->find("# TYPE mnemo_curr_items gauge\n"), std::string::npos);
  EXPECT_NE(reply->find("mnemo_build_info{version=\"1.6.18\""), std::string::npos);
  // Every sample line is "name value" with a number, as Prometheus parses it.
  const std::size_t body = reply->find("\r\n\r\n");
  ASSERT_NE(body, std::string::npos);
  std::size_t samples = 0;
  std::istringstream lines(reply->substr(body + 4));
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("#") || line.starts_with("mnemo_build_info")) continue;
    ++samples;
    EXPECT_TRUE(line.starts_with("mnemo_")) << line;
    const std::string value = line.substr(line.find(' ') + 1);
    EXPECT_NO_THROW(std::stod(value)) << line;
  }
  EXPECT_GT(samples, 40u);

  // The next scrape sees the newer values: nothing is cached.
  ASSERT_EQ(client->Ask("delete k0\r\n"), "DELETED\r\n");
  reply = HttpExchange(*port, kScrape);
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(Sample(*reply, "mnemo_curr_items"), "4");
  EXPECT_EQ(Sample(*reply, "mnemo_delete_hits_total"), "1");
}

TEST(Metrics, WrongPathsMethodsAndGarbageGetHttpErrors) {
  ScratchDir dir;
  Result<Mnemod> server = integration::StartMnemod(dir, {"--metrics=127.0.0.1:0"});
  ASSERT_TRUE(server.ok()) << server.error().message;
  std::optional<std::uint16_t> port = MetricsPort(*server);
  ASSERT_TRUE(port.has_value()) << server->Log();
  auto status = [&](std::string_view request) {
    Result<std::string> reply = HttpExchange(*port, request);
    return reply.ok() ? reply->substr(0, reply->find("\r\n")) : reply.error().message;
  };
  EXPECT_EQ(status("GET / HTTP/1.0\r\n\r\n"), "HTTP/1.0 404 Not Found");
  EXPECT_EQ(status("POST /metrics HTTP/1.0\r\n\r\n"), "HTTP/1.0 405 Method Not Allowed");
  EXPECT_EQ(status("hello\r\n\r\n"), "HTTP/1.0 400 Bad Request");
  EXPECT_EQ(status(std::string(10000, 'x')), "HTTP/1.0 400 Bad Request");
  // A client that connects and says nothing is cut off, and scrapes keep working meanwhile.
  Result<testing::TcpClient> silent = testing::TcpClient::Connect(*port);
  ASSERT_TRUE(silent.ok());
  EXPECT_EQ(status("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"), "HTTP/1.0 200 OK");
  // The memcached port is unaffected by any of this.
  Result<Client> client = server->Connect();
  ASSERT_TRUE(client.ok());
  EXPECT_EQ(client->Ask("version\r\n"), "VERSION 1.6.18\r\n");
}

TEST(Metrics, BadAddressesStopTheStart) {
  ScratchDir dir;
  integration::Finished no_port = integration::RunToExit(
      dir, integration::MnemodCommand({"-p", "0", "--metrics", "127.0.0.1"}));
  EXPECT_NE(no_port.status, 0);
  EXPECT_NE(no_port.output.find("--metrics"), std::string::npos) << no_port.output;

  Result<Mnemod> first = integration::StartMnemod(dir, {"--metrics", "127.0.0.1:0"});
  ASSERT_TRUE(first.ok()) << first.error().message;
  std::optional<std::uint16_t> taken = MetricsPort(*first);
  ASSERT_TRUE(taken.has_value());
  integration::Finished clash = integration::RunToExit(
      dir,
      integration::MnemodCommand({"-p", "0", "--metrics", "127.0.0.1:" + std::to_string(*taken)}));
  EXPECT_NE(clash.status, 0);
  EXPECT_NE(clash.output.find("Address already in use"), std::string::npos) << clash.output;
}

TEST(Metrics, StopsWithTheServer) {
  ScratchDir dir;
  Result<Mnemod> server = integration::StartMnemod(dir, {"--metrics", "127.0.0.1:0"});
  ASSERT_TRUE(server.ok()) << server.error().message;
  std::optional<std::uint16_t> port = MetricsPort(*server);
  ASSERT_TRUE(port.has_value());
  // An idle scrape connection must not hold the process up once it is told to stop.
  Result<testing::TcpClient> idle = testing::TcpClient::Connect(*port);
  ASSERT_TRUE(idle.ok());
  server->process.Terminate();
  std::optional<int> status = integration::WaitForExit(server->process);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << server->Log();
}

}  // namespace
}  // namespace mnemo::reliability
