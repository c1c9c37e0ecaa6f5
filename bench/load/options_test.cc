// mnemo-bench's command line: defaults, the new flags, and every rejected combination.
#include "options.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

namespace mnemo::bench {
namespace {

// Parses the flags (after a program name); CLI11's messages go to the test's output.
std::optional<int> Parse(std::initializer_list<const char*> flags, BenchOptions& o) {
  std::vector<std::string> storage{"mnemo-bench"};
  for (const char* f : flags) storage.emplace_back(f);
  std::vector<char*> argv;
  for (std::string& s : storage) argv.push_back(s.data());
  return ParseOptions(static_cast<int>(argv.size()), argv.data(), o);
}

TEST(BenchOptionsTest, DefaultsAreAClosedLoopOnLocalhost) {
  BenchOptions o;
  ASSERT_FALSE(Parse({}, o).has_value());
  EXPECT_EQ(o.host, "127.0.0.1");
  EXPECT_EQ(o.port, 11211);
  EXPECT_EQ(o.rate, 0);
  EXPECT_EQ(o.protocol, Protocol::kAscii);
  EXPECT_FALSE(o.tls);
  EXPECT_TRUE(o.value_weights.empty());
}

TEST(BenchOptionsTest, OpenLoopBinaryAndTls) {
  BenchOptions o;
  ASSERT_FALSE(Parse({"-s", "localhost:1234", "--rate", "5000", "--protocol", "binary", "--tls",
                      "-c", "8", "-t", "2", "--no-progress"},
                     o)
                   .has_value());
  EXPECT_EQ(o.host, "localhost");
  EXPECT_EQ(o.port, 1234);
  EXPECT_DOUBLE_EQ(o.rate, 5000);
  EXPECT_EQ(o.protocol, Protocol::kBinary);
  EXPECT_TRUE(o.tls);
  EXPECT_EQ(o.threads, 2);
  EXPECT_FALSE(o.progress);
}

TEST(BenchOptionsTest, RespPutsTheSameLoadOnRedisButWithoutMultiget) {
  BenchOptions o;
  ASSERT_FALSE(
      Parse({"-s", "127.0.0.1:6379", "--protocol", "resp", "--ratio", "1:9"}, o).has_value());
  EXPECT_EQ(o.protocol, Protocol::kResp);
  EXPECT_EQ(o.get_ratio, 1u);
  EXPECT_EQ(o.set_ratio, 9u);
  EXPECT_TRUE(
      Parse({"-s", "127.0.0.1:6379", "--protocol", "resp", "--multiget", "4"}, o).has_value());
  EXPECT_TRUE(Parse({"-s", "127.0.0.1:6379", "--protocol", "redis"}, o).has_value());
}

TEST(BenchOptionsTest, ValueSizesFixedRangeAndWeighted) {
  BenchOptions o;
  ASSERT_FALSE(Parse({"--value-size", "10-1000"}, o).has_value());
  EXPECT_EQ(o.value_min, 10u);
  EXPECT_EQ(o.value_max, 1000u);
  ASSERT_FALSE(Parse({"--value-size", "100:9,4096:1"}, o).has_value());
  ASSERT_EQ(o.value_weights.size(), 2u);
  EXPECT_EQ(o.value_weights[1].size, 4096u);
  EXPECT_EQ(o.value_weights[1].weight, 1u);
  EXPECT_EQ(o.value_min, 100u);
  EXPECT_EQ(o.value_max, 4096u);
}

TEST(BenchOptionsTest, ThreadsNeverExceedConnections) {
  BenchOptions o;
  ASSERT_FALSE(Parse({"-t", "4", "-c", "2"}, o).has_value());
  EXPECT_EQ(o.threads, 2);
}

TEST(BenchOptionsTest, HelpExitsZero) {
  BenchOptions o;
  const auto code = Parse({"--help"}, o);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0);
}

// Each of these must be refused with a non-zero exit code, not run something else.
TEST(BenchOptionsTest, BadCommandLinesAreRefused) {
  const std::vector<std::vector<const char*>> bad = {
      {"--rate", "-1"},
      {"--rate", "1000", "--depth", "4"},
      {"--rate", "1000", "--mode", "hitratio"},
      {"--multiget", "16", "--protocol", "binary"},
      {"--multiget", "16", "--protocol", "meta"},
      {"--tls", "--unix", "/tmp/x.sock"},
      {"--protocol", "udp"},
      {"--value-size", "100:0"},
      {"--value-size", "100:1,"},
      {"--value-size", "1000-10"},
      {"--ratio", "0:0"},
      {"--server", "nohostport"},
      {"--server", "host:99999"},
      {"--server", "host:abc"},
      {"--distribution", "pareto"},
      {"--no-such-flag"},
  };
  for (const auto& flags : bad) {
    std::vector<std::string> storage{"mnemo-bench"};
    for (const char* f : flags) storage.emplace_back(f);
    std::vector<char*> argv;
    for (std::string& s : storage) argv.push_back(s.data());
    BenchOptions o;
    const auto code = ParseOptions(static_cast<int>(argv.size()), argv.data(), o);
    ASSERT_TRUE(code.has_value()) << storage[1];
    EXPECT_NE(*code, 0) << storage[1];
  }
}

}  // namespace
}  // namespace mnemo::bench
