// mnemod's verbosity levels: -v logs one line per failed connection with its peer address and
// nothing per request; -vv adds the requests; -vvv adds memcached's state transition lines.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "reliability_util.h"

namespace mnemo::reliability {
namespace {

using integration::Mnemod;
using integration::ScratchDir;

// Waits (bounded) until the server's log holds `text`.
bool LogShows(const Mnemod& server, std::string_view text) {
  const auto deadline = std::chrono::steady_clock::now() + integration::kTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (server.Log().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

// Connects, sends `request`, reads its reply (up to "END\r\n"), then closes with a reset
// (SO_LINGER 0) when `reset` is set, else normally. Returns the local port, or 0 on failure.
std::uint16_t ExchangeAndClose(std::uint16_t port, const std::string& request, bool reset) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::uint16_t local = 0;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(request.size())) {
    std::string reply;
    char buffer[256];
    timeval timeout{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    while (!reply.ends_with("END\r\n")) {
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      reply.append(buffer, static_cast<std::size_t>(n));
    }
    sockaddr_in mine{};
    socklen_t length = sizeof mine;
    if (reply == "END\r\n" && ::getsockname(fd, reinterpret_cast<sockaddr*>(&mine), &length) == 0) {
      local = ntohs(mine.sin_port);
    }
  }
  if (reset) {
    const linger abort_close{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_close, sizeof abort_close);
  }
  ::close(fd);
  return local;
}

TEST(Verbosity, OneLineWithThePeerPerFailedConnectionAndNothingPerRequest) {
  ScratchDir dir;
  Result<Mnemod> server = integration::StartMnemod(dir, {"-v"});
  ASSERT_TRUE(server.ok()) << server.error().message;
  const std::uint16_t local = ExchangeAndClose(server->port, "get quiet\r\n", true);
  ASSERT_NE(local, 0);
  const std::string peer = "127.0.0.1:" + std::to_string(local);
  ASSERT_TRUE(LogShows(*server, peer + ": read: Connection reset by peer")) << server->Log();
  // An ordinary close is no error, and -v prints no request.
  ASSERT_NE(ExchangeAndClose(server->port, "get calm\r\n", false), 0);
  const std::string log = server->Log();
  EXPECT_EQ(log.find("quiet"), std::string::npos) << log;
  EXPECT_EQ(log.find("going from"), std::string::npos) << log;
  std::size_t failures = 0;
  for (std::size_t at = log.find(": read: "); at != std::string::npos;
       at = log.find(": read: ", at + 1)) {
    ++failures;
  }
  EXPECT_EQ(failures, 1u) << log;
}

TEST(Verbosity, VeryVeryVerboseAddsStateTransitionsToTheRequests) {
  ScratchDir dir;
  Result<Mnemod> server = integration::StartMnemod(dir, {"-vvv"});
  ASSERT_TRUE(server.ok()) << server.error().message;
  ASSERT_NE(ExchangeAndClose(server->port, "get k\r\n", false), 0);
  ASSERT_TRUE(LogShows(*server, "connection closed.")) << server->Log();
  const std::string log = server->Log();
  const std::size_t request = log.find(" get k\n");
  ASSERT_NE(request, std::string::npos) << log;
  const std::size_t fd_end = log.rfind('<', request);
  ASSERT_NE(fd_end, std::string::npos);
  const std::string fd = log.substr(fd_end + 1, request - fd_end - 1);
  for (const char* step : {"conn_new_cmd to conn_parse_cmd", "conn_parse_cmd to conn_mwrite",
                           "conn_mwrite to conn_parse_cmd", "conn_parse_cmd to conn_waiting"}) {
    EXPECT_NE(log.find(fd + ": going from " + std::string(step) + "\n"), std::string::npos)
        << step << "\n"
        << log;
  }
  EXPECT_EQ(log.find(": read: "), std::string::npos) << log;
}

TEST(Verbosity, VeryVerboseLogsRequestsButNoStates) {
  ScratchDir dir;
  Result<Mnemod> server = integration::StartMnemod(dir, {"-vv"});
  ASSERT_TRUE(server.ok()) << server.error().message;
  ASSERT_NE(ExchangeAndClose(server->port, "get k\r\n", false), 0);
  ASSERT_TRUE(LogShows(*server, "connection closed.")) << server->Log();
  const std::string log = server->Log();
  EXPECT_NE(log.find(" get k\n"), std::string::npos) << log;
  EXPECT_EQ(log.find("going from"), std::string::npos) << log;
}

}  // namespace
}  // namespace mnemo::reliability
