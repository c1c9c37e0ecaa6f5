// mnemo-capable's own logic, without servers: HOST:PORT parsing, and the lines and counts a run
// prints for scripts that fail (nothing listens), are skipped (`fresh`) or filtered out. The
// checks against live servers are tests/compat/capable_test.sh.
#include "tools/capable/capable.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

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

}  // namespace
}  // namespace mnemo::compat
