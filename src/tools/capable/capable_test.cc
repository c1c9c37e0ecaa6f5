// mnemo-capable's own logic, without servers: HOST:PORT parsing, and the lines and counts a run
// prints for scripts that fail (nothing listens), are skipped (`fresh`) or filtered out. The
// checks against live servers are tests/compat/capable_test.sh.
#include "tools/capable/capable.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "tools/capable/transcript.h"

namespace mnemo::compat {
namespace {

TEST(CapableEndpoint, ParsesHostsAndPorts) {
  Result<Endpoint> v4 = ParseEndpoint("127.0.0.1:11311");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 11311);
  Result<Endpoint> name = ParseEndpoint("localhost");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name->host, "localhost");
  EXPECT_EQ(name->port, 11211);
  Result<Endpoint> v6 = ParseEndpoint("[::1]:99");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 99);
}

TEST(CapableEndpoint, RejectsMalformedOnes) {
  for (const char* bad : {"host:", "host:0", "host:65536", "host:1x", ":11211", "::1", "[::1",
                          "[::1]11211", "[]:5"}) {
    EXPECT_FALSE(ParseEndpoint(bad).ok()) << bad;
  }
}

// A loopback port nothing listens on: bound by us, then released.
std::uint16_t ClosedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

class CapableRun : public ::testing::Test {
 protected:
  CapableRun() {
    std::filesystem::create_directories(dir_ + "/ascii");
    std::ofstream(dir_ + "/ascii/plain.mcs") << "send \"version\\r\\n\"\nsync\n";
    std::ofstream(dir_ + "/ascii/flushes.mcs") << "fresh\nsend \"flush_all\\r\\n\"\nsync\n";
    options_.scripts_dir = dir_;
    options_.target = Endpoint{"127.0.0.1", ClosedPort()};
    options_.step_timeout = std::chrono::milliseconds(200);
  }
  ~CapableRun() override { std::filesystem::remove_all(dir_); }

  std::string Run() {
    std::ostringstream out;
    Result<CapableSummary> summary = RunCapable(options_, out);
    EXPECT_TRUE(summary.ok());
    return out.str();
  }

  std::string dir_ = ::testing::TempDir() + "mnemo_capable_" + std::to_string(::getpid());
  CapableOptions options_;
};

TEST_F(CapableRun, UnreachableServerFailsAndFreshScriptsAreSkipped) {
  const std::string out = Run();
  EXPECT_NE(out.find("SKIP  ascii/flushes: "), std::string::npos) << out;
  EXPECT_NE(out.find("FAIL  ascii/plain: cannot connect to 127.0.0.1:"), std::string::npos) << out;
  EXPECT_TRUE(out.ends_with("0 passed, 1 failed, 1 skipped\n")) << out;
}

TEST_F(CapableRun, FreshAndFilterChooseTheScripts) {
  options_.run_fresh = true;
  options_.filter = "flush";
  const std::string out = Run();
  EXPECT_EQ(out.find("plain"), std::string::npos) << out;
  EXPECT_NE(out.find("FAIL  ascii/flushes: "), std::string::npos) << out;
  EXPECT_TRUE(out.ends_with("0 passed, 1 failed\n")) << out;
}

TEST_F(CapableRun, NoScriptsIsAnError) {
  options_.scripts_dir = dir_ + "/ascii/none";
  std::ostringstream out;
  EXPECT_FALSE(RunCapable(options_, out).ok());
}

// A text server on loopback: answers `mn` with MN and every other line with what `reply` gives
// for the number of the connection (0, 1, ...).
class FakeServer {
 public:
  explicit FakeServer(std::function<std::string(int connection)> reply)
      : reply_(std::move(reply)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(fd_, 8);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeServer() {
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  Endpoint endpoint() const { return Endpoint{"127.0.0.1", port_}; }
  int connections() const { return connections_.load(); }

 private:
  void Serve() {
    for (;;) {
      const int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      const int number = connections_.fetch_add(1);
      std::string pending;
      char buffer[512];
      for (ssize_t n; (n = ::recv(client, buffer, sizeof buffer, 0)) > 0;) {
        pending.append(buffer, static_cast<std::size_t>(n));
        for (std::size_t end; (end = pending.find("\r\n")) != std::string::npos;) {
          const std::string line = pending.substr(0, end);
          pending.erase(0, end + 2);
          const std::string out = line == "mn" ? "MN\r\n" : reply_(number);
          (void)::send(client, out.data(), out.size(), MSG_NOSIGNAL);
        }
      }
      ::close(client);
    }
  }

  std::function<std::string(int)> reply_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<int> connections_{0};
  std::thread thread_;
};

// `get k` (a `fresh` script or not) answered by a candidate that always replies
// `candidate_reply`, judged against a reference whose connection n replies "X<n>".
struct Judged {
  ReferenceVerdict verdict;
  int reference_runs = 0;  // connections the reference saw
};

Judged JudgeOneGet(const std::string& candidate_reply, bool fresh) {
  FakeServer reference([](int connection) { return "X" + std::to_string(connection) + "\r\n"; });
  FakeServer candidate([&](int) { return candidate_reply; });
  const std::string text = std::string(fresh ? "fresh\n" : "") + "send \"get k\\r\\n\"\nsync\n";
  Result<Script> script = ParseScript(text, "ascii/one_get");
  EXPECT_TRUE(script.ok());
  RunOptions options;
  const Transcript answer = RunScript(*script, candidate.endpoint(), options);
  Judged judged{MatchReference(*script, answer, reference.endpoint(), options)};
  judged.reference_runs = reference.connections();
  return judged;
}

// memcached may answer a script in more than one way (timing): a candidate matching a later run
// of the reference matches; one matching no run fails with the first run's difference.
TEST(MatchReferenceTest, ACandidateMatchingALaterRunOfTheReferenceMatches) {
  const Judged judged = JudgeOneGet("X2\r\n", false);
  EXPECT_TRUE(judged.verdict.broken.empty()) << judged.verdict.broken;
  EXPECT_TRUE(judged.verdict.diff.empty()) << judged.verdict.diff;
  EXPECT_EQ(judged.reference_runs, 3);
}

TEST(MatchReferenceTest, ACandidateMatchingNoRunFailsWithTheFirstDifference) {
  const Judged judged = JudgeOneGet("Y\r\n", false);
  EXPECT_NE(judged.verdict.diff.find("X0"), std::string::npos) << judged.verdict.diff;
  EXPECT_EQ(judged.verdict.diff.find("X1"), std::string::npos) << judged.verdict.diff;
  EXPECT_EQ(judged.reference_runs, kReferenceRuns);
}

TEST(MatchReferenceTest, AFreshScriptRunsOnTheReferenceOnce) {
  const Judged judged = JudgeOneGet("X1\r\n", true);
  EXPECT_FALSE(judged.verdict.diff.empty());
  EXPECT_EQ(judged.reference_runs, 1);
}

}  // namespace
}  // namespace mnemo::compat
