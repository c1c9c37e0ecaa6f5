// Runs every .mcs script against real memcached (the reference) and against each server under
// test, one GoogleTest case per script and server, and fails with a readable diff when the
// replies differ. The servers under test are the example map_server (libmnemo on the map engine)
// and mnemod (the daemon on the memory engine), each compared with its own memcached.
//
// Environment (all optional):
//   MNEMO_COMPAT_SERVER     "binary args" of the server the MapServer cases test. "{port}" in it
//                           becomes the port; without it "-p PORT" is appended. Default:
//                           map_server, or a second memcached when map_server is not built.
//   MNEMO_COMPAT_MNEMOD     the same for the Mnemod cases (default: the mnemod built with this
//                           test, plus "-u root" when running as root). No Mnemod cases when
//                           mnemod is not built and this is unset.
//   MNEMO_COMPAT_MNEMOD_SQLITE  the same for the MnemodSqlite cases (default: that mnemod with
//                           --engine sqlite::memory:), which skip the scripts listed in
//                           sqlite_skipped.txt.
//   MNEMO_COMPAT_MNEMOD_PROXY  the same for the MnemodProxy cases (default: that mnemod with
//                           --engine proxy: in front of three memcached the test starts; a
//                           "{upstreams}" in it becomes their list), which skip the scripts of
//                           proxy_skipped.txt.
//   MNEMO_COMPAT_REFERENCE  the same for the reference (default: memcached from PATH).
//   MNEMO_COMPAT_SCRIPTS    scripts directory (default: the source tree's tests/compat/scripts).
//   MNEMO_COMPAT_REPEAT     run each script this many times on the same servers (default 1), to
//                           check that scripts are deterministic and clean up after themselves.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "process.h"
#include "tools/capable/runner.h"
#include "tools/capable/script.h"
#include "tools/capable/transcript.h"

namespace mnemo::compat {
namespace {

using testing::RunningServer;

std::string Env(const char* name, const std::string& fallback = "") {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

std::string ScriptsDir() { return Env("MNEMO_COMPAT_SCRIPTS", MNEMO_COMPAT_SCRIPTS_DIR); }

// memcached, and mnemod with it, refuse to run as root unless told which user to stay.
std::string AsRoot() { return ::geteuid() == 0 ? " -u root" : ""; }

std::string ReferenceCommand() { return "memcached -l 127.0.0.1 -p {port} -U 0 -t 1" + AsRoot(); }

// The servers under test, by the name their cases are instantiated under.
constexpr const char* kMapServer = "MapServer";
constexpr const char* kMnemod = "Mnemod";
constexpr const char* kMnemodSqlite = "MnemodSqlite";  // mnemod --engine sqlite::memory:
constexpr const char* kMnemodProxy = "MnemodProxy";    // mnemod --engine proxy: (3 memcached)
constexpr int kProxyUpstreams = 3;

// The command line of a server under test; empty when there is none to test.
std::string CandidateCommand(const std::string& candidate) {
  if (candidate == kMnemod) {
    const std::string built = MNEMO_COMPAT_MNEMOD_BIN;
    return Env("MNEMO_COMPAT_MNEMOD", built.empty() ? "" : built + " -p {port}" + AsRoot());
  }
  if (candidate == kMnemodSqlite) {
    const std::string built = MNEMO_COMPAT_MNEMOD_BIN;
    const std::string sqlite = " --engine sqlite::memory: -p {port}";
    return Env("MNEMO_COMPAT_MNEMOD_SQLITE", built.empty() ? "" : built + sqlite + AsRoot());
  }
  if (candidate == kMnemodProxy) {
    const std::string built = MNEMO_COMPAT_MNEMOD_BIN;
    const std::string proxy = " --engine proxy:{upstreams};distribution=ketama;hash=md5 -p {port}";
    return Env("MNEMO_COMPAT_MNEMOD_PROXY", built.empty() ? "" : built + proxy + AsRoot());
  }
  const std::string built = MNEMO_COMPAT_SERVER_BIN;
  return Env("MNEMO_COMPAT_SERVER", built.empty() ? ReferenceCommand() : built + " -p {port}");
}

// The scripts a candidate skips (one name a line, '#' comments): sqlite_skipped.txt for the
// sqlite engine, which lacks what only the memory engine has (slab classes, ...), and
// proxy_skipped.txt for the proxy engine (each with its reason there).
std::set<std::string> Skipped(const char* path) {
  std::set<std::string> names;
  std::ifstream list(path);
  for (std::string line; std::getline(list, line);) {
    line = line.substr(0, line.find('#'));
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    if (!line.empty()) names.insert(line);
  }
  return names;
}

// One test case: a script, run against one server under test.
struct CompatCase {
  std::string candidate;
  std::string script;
};

void PrintTo(const CompatCase& c, std::ostream* out) { *out << c.candidate << " " << c.script; }

std::vector<CompatCase> Cases(const std::string& candidate) {
  std::vector<CompatCase> cases;
  if (CandidateCommand(candidate).empty()) return cases;
  const std::set<std::string> skipped =
      candidate == kMnemodSqlite   ? Skipped(MNEMO_COMPAT_SQLITE_SKIPPED)
      : candidate == kMnemodProxy ? Skipped(MNEMO_COMPAT_PROXY_SKIPPED)
                                  : std::set<std::string>();
  for (std::string& script : FindScripts(ScriptsDir())) {
    if (skipped.contains(script)) continue;
    cases.push_back({candidate, std::move(script)});
  }
  return cases;
}

std::vector<std::string> Argv(const std::string& command, std::uint16_t port) {
  std::vector<std::string> argv;
  std::istringstream words(command);
  bool has_port = false;
  for (std::string word; words >> word;) {
    if (std::size_t at = word.find("{port}"); at != std::string::npos) {
      word.replace(at, 6, std::to_string(port));
      has_port = true;
    }
    argv.push_back(word);
  }
  if (!has_port) argv.insert(argv.end(), {"-p", std::to_string(port)});
  return argv;
}

struct Server {
  std::string command;
  std::string log;
  RunningServer running;
  // memcached only notices SIGTERM at its next one-second clock tick; as the oracle it has
  // nothing worth a graceful exit, so it gets SIGKILL at once. Our servers exit properly.
  std::chrono::milliseconds stop_grace{2000};
  ~Server() { running.process.Stop(stop_grace); }
};

std::unique_ptr<Server> Start(const std::string& command, const std::string& role) {
  auto server = std::make_unique<Server>();
  server->command = command;
  server->log =
      ::testing::TempDir() + "mnemo_compat_" + role + "_" + std::to_string(::getpid()) + ".log";
  testing::ServerOptions options;
  options.log_path = server->log;
  Result<RunningServer> started =
      testing::StartServer([&](std::uint16_t port) { return Argv(command, port); }, options);
  if (!started.ok()) {
    ADD_FAILURE() << "cannot start " << role << " `" << command << "`: " << started.error().message
                  << " (log: " << server->log << ")";
    return nullptr;
  }
  server->running = std::move(started).value();
  if (command.starts_with("memcached ") || command.find("/memcached ") != std::string::npos) {
    server->stop_grace = std::chrono::milliseconds(0);
  }
  return server;
}

struct ServerPair {
  std::vector<std::unique_ptr<Server>> upstreams;  // the proxy candidate's; stopped last
  std::unique_ptr<Server> reference;
  std::unique_ptr<Server> candidate;
  bool ok() const {
    return reference != nullptr && candidate != nullptr &&
           std::ranges::none_of(upstreams, [](const auto& u) { return u == nullptr; });
  }
  ~ServerPair() {
    // Let both wind down at once rather than one after the other.
    for (Server* server : {reference.get(), candidate.get()}) {
      if (server != nullptr) server->running.process.Terminate();
    }
  }
};

// The proxy candidate gets upstreams of its own, so that a fresh script finds them fresh too.
std::unique_ptr<ServerPair> StartPair(const std::string& candidate) {
  auto pair = std::make_unique<ServerPair>();
  std::string command = CandidateCommand(candidate);
  if (std::size_t at = command.find("{upstreams}"); at != std::string::npos) {
    std::string list;
    for (int i = 0; i < kProxyUpstreams; ++i) {
      pair->upstreams.push_back(Start(ReferenceCommand(), "upstream" + std::to_string(i)));
      if (pair->upstreams.back() == nullptr) return pair;
      list += (i == 0 ? "" : ",") + std::string("127.0.0.1:") +
              std::to_string(pair->upstreams.back()->running.port);
    }
    command.replace(at, 11, list);
  }
  pair->reference = Start(Env("MNEMO_COMPAT_REFERENCE", ReferenceCommand()), "reference");
  pair->candidate = Start(command, candidate);
  return pair;
}

class CompatTest : public ::testing::TestWithParam<CompatCase> {
 protected:
  // One pair per server under test, started on first use: under ctest every script runs in
  // its own process, and a `fresh` script has no use for the shared pair.
  static ServerPair& Shared(const std::string& candidate) {
    std::unique_ptr<ServerPair>& pair = (*shared_)[candidate];
    if (pair == nullptr) pair = StartPair(candidate);
    return *pair;
  }
  static void TearDownTestSuite() { shared_->clear(); }

  void RunOn(const Script& script, ServerPair& servers);

  static std::map<std::string, std::unique_ptr<ServerPair>>* shared_;
};

// Never destroyed: TearDownTestSuite stops the servers while the test framework is still up.
std::map<std::string, std::unique_ptr<ServerPair>>* CompatTest::shared_ =
    new std::map<std::string, std::unique_ptr<ServerPair>>;

void CompatTest::RunOn(const Script& script, ServerPair& servers) {
  Endpoint reference{"127.0.0.1", servers.reference->running.port};
  Endpoint candidate{"127.0.0.1", servers.candidate->running.port};
  int repeat = std::max(1, std::atoi(Env("MNEMO_COMPAT_REPEAT", "1").c_str()));
  // A step's time limit only ends a step that went wrong; CI machines stall for seconds.
  RunOptions options;
  options.step_timeout = std::chrono::milliseconds(5000);
  for (int round = 1; round <= repeat; ++round) {
    Transcript actual = RunScript(script, candidate, options);
    ReferenceVerdict verdict = MatchReference(script, actual, reference, options);
    // A failing reference run means the script itself is wrong: it must sync, close or go
    // idle exactly as written, and must not send anything after the server closed.
    ASSERT_TRUE(verdict.broken.empty()) << "broken script " << script.name << " (round " << round
                                        << "): " << verdict.broken;
    EXPECT_TRUE(verdict.diff.empty()) << script.name << " differs from memcached (round " << round
                                      << "); candidate: `" << servers.candidate->command << "`\n"
                                      << verdict.diff;
    if (!servers.candidate->running.process.Running()) {
      ADD_FAILURE() << "the candidate server exited during " << script.name
                    << "; log: " << servers.candidate->log;
      servers.candidate = Start(servers.candidate->command, GetParam().candidate);
      return;
    }
    if (!verdict.diff.empty()) return;
  }
}

TEST_P(CompatTest, MatchesMemcached) {
  const CompatCase& param = GetParam();
  Result<Script> script = LoadScript(ScriptsDir(), param.script);
  ASSERT_TRUE(script.ok()) << script.error().message;
  if (!script->fresh) {
    ServerPair& shared = Shared(param.candidate);
    ASSERT_TRUE(shared.ok()) << "servers did not start";
    RunOn(*script, shared);
    return;
  }
  std::unique_ptr<ServerPair> own = StartPair(param.candidate);
  ASSERT_TRUE(own->ok());
  RunOn(*script, *own);
}

std::string TestName(const ::testing::TestParamInfo<CompatCase>& info) {
  std::string name = info.param.script;
  if (name.ends_with(".mcs")) name.resize(name.size() - 4);
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(MapServer, CompatTest, ::testing::ValuesIn(Cases(kMapServer)), TestName);
INSTANTIATE_TEST_SUITE_P(Mnemod, CompatTest, ::testing::ValuesIn(Cases(kMnemod)), TestName);
INSTANTIATE_TEST_SUITE_P(MnemodSqlite, CompatTest, ::testing::ValuesIn(Cases(kMnemodSqlite)),
                         TestName);
INSTANTIATE_TEST_SUITE_P(MnemodProxy, CompatTest, ::testing::ValuesIn(Cases(kMnemodProxy)),
                         TestName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CompatTest);

}  // namespace
}  // namespace mnemo::compat
