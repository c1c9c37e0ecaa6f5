// The sqlite engine's flags: --durability and --cache-mb, their forms, defaults and refusals
// (in the wording of the other values memcached has no check for), and their --help lines.

#include <gtest/gtest.h>

#include "server/config_test_util.h"

namespace mnemo::server {
namespace {

TEST(ServerConfigSqlite, Defaults) {
  const ServerConfig c = ParseOk({});
  EXPECT_EQ(c.durability, DurabilityMode::kNormal);
  EXPECT_FALSE(c.cache_mb);  // the engine factory decides: kDefaultCacheMb for a file
}

TEST(ServerConfigSqlite, Durability) {
  auto durability = [](std::vector<std::string> words) { return ParseOk(words).durability; };
  EXPECT_EQ(durability({"--durability", "normal"}), DurabilityMode::kNormal);
  EXPECT_EQ(durability({"--durability", "full"}), DurabilityMode::kFull);
  EXPECT_EQ(durability({"--durability=off"}), DurabilityMode::kOff);
  EXPECT_EQ(durability({"--dur=full"}), DurabilityMode::kFull);  // an unambiguous prefix
  EXPECT_EQ(durability({"--durability=off", "--durability=full"}), DurabilityMode::kFull);
}

TEST(ServerConfigSqlite, CacheMb) {
  EXPECT_EQ(ParseOk({"--cache-mb", "0"}).cache_mb, 0u);
  EXPECT_EQ(ParseOk({"--cache-mb=128"}).cache_mb, 128u);
  EXPECT_EQ(kDefaultCacheMb, 64u);
  const ServerConfig c = ParseOk({"--engine", "sqlite:/tmp/c.db", "--cache-mb", "16", "-m", "8"});
  EXPECT_EQ(c.engine.kind, EngineKind::kSqlite);
  EXPECT_EQ(c.cache_mb, 16u);
  EXPECT_EQ(c.max_bytes, 8u << 20);
}

TEST(ServerConfigSqlite, Refusals) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--durability", "sync"},
       "Invalid value \"sync\" for --durability: expected normal, full or off"},
      {{"--durability", "FULL"},
       "Invalid value \"FULL\" for --durability: expected normal, full or off"},
      {{"--durability="}, "Invalid value \"\" for --durability: expected normal, full or off"},
      {{"--durability"}, "mnemod: option '--durability' requires an argument"},
      {{"--cache-mb", "-1"},
       "Invalid value \"-1\" for --cache-mb: expected a whole number of megabytes"},
      {{"--cache-mb", "1g"},
       "Invalid value \"1g\" for --cache-mb: expected a whole number of megabytes"},
      {{"--cache-mb", "99999999999999999999"},
       "Invalid value \"99999999999999999999\" for --cache-mb: expected a whole number of "
       "megabytes"},
      {{"--cache-mb"}, "mnemod: option '--cache-mb' requires an argument"},
  };
  for (const auto& [words, message] : cases) {
    SCOPED_TRACE(testing::PrintToString(words));
    EXPECT_EQ(ParseError(words), message);
  }
}

TEST(ServerConfigSqlite, Help) {
  const std::string help = HelpText();
  EXPECT_NE(help.find("  --durability=<mode>"), std::string::npos);
  EXPECT_NE(help.find("  --cache-mb=<num>"), std::string::npos);
}

}  // namespace
}  // namespace mnemo::server
