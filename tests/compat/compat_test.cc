// Runs every .mcs script against real memcached (the reference) and against the server under
// test, one GoogleTest case per script, and fails with a readable diff when the replies differ.
//
// Environment (all optional):
//   MNEMO_COMPAT_SERVER     "binary args" of the server under test. "{port}" in it becomes the
//                           port; without it "-p PORT" is appended. Default: map_server, or a
//                           second memcached when map_server is not built.
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
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "process.h"
#include "runner.h"
#include "script.h"
#include "transcript.h"

namespace mnemo::compat {
namespace {

using testing::RunningServer;

std::string Env(const char* name, const std::string& fallback = "") {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

std::string ScriptsDir() { return Env("MNEMO_COMPAT_SCRIPTS", MNEMO_COMPAT_SCRIPTS_DIR); }

// memcached refuses to run as root unless told which user to stay.
std::string ReferenceCommand() {
  std::string command = "memcached -l 127.0.0.1 -p {port} -U 0 -t 1";
  if (::geteuid() == 0) command += " -u root";
  return command;
}

std::string CandidateCommand() {
  std::string built = MNEMO_COMPAT_SERVER_BIN;
  return Env("MNEMO_COMPAT_SERVER", built.empty() ? ReferenceCommand() : built + " -p {port}");
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
  std::unique_ptr<Server> reference;
  std::unique_ptr<Server> candidate;
  bool ok() const { return reference != nullptr && candidate != nullptr; }
  ~ServerPair() {
    // Let both wind down at once rather than one after the other.
    for (Server* server : {reference.get(), candidate.get()}) {
      if (server != nullptr) server->running.process.Terminate();
    }
  }
};

ServerPair StartPair() {
  return ServerPair{Start(Env("MNEMO_COMPAT_REFERENCE", ReferenceCommand()), "reference"),
                    Start(CandidateCommand(), "candidate")};
}

// A failing reference run means the script itself is wrong: it must sync, close or go idle
// exactly as written, and must not send anything after the server closed the connection.
std::string ScriptProblems(const Script& script, const Transcript& reference) {
  if (!reference.error.empty()) return reference.error;
  for (std::size_t i = 0; i < script.steps.size(); ++i) {
    const StepResult& step = reference.steps[i];
    Ending expected = script.steps[i].collect == Collect::kSync   ? Ending::kSynced
                      : script.steps[i].collect == Collect::kIdle ? Ending::kIdle
                                                                  : Ending::kClosed;
    if (step.ending != expected || !step.note.empty()) {
      return "step " + std::to_string(i + 1) + " (line " + std::to_string(script.steps[i].line) +
             ") ended " + EndingName(step.ending) + " on the reference " + step.note;
    }
  }
  return "";
}

class CompatTest : public ::testing::TestWithParam<std::string> {
 protected:
  // Started on first use: under ctest every script runs in its own process, and a `fresh`
  // script has no use for the shared pair.
  static ServerPair& Shared() {
    if (shared_ == nullptr) shared_ = new ServerPair(StartPair());
    return *shared_;
  }
  static void TearDownTestSuite() {
    delete shared_;
    shared_ = nullptr;
  }

  void RunOn(const Script& script, ServerPair& servers);

  static ServerPair* shared_;
};

ServerPair* CompatTest::shared_ = nullptr;

void CompatTest::RunOn(const Script& script, ServerPair& servers) {
  Endpoint reference{"127.0.0.1", servers.reference->running.port};
  Endpoint candidate{"127.0.0.1", servers.candidate->running.port};
  int repeat = std::max(1, std::atoi(Env("MNEMO_COMPAT_REPEAT", "1").c_str()));
  for (int round = 1; round <= repeat; ++round) {
    Transcript expected = RunScript(script, reference);
    std::string problem = ScriptProblems(script, expected);
    ASSERT_TRUE(problem.empty()) << "broken script " << script.name << " (round " << round
                                 << "): " << problem;
    Transcript actual = RunScript(script, candidate);
    std::string diff = CompareTranscripts(script, expected, actual);
    EXPECT_TRUE(diff.empty()) << script.name << " differs from memcached (round " << round
                              << "); candidate: `" << servers.candidate->command << "`\n"
                              << diff;
    if (!servers.candidate->running.process.Running()) {
      ADD_FAILURE() << "the candidate server exited during " << script.name
                    << "; log: " << servers.candidate->log;
      servers.candidate = Start(servers.candidate->command, "candidate");
      return;
    }
    if (!diff.empty()) return;
  }
}

TEST_P(CompatTest, MatchesMemcached) {
  Result<Script> script = LoadScript(ScriptsDir(), GetParam());
  ASSERT_TRUE(script.ok()) << script.error().message;
  if (!script->fresh) {
    ASSERT_TRUE(Shared().ok()) << "servers did not start";
    RunOn(*script, Shared());
    return;
  }
  ServerPair own = StartPair();
  ASSERT_TRUE(own.ok());
  RunOn(*script, own);
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  if (name.ends_with(".mcs")) name.resize(name.size() - 4);
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Scripts, CompatTest, ::testing::ValuesIn(FindScripts(ScriptsDir())),
                         TestName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CompatTest);

}  // namespace
}  // namespace mnemo::compat
