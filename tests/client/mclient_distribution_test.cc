// mclient on three servers puts keys exactly where libmemcached and twemproxy put them: keys
// stored by mclient are found, server by server, at the index the vector files in tests/data
// give (modula, and twemproxy's named ketama, whose hashed names do not depend on our ports).
// Cross-client: keys stored by pylibmc (ketama and ketama_weighted, md5) are read by mclient
// with the same settings and the other way round, and files stored by memccp are read in
// modula mode.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "servers.h"
#include "test_data.h"

namespace {

using mnemo::client::testdata::ReadTsv;
using mnemo::testing::CommandResult;
using mnemo::testing::RunCommand;
using mnemo::testing::ServerKind;
using mnemo::testing::TestServer;

class MclientDistributionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 3; ++i) {
      auto server = TestServer::Start(ServerKind::kMnemod);
      ASSERT_TRUE(server.ok()) << server.error().message;
      servers_.push_back(std::move(server.value()));
    }
  }

  std::string List(bool named = false) const {
    std::string list;
    for (std::size_t i = 0; i < servers_.size(); ++i) {
      list += (i ? "," : "") + servers_[i].address();
      if (named) list += ":1 server" + std::to_string(i + 1);
    }
    return list;
  }

  CommandResult Mclient(const std::string& servers, std::vector<std::string> args,
                        const std::string& input = "") {
    args.insert(args.begin(), {MNEMO_MCLIENT_BIN, "--servers", servers});
    return RunCommand(args, input);
  }

  // Stores a sample of the file's keys through mclient, then asks each server alone which of
  // them it holds and compares with the file's server index.
  void ExpectVector(const std::string& file, const std::vector<std::string>& settings, bool named) {
    const auto rows = ReadTsv(file);
    ASSERT_EQ(rows.size(), 1000u);
    std::vector<std::string> keys;
    std::map<std::string, std::string> want;
    for (std::size_t i = 0; i < rows.size(); i += (i < 900 ? 23 : 1)) {
      keys.push_back(rows[i][0]);
      want[rows[i][0]] = rows[i][1];
      std::vector<std::string> args = settings;
      args.insert(args.end(), {"set", rows[i][0], rows[i][1]});
      ASSERT_EQ(Mclient(List(named), args).exit_code, 0) << rows[i][0];
    }
    std::size_t found = 0;
    for (std::size_t s = 0; s < servers_.size(); ++s) {
      std::vector<std::string> args = {"get"};
      args.insert(args.end(), keys.begin(), keys.end());
      const auto got = Mclient(servers_[s].address(), args);
      std::size_t start = 0;
      for (std::size_t end; (end = got.out.find('\n', start)) != std::string::npos;
           start = end + 1) {
        const std::string line = got.out.substr(start, end - start);
        const std::string key = line.substr(0, line.find('\t'));
        EXPECT_EQ(want[key], std::to_string(s)) << file << ": " << key;
        ++found;
      }
    }
    EXPECT_EQ(found, keys.size()) << file;
  }

  std::vector<TestServer> servers_;
};

TEST_F(MclientDistributionTest, ModulaMatchesLibmemcached) {
  ExpectVector("libmemcached_modula_default.tsv", {}, false);
}

TEST_F(MclientDistributionTest, NamedKetamaMatchesTwemproxy) {
  ExpectVector("twemproxy_ketama_md5_named.tsv",
               {"--distribution", "ketama_weighted", "--hash", "md5"}, true);
}

// The Python that has pylibmc (Debian's), or "" when none does.
std::string PythonWithPylibmc() {
  for (const char* python : {"/usr/bin/python3", "python3"}) {
    if (RunCommand({python, "-c", "import pylibmc"}).exit_code == 0) return python;
  }
  return "";
}

TEST_F(MclientDistributionTest, KeysCrossBetweenPylibmcAndMclient) {
  const std::string python = PythonWithPylibmc();
  if (python.empty()) GTEST_SKIP() << "python3-pylibmc is not installed";
  const std::vector<std::pair<std::string, std::vector<std::string>>> modes = {
      {"{'ketama': True, 'hash': 'md5'}", {"--distribution", "ketama", "--hash", "md5"}},
      {"{'ketama_weighted': True}", {"--distribution", "ketama_weighted", "--hash", "md5"}}};
  for (const auto& [behaviors, settings] : modes) {
    ASSERT_EQ(Mclient(List(), {"flush"}).exit_code, 0);
    const std::string servers = "['" + servers_[0].address() + "', '" + servers_[1].address() +
                                "', '" + servers_[2].address() + "']";
    const std::string script =
        "import pylibmc, sys\n"
        "c = pylibmc.Client(" +
        servers + ", behaviors=" + behaviors +
        ")\n"
        "for i in range(200): c.set('py:%d' % i, b'v%d' % i)\n"
        "missing = [i for i in range(20) if c.get('mc:%d' % i) != b'm%d' % i]\n"
        "print('missing', missing)\n";
    for (int i = 0; i < 20; ++i) {
      std::vector<std::string> args = settings;
      args.insert(args.end(), {"set", "mc:" + std::to_string(i), "m" + std::to_string(i)});
      ASSERT_EQ(Mclient(List(), args).exit_code, 0);
    }
    const auto py = RunCommand({python, "-c", script});
    EXPECT_EQ(py.out, "missing []\n") << behaviors << py.err;
    std::vector<std::string> get = settings;
    get.push_back("get");
    for (int i = 0; i < 200; ++i) get.push_back("py:" + std::to_string(i));
    const auto got = Mclient(List(), get);
    EXPECT_EQ(got.exit_code, 0) << behaviors << ": " << got.err;
    EXPECT_NE(got.out.find("py:199\tv199\n"), std::string::npos);
  }
}

TEST_F(MclientDistributionTest, FilesStoredByMemccpAreFoundInModulaMode) {
  if (RunCommand({"memccp", "--help"}).exit_code == -1) GTEST_SKIP() << "memccp missing";
  const std::string dir = ::testing::TempDir();
  std::vector<std::string> args = {"memccp", "--servers=" + List()};
  for (int i = 0; i < 30; ++i) {
    const std::string name = "mnemo-memccp-" + std::to_string(::getpid()) + "-" + std::to_string(i);
    std::ofstream(dir + "/" + name) << "contents " << i;
    args.push_back(dir + "/" + name);
  }
  const auto copied = RunCommand(args);
  ASSERT_EQ(copied.exit_code, 0) << copied.err;
  for (int i = 0; i < 30; ++i) {
    const std::string name = "mnemo-memccp-" + std::to_string(::getpid()) + "-" + std::to_string(i);
    EXPECT_EQ(Mclient(List(), {"get", name}).out, "contents " + std::to_string(i)) << name;
    ::unlink((dir + "/" + name).c_str());
  }
}

}  // namespace
