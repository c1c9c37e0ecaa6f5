// --metrics: the per-command latency histograms (mnemo_command_duration_seconds). Known traffic
// over ASCII, meta and binary connections on two workers; the scrape must count exactly the
// requests sent per command, with cumulative buckets that end in +Inf == _count.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "reliability_util.h"

namespace mnemo::reliability {
namespace {

using integration::Client;
using integration::Mnemod;
using integration::ScratchDir;

constexpr std::string_view kScrape = "GET /metrics HTTP/1.0\r\n\r\n";
constexpr std::string_view kName = "mnemo_command_duration_seconds";
const char* const kLabels[] = {"get", "set", "delete", "incr_decr", "touch",
                               "mg",  "ms",  "md",     "ma",        "other"};

struct Histogram {
  std::vector<std::uint64_t> cumulative;  // in the order of the `le` bounds, +Inf last
  std::string last_le;
  std::optional<std::uint64_t> count;
  double sum = -1;
};

// The histogram of one command label in an exposition.
Histogram Parse(const std::string& exposition, const std::string& label) {
  Histogram histogram;
  const std::string bucket = std::string(kName) + "_bucket{command=\"" + label + "\",le=\"";
  std::istringstream lines(exposition);
  for (std::string line; std::getline(lines, line);) {
    const std::size_t space = line.rfind(' ');
    if (space == std::string::npos) continue;
    const std::string value = line.substr(space + 1);
    if (line.starts_with(bucket)) {
      histogram.cumulative.push_back(std::stoull(value));
      histogram.last_le = line.substr(bucket.size(), line.find('"', bucket.size()) - bucket.size());
    } else if (line.starts_with(std::string(kName) + "_count{command=\"" + label + "\"} ")) {
      histogram.count = std::stoull(value);
    } else if (line.starts_with(std::string(kName) + "_sum{command=\"" + label + "\"} ")) {
      histogram.sum = std::stod(value);
    }
  }
  return histogram;
}

// Checks the shape of every label's histogram and returns the counts by label.
std::map<std::string, std::uint64_t> CheckedCounts(const std::string& exposition) {
  std::map<std::string, std::uint64_t> counts;
  for (const char* label : kLabels) {
    const Histogram histogram = Parse(exposition, label);
    EXPECT_EQ(histogram.cumulative.size(), 17u) << label;
    EXPECT_EQ(histogram.last_le, "+Inf") << label;
    for (std::size_t i = 1; i < histogram.cumulative.size(); ++i) {
      EXPECT_LE(histogram.cumulative[i - 1], histogram.cumulative[i]) << label << " bucket " << i;
    }
    EXPECT_TRUE(histogram.count.has_value()) << label;
    if (histogram.cumulative.empty() || !histogram.count) continue;
    EXPECT_EQ(histogram.cumulative.back(), *histogram.count) << label;
    // Every request took some time; none took time without a request.
    EXPECT_EQ(histogram.sum > 0, *histogram.count > 0) << label << " sum " << histogram.sum;
    counts[label] = *histogram.count;
  }
  return counts;
}

std::string BinaryRequest(std::uint8_t opcode, std::string_view extras, std::string_view key,
                          std::string_view value) {
  std::string header(24, '\0');
  const std::size_t body = extras.size() + key.size() + value.size();
  header[0] = static_cast<char>(0x80);
  header[1] = static_cast<char>(opcode);
  header[3] = static_cast<char>(key.size());
  header[4] = static_cast<char>(extras.size());
  header[11] = static_cast<char>(body);
  return header + std::string(extras) + std::string(key) + std::string(value);
}

Result<std::string> Scrape(const Mnemod& server) {
  std::optional<std::uint16_t> port = MetricsPort(server);
  if (!port) return Error{"no metrics line: " + server.Log()};
  return HttpExchange(*port, kScrape);
}

TEST(LatencyMetrics, CountsEveryRequestByCommandOverAllProtocolsAndWorkers) {
  ScratchDir dir;
  Result<Mnemod> server = integration::StartMnemod(dir, {"-t", "2", "--metrics", "127.0.0.1:0"});
  ASSERT_TRUE(server.ok()) << server.error().message;
  Result<Client> text = server->Connect();
  Result<Client> meta = server->Connect();
  Result<Client> binary = server->Connect();
  ASSERT_TRUE(text.ok() && meta.ok() && binary.ok());
  // One at a time, and a noreply set whose missing reply the next request stands behind.
  EXPECT_EQ(text->Ask("set a 0 0 1\r\n1\r\n"), "STORED\r\n");
  EXPECT_EQ(text->Ask("set b 0 0 1 noreply\r\n2\r\nadd c 0 0 1\r\n3\r\n"), "STORED\r\n");
  EXPECT_EQ(text->Ask("cas a 0 0 1 999\r\nx\r\n"), "EXISTS\r\n");
  EXPECT_EQ(text->Ask("get a b\r\n", "END\r\n"), "VALUE a 0 1\r\n1\r\nVALUE b 0 1\r\n2\r\nEND\r\n");
  EXPECT_EQ(text->Ask("gets nope\r\n", "END\r\n"), "END\r\n");
  EXPECT_EQ(text->Ask("delete c\r\n"), "DELETED\r\n");
  EXPECT_EQ(text->Ask("delete c\r\n"), "NOT_FOUND\r\n");
  EXPECT_EQ(text->Ask("incr a 1\r\n"), "2\r\n");
  EXPECT_EQ(text->Ask("decr a 1\r\n"), "1\r\n");
  EXPECT_EQ(text->Ask("touch a 100\r\n"), "TOUCHED\r\n");
  EXPECT_EQ(text->Ask("gat 100 a\r\n", "END\r\n"), "VALUE a 0 1\r\n1\r\nEND\r\n");
  EXPECT_EQ(text->Ask("version\r\n"), "VERSION 1.6.18\r\n");
  // A pipeline in one write, its value holding what would read as commands.
  EXPECT_EQ(meta->Ask("ms m 6 T0\r\nmg a v\r\nms n 1\r\n5\r\nmg m v\r\nmg a\r\nmg zz\r\nmd n\r\n"
                      "ma m\r\nma m\r\nmn\r\n",
                      "MN\r\n"),
            "HD\r\nHD\r\nVA 6\r\nmg a v\r\nHD\r\nEN\r\nHD\r\nCLIENT_ERROR cannot increment or "
            "decrement non-numeric value\r\nCLIENT_ERROR cannot increment or decrement "
            "non-numeric value\r\nMN\r\n");
  const std::string noop_reply = std::string("\x81\x0a", 2) + std::string(22, '\0');
  const std::string reply = binary->Ask(
      BinaryRequest(0x01, std::string(8, '\0'), "k", "v") + BinaryRequest(0x09, "", "k", "") +
          BinaryRequest(0x00, "", "k", "") + BinaryRequest(0x0a, "", "", ""),
      noop_reply);
  ASSERT_TRUE(reply.ends_with(noop_reply));

  Result<std::string> exposition = Scrape(*server);
  ASSERT_TRUE(exposition.ok()) << exposition.error().message;
  ASSERT_NE(exposition->find("# TYPE mnemo_command_duration_seconds histogram\n"),
            std::string::npos);
  const std::map<std::string, std::uint64_t> expected = {
      {"get", 4}, {"set", 5}, {"delete", 2}, {"incr_decr", 2}, {"touch", 2},
      {"mg", 3},  {"ms", 2},  {"md", 1},     {"ma", 2},        {"other", 3}};
  EXPECT_EQ(CheckedCounts(*exposition), expected);
}

TEST(LatencyMetrics, SplitRequestsSwallowedValuesAndErrorsAreCountedOnce) {
  ScratchDir dir;
  Result<Mnemod> server = integration::StartMnemod(dir, {"--metrics", "127.0.0.1:0"});
  ASSERT_TRUE(server.ok()) << server.error().message;
  Result<Client> client = server->Connect();
  ASSERT_TRUE(client.ok());
  // A command line in two writes is one request.
  ASSERT_TRUE(client->Send("get sp"));
  EXPECT_EQ(client->Ask("lit\r\n", "END\r\n"), "END\r\n");
  // An oversize value is swallowed, over several reads; its bytes are no requests.
  const std::string value(1100000, 'x');  // over -I 1m
  const std::string lines = "get a\r\nget b\r\n";
  std::string big_value;
  while (big_value.size() + lines.size() <= value.size()) big_value += lines;
  big_value.resize(value.size(), 'x');
  EXPECT_EQ(client->Ask("set big 0 0 1100000\r\n" + big_value + "\r\n"),
            "SERVER_ERROR object too large for cache\r\n");
  EXPECT_EQ(client->Ask("set n 0 0 -1\r\n"), "CLIENT_ERROR bad command line format\r\n");
  EXPECT_EQ(client->Ask("bogus\r\n"), "ERROR\r\n");
  EXPECT_EQ(client->Ask("get big\r\n", "END\r\n"), "END\r\n");

  Result<std::string> exposition = Scrape(*server);
  ASSERT_TRUE(exposition.ok()) << exposition.error().message;
  const std::map<std::string, std::uint64_t> counts = CheckedCounts(*exposition);
  EXPECT_EQ(counts.at("get"), 2u);
  EXPECT_EQ(counts.at("set"), 2u);
  EXPECT_EQ(counts.at("other"), 1u);
}

TEST(LatencyMetrics, CountsRequestsRunOnTheOffloadPool) {
  ScratchDir dir;
  Result<Mnemod> server = integration::StartMnemod(
      dir, {"--engine", "sqlite:" + dir.Path("cache.db"), "--metrics", "127.0.0.1:0"});
  ASSERT_TRUE(server.ok()) << server.error().message;
  Result<Client> client = server->Connect();
  ASSERT_TRUE(client.ok());
  EXPECT_EQ(client->Ask("set k 0 0 1\r\n5\r\nget k\r\nincr k 1\r\n", "6\r\n"),
            "STORED\r\nVALUE k 0 1\r\n5\r\nEND\r\n6\r\n");
  Result<std::string> exposition = Scrape(*server);
  ASSERT_TRUE(exposition.ok()) << exposition.error().message;
  const std::map<std::string, std::uint64_t> counts = CheckedCounts(*exposition);
  EXPECT_EQ(counts.at("set"), 1u);
  EXPECT_EQ(counts.at("get"), 1u);
  EXPECT_EQ(counts.at("incr_decr"), 1u);
}

}  // namespace
}  // namespace mnemo::reliability
