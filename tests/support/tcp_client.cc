#include "tcp_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace mnemo::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

int MillisLeft(Clock::time_point deadline) {
  auto left = std::chrono::ceil<milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::max<long long>(0, left));
}

// poll() for `events` until the deadline; returns revents, or 0 on timeout.
short PollFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, MillisLeft(deadline));
    if (r > 0) return p.revents;
    if (r == 0 || errno != EINTR) return 0;
  }
}

Error SysError(const char* what) { return Error{std::string(what) + ": " + strerror(errno)}; }

}  // namespace

const char* ReadEndName(ReadEnd end) {
  switch (end) {
    case ReadEnd::kDone:
      return "done";
    case ReadEnd::kClosed:
      return "closed";
    case ReadEnd::kIdle:
      return "idle";
    case ReadEnd::kTimeout:
      return "timeout";
  }
  return "?";
}

Result<TcpClient> TcpClient::Connect(std::uint16_t port, milliseconds timeout,
                                     const std::string& host) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    return Error{"not a numeric IPv4 address: " + host};
  }
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return SysError("socket");
  TcpClient client(fd);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno != EINPROGRESS) return SysError("connect");
    if (PollFor(fd, POLLOUT, Clock::now() + timeout) == 0) return Error{"connect: timed out"};
    int error = 0;
    socklen_t len = sizeof error;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len);
    if (error != 0) return Error{std::string("connect: ") + strerror(error)};
  }
  return client;
}

TcpClient::TcpClient(TcpClient&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

TcpClient& TcpClient::operator=(TcpClient&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

Result<void> TcpClient::Send(std::string_view bytes, milliseconds timeout) {
  if (fd_ < 0) return Error{"send: not connected"};
  Clock::time_point deadline = Clock::now() + timeout;
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return SysError("send");
    if (PollFor(fd_, POLLOUT, deadline) == 0) return Error{"send: timed out"};
  }
  return {};
}

ReadEnd TcpClient::ReadUntil(std::string* out, const std::function<bool(std::string_view)>& done,
                             milliseconds timeout, milliseconds idle) {
  if (done && done(*out)) return ReadEnd::kDone;
  if (fd_ < 0) return ReadEnd::kClosed;
  Clock::time_point deadline = Clock::now() + timeout;
  char buffer[16 * 1024];
  for (;;) {
    Clock::time_point wait_until = deadline;
    bool idle_first = false;
    if (idle.count() > 0 && Clock::now() + idle < deadline) {
      wait_until = Clock::now() + idle;
      idle_first = true;
    }
    if (PollFor(fd_, POLLIN, wait_until) == 0) {
      return idle_first ? ReadEnd::kIdle : ReadEnd::kTimeout;
    }
    ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (n <= 0) return ReadEnd::kClosed;  // EOF, or ECONNRESET after unread input
    out->append(buffer, static_cast<std::size_t>(n));
    if (done && done(*out)) return ReadEnd::kDone;
  }
}

ReadEnd TcpClient::ReadUntilEof(std::string* out, milliseconds timeout) {
  return ReadUntil(out, nullptr, timeout);
}

ReadEnd TcpClient::ReadUntilIdle(std::string* out, milliseconds idle, milliseconds timeout) {
  return ReadUntil(out, nullptr, timeout, idle);
}

void TcpClient::ShutdownWrite() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

void TcpClient::Close() {
  if (fd_ >= 0) ::close(std::exchange(fd_, -1));
}

}  // namespace mnemo::testing
