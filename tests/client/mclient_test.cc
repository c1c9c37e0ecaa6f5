// mclient end to end against memcached and map_server on free ports: round trips over every
// protocol, values piped through stdin (a 1 MB random file comes back byte for byte), misses
// and exit codes, --json output parsed by Python's json module, and errors naming the server.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "servers.h"

namespace {

using mnemo::testing::CommandResult;
using mnemo::testing::RunCommand;
using mnemo::testing::ServerKind;
using mnemo::testing::TestServer;

using Param = std::tuple<ServerKind, std::string>;

class MclientTest : public ::testing::TestWithParam<Param> {
 protected:
  void SetUp() override {
    auto server = TestServer::Start(std::get<0>(GetParam()));
    ASSERT_TRUE(server.ok()) << server.error().message;
    server_ = std::move(server.value());
  }

  // mclient with MEMCACHED_SERVERS pointing at the server and the protocol under test.
  CommandResult Run(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), {MNEMO_MCLIENT_BIN, "--protocol", std::get<1>(GetParam())});
    return RunCommand(args, input, {{"MEMCACHED_SERVERS", server_.address()}});
  }

  TestServer server_;
};

std::string ParamName(const ::testing::TestParamInfo<Param>& info) {
  return std::string(mnemo::testing::ServerKindName(std::get<0>(info.param))) + "_" +
         std::get<1>(info.param);
}

TEST_P(MclientTest, RoundTripsAndExitCodes) {
  EXPECT_EQ(Run({"set", "greeting", "hello world"}).exit_code, 0);
  auto got = Run({"get", "greeting"});
  EXPECT_EQ(got.exit_code, 0);
  EXPECT_EQ(got.out, "hello world");
  EXPECT_EQ(got.err, "");

  auto miss = Run({"get", "absent"});
  EXPECT_EQ(miss.exit_code, 1);
  EXPECT_EQ(miss.out, "");
  EXPECT_EQ(Run({"add", "greeting", "x"}).exit_code, 1);
  EXPECT_EQ(Run({"replace", "absent", "x"}).exit_code, 1);
  EXPECT_EQ(Run({"append", "greeting", "!"}).exit_code, 0);
  EXPECT_EQ(Run({"prepend", "greeting", "<"}).exit_code, 0);
  EXPECT_EQ(Run({"get", "greeting"}).out, "<hello world!");

  auto several = Run({"get", "greeting", "absent"});
  EXPECT_EQ(several.exit_code, 1);
  EXPECT_EQ(several.out, "greeting\t<hello world!\n");

  EXPECT_EQ(Run({"set", "n", "41", "--ttl", "100", "--flags", "3"}).exit_code, 0);
  EXPECT_EQ(Run({"incr", "n"}).out, "42\n");
  EXPECT_EQ(Run({"decr", "n", "2"}).out, "40\n");
  EXPECT_EQ(Run({"incr", "absent"}).exit_code, 1);
  EXPECT_EQ(Run({"incr", "greeting"}).exit_code, 3);
  EXPECT_EQ(Run({"touch", "n", "50"}).exit_code, 0);
  EXPECT_EQ(Run({"touch", "absent", "50"}).exit_code, 1);
  EXPECT_EQ(Run({"gat", "60", "n"}).out, "40");

  auto gets = Run({"gets", "n"});
  ASSERT_EQ(gets.exit_code, 0);
  const std::string cas = gets.out.substr(2, gets.out.find('\t', 2) - 2);  // "n\tCAS\t40\n"
  EXPECT_EQ(Run({"cas", "n", std::to_string(std::stoull(cas) + 1), "x"}).exit_code, 1);
  EXPECT_EQ(Run({"cas", "n", cas, "7"}).exit_code, 0);
  EXPECT_EQ(Run({"get", "n"}).out, "7");

  EXPECT_EQ(Run({"delete", "n"}).exit_code, 0);
  EXPECT_EQ(Run({"delete", "n"}).exit_code, 1);
  EXPECT_EQ(Run({"version"}).exit_code, 0);
  EXPECT_EQ(Run({"ping"}).out, server_.address() + "\tok\n");
  auto stats = Run({"stats"});
  EXPECT_EQ(stats.exit_code, 0);
  EXPECT_NE(stats.out.find("[" + server_.address() + "]"), std::string::npos);
  EXPECT_NE(stats.out.find("cmd_get"), std::string::npos);
  EXPECT_EQ(Run({"flush"}).exit_code, 0);
  EXPECT_EQ(Run({"get", "greeting"}).exit_code, 1);
}

TEST_P(MclientTest, StdinIsBinarySafe) {
  std::mt19937 random(42);
  std::string blob(1024 * 1024 - 4096, '\0');  // 1 MB less room for the item header
  for (char& c : blob) c = static_cast<char>(random());
  ASSERT_EQ(Run({"set", "blob"}, blob).exit_code, 0);
  auto got = Run({"get", "blob"});
  EXPECT_EQ(got.exit_code, 0);
  EXPECT_TRUE(got.out == blob) << "got " << got.out.size() << " bytes";

  const std::string crlf("a\r\nEND\r\n\0b", 10);
  ASSERT_EQ(Run({"set", "crlf"}, crlf).exit_code, 0);
  EXPECT_EQ(Run({"get", "crlf"}).out, crlf);
  ASSERT_EQ(Run({"set", "empty", ""}).exit_code, 0);
  auto empty = Run({"get", "empty"});
  EXPECT_EQ(empty.exit_code, 0);
  EXPECT_EQ(empty.out, "");
}

TEST_P(MclientTest, JsonOutputParses) {
  ASSERT_EQ(Run({"set", "a", "1", "--flags", "5"}).exit_code, 0);
  ASSERT_EQ(Run({"set", "b"}, std::string("\xff\x00", 2)).exit_code, 0);
  auto json = Run({"--json", "gets", "a", "b", "c"});
  EXPECT_EQ(json.exit_code, 1);  // c is missing
  const char* check =
      "import base64, json, sys\n"
      "d = json.load(sys.stdin)\n"
      "assert d['a']['value'] == '1' and d['a']['flags'] == 5 and d['a']['cas'] > 0, d\n"
      "assert base64.b64decode(d['b']['value']['base64']) == b'\\xff\\x00', d\n"
      "assert d['c'] is None, d\n"
      "print('ok')\n";
  auto parsed = RunCommand({"python3", "-c", check}, json.out);
  EXPECT_EQ(parsed.out, "ok\n") << json.out << parsed.err;

  auto stats = Run({"stats", "--json"});
  auto stats_parsed = RunCommand({"python3", "-c",
                                  "import json, sys; d = json.load(sys.stdin); s = d['" +
                                      server_.address() + "']; print(int(s['cmd_get']) >= 0)"},
                                 stats.out);
  EXPECT_EQ(stats_parsed.out, "True\n") << stats.out << stats_parsed.err;
}

TEST_P(MclientTest, KeysListsWhatTheServerHolds) {
  for (const char* key : {"alpha", "beta", "gamma"}) ASSERT_EQ(Run({"set", key, "v"}).exit_code, 0);
  auto keys = Run({"keys"});
  EXPECT_EQ(keys.exit_code, 0) << keys.err;
  for (const char* key : {"alpha\n", "beta\n", "gamma\n"}) {
    EXPECT_NE(keys.out.find(key), std::string::npos) << keys.out;
  }
  auto json = Run({"keys", "--json"});
  auto parsed = RunCommand(
      {"python3", "-c", "import json, sys; print(sorted(json.load(sys.stdin)))"}, json.out);
  EXPECT_EQ(parsed.out, "['alpha', 'beta', 'gamma']\n") << json.out << parsed.err;
}

TEST_P(MclientTest, ErrorsNameTheServerAndUsageIsExitTwo) {
  EXPECT_EQ(Run({}).exit_code, 2);
  EXPECT_EQ(Run({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(Run({"get"}).exit_code, 2);
  EXPECT_EQ(Run({"--hash", "sha1", "get", "k"}).exit_code, 2);
  EXPECT_EQ(Run({"get", "--help"}).exit_code, 0);
  const std::string address = server_.address();
  server_.Kill();
  auto down = Run({"get", "k"});
  EXPECT_EQ(down.exit_code, 3);
  EXPECT_NE(down.err.find(address), std::string::npos) << down.err;
  EXPECT_EQ(down.err.find('\n'), down.err.size() - 1) << "one line: " << down.err;
}

INSTANTIATE_TEST_SUITE_P(Servers, MclientTest,
                         ::testing::Combine(::testing::Values(ServerKind::kMemcached,
                                                              ServerKind::kMapServer,
                                                              ServerKind::kMnemod),
                                            ::testing::Values("ascii", "meta", "binary")),
                         ParamName);

TEST(MclientManTest, ManPageIsGenerated) {
  auto man = RunCommand({MNEMO_MCLIENT_BIN, "--man"});
  EXPECT_EQ(man.exit_code, 0);
  EXPECT_EQ(man.out.rfind(".TH MCLIENT 1", 0), 0u);
  EXPECT_NE(man.out.find(".SS gets"), std::string::npos);
}

}  // namespace
