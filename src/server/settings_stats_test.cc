// `stats settings` against real memcached 1.6.18: each file in testdata/ holds the command line
// a memcached was started with ("# args: ...") and the `stats settings` it answered. The same
// command line through ParseCommandLine and EmitSettings must give the same names, in the same
// order, with the same values (except where Mnemo's defaults differ on purpose).

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "server/config_test_util.h"

#ifndef MNEMO_SERVER_TESTDATA
#error "MNEMO_SERVER_TESTDATA must name src/server/testdata"
#endif

namespace mnemo::server {
namespace {

using Stats = std::vector<std::pair<std::string, std::string>>;

struct Capture {
  std::vector<std::string> args;
  Stats stats;
};

Capture Load(const std::string& name) {
  std::ifstream in(std::string(MNEMO_SERVER_TESTDATA) + "/" + name);
  EXPECT_TRUE(in.good()) << name;
  Capture capture;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string first, key;
    words >> first;
    if (first == "#") {
      words >> key;  // "args:"
      for (std::string arg; words >> arg;) capture.args.push_back(arg);
    } else if (first == "STAT") {
      std::string value;
      words >> key;
      std::getline(words >> std::ws, value);
      capture.stats.emplace_back(key, value);
    }
  }
  return capture;
}

Stats Emit(const ServerConfig& config) {
  Stats stats;
  EmitSettings(config, [&](std::string_view name, std::string_view value) {
    stats.emplace_back(std::string(name), std::string(value));
  });
  return stats;
}

void ExpectSameAsMemcached(const std::string& file, const std::set<std::string>& skip = {}) {
  Capture capture = Load(file);
  ASSERT_EQ(capture.stats.size(), 76u) << file;
  Stats ours = Emit(ParseOk(capture.args));
  ASSERT_EQ(ours.size(), capture.stats.size());
  for (std::size_t i = 0; i < ours.size(); ++i) {
    EXPECT_EQ(ours[i].first, capture.stats[i].first) << file << " row " << i;
    if (skip.contains(ours[i].first)) continue;
    EXPECT_EQ(ours[i].second, capture.stats[i].second) << file << ": " << ours[i].first;
  }
}

TEST(SettingsStats, DefaultsMatchMemcached) {
  // Mnemo starts one worker per core where memcached starts 4.
  ExpectSameAsMemcached("settings_default.txt", {"num_threads", "num_threads_per_udp"});
}

TEST(SettingsStats, TunedFlagsMatchMemcached) { ExpectSameAsMemcached("settings_tuned.txt"); }

TEST(SettingsStats, TlsExtstoreAndListenersMatchMemcached) {
  ExpectSameAsMemcached("settings_tls_ext.txt");
}

std::string Field(const Stats& stats, std::string_view name) {
  for (const auto& [key, value] : stats) {
    if (key == name) return value;
  }
  ADD_FAILURE() << "no field " << name;
  return "";
}

TEST(SettingsStats, MnemoDefaultListenerIsReported) {
  Stats stats = Emit(ParseOk({}));
  EXPECT_EQ(Field(stats, "inter"), "127.0.0.1");
  EXPECT_EQ(Field(stats, "num_threads"), std::to_string(ParseOk({}).threads));
  EXPECT_EQ(Field(stats, "num_threads_per_udp"), Field(stats, "num_threads"));
}

TEST(SettingsStats, ValueFormats) {
  Stats stats = Emit(ParseOk({"-f", "1.255", "-a", "0", "-N", "1", "-o",
                              "ssl_verify_mode=3,ssl_min_version=0,hot_max_factor=1e2"}));
  EXPECT_EQ(Field(stats, "growth_factor"), "1.25");  // %.2f, as memcached (1.255 is 1.25499...)
  EXPECT_EQ(Field(stats, "umask"), "0");
  EXPECT_EQ(Field(stats, "num_napi_ids"), "1");
  EXPECT_EQ(Field(stats, "ssl_verify_mode"), "7");  // memcached reports OpenSSL's flags
  EXPECT_EQ(Field(stats, "ssl_min_version"), "tlsv1.0");
  EXPECT_EQ(Field(stats, "hot_max_factor"), "100.00");
  EXPECT_EQ(Field(Emit(ParseOk({"-o", "ssl_verify_mode=1"})), "ssl_verify_mode"), "1");
  EXPECT_EQ(Field(Emit(ParseOk({"-B", "binary"})), "binding_protocol"), "binary");
  EXPECT_EQ(Field(Emit(ParseOk({"-o", "hash_algorithm=xxh3"})), "hash_algorithm"), "xxh3");
  EXPECT_EQ(Field(Emit(ParseOk({"-Y", "/a"})), "auth_enabled_ascii"), "/a");
  EXPECT_EQ(Field(Emit(ParseOk({"-S"})), "auth_enabled_sasl"), "yes");
  EXPECT_EQ(Field(Emit(ParseOk({"-Z"})), "ssl_enabled"), "yes");
  EXPECT_EQ(Field(Emit(ParseOk({"-l", "127.0.0.1;::1"})), "num_threads_per_udp"),
            std::to_string(ParseOk({}).threads));  // only ',' makes memcached use one
}

TEST(SettingsStats, RuntimeValuesOverrideTheStartingOnes) {
  ServerConfig config = ParseOk({"-m", "100", "-v"});
  RuntimeSettings now = InitialRuntimeSettings(config);
  EXPECT_EQ(now.verbosity, 1);
  EXPECT_EQ(now.max_bytes, 100ull << 20);
  EXPECT_FALSE(now.detail_enabled);
  now = RuntimeSettings{2, true, 200ull << 20, 1234};
  Stats stats;
  EmitSettings(config, now, [&](std::string_view name, std::string_view value) {
    stats.emplace_back(std::string(name), std::string(value));
  });
  EXPECT_EQ(Field(stats, "verbosity"), "2");
  EXPECT_EQ(Field(stats, "detail_enabled"), "yes");
  EXPECT_EQ(Field(stats, "maxbytes"), std::to_string(200ull << 20));
  EXPECT_EQ(Field(stats, "oldest"), "1234");
}

}  // namespace
}  // namespace mnemo::server
