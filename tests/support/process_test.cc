#include "process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tcp_client.h"

namespace mnemo::testing {
namespace {

using std::chrono::milliseconds;

// A socket of this test process listening on a loopback port the OS chose. It never accepts:
// its backlog holds every connect a test makes (a full backlog would stall connect for minutes).
class OwnListener {
 public:
  OwnListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::listen(fd_, 1024) == 0 &&
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port_ = ntohs(addr.sin_port);
    }
  }
  ~OwnListener() {
    if (fd_ >= 0) ::close(fd_);
  }
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

std::vector<std::string> Memcached(std::uint16_t port) {
  std::vector<std::string> argv = {"memcached", "-l", "127.0.0.1", "-p", std::to_string(port),
                                   "-U", "0", "-t", "1"};
  if (::geteuid() == 0) argv.insert(argv.end(), {"-u", "root"});
  return argv;
}

// The port answers, but not from the child: the server under test must not be trusted (the
// old check, a connect and a child still running 20 ms later, trusted it).
TEST(WaitForListenerTest, APortAnsweredBySomeoneElseIsNotTheChilds) {
  OwnListener other;
  ASSERT_NE(other.port(), 0);
  Result<Process> child = Process::Spawn({"sleep", "5"});
  ASSERT_TRUE(child.ok()) << child.error().message;
  EXPECT_TRUE(TcpClient::Connect(other.port()).ok());  // the port answers
  EXPECT_FALSE(WaitForListener(*child, other.port(), milliseconds(300)));
  EXPECT_TRUE(child->Running());
}

TEST(WaitForListenerTest, AChildThatCannotBindThePortIsNotListening) {
  OwnListener other;
  ASSERT_NE(other.port(), 0);
  Result<Process> child = Process::Spawn(Memcached(other.port()));
  ASSERT_TRUE(child.ok()) << child.error().message;
  EXPECT_FALSE(WaitForListener(*child, other.port(), milliseconds(5000)));
  EXPECT_FALSE(child->Running());  // memcached gave up on the taken port
}

TEST(WaitForListenerTest, StartServerReturnsAServerThatOwnsItsPort) {
  Result<RunningServer> server = StartServer(Memcached);
  ASSERT_TRUE(server.ok()) << server.error().message;
  EXPECT_TRUE(WaitForListener(server->process, server->port, milliseconds(100)));
  const std::uint16_t port = server->port;
  server->process.Stop();
  EXPECT_FALSE(WaitForListener(server->process, port, milliseconds(100)));
}

}  // namespace
}  // namespace mnemo::testing
