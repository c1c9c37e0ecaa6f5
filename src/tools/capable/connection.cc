#include "tools/capable/connection.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

namespace mnemo::compat {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

int MillisLeft(Clock::time_point deadline) {
  const auto left = std::chrono::ceil<milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::max<long long>(0, left));
}

// poll() for `events` until the deadline; returns revents, or 0 on timeout.
short PollFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, MillisLeft(deadline));
    if (r > 0) return p.revents;
    if (r == 0 || errno != EINTR) return 0;
  }
}

std::string SystemError(const char* what) { return std::string(what) + ": " + strerror(errno); }

// A non-blocking connect to one resolved address; the descriptor, or -1 with `*error` set.
int ConnectTo(const addrinfo& address, Clock::time_point deadline, std::string* error) {
  const int fd = ::socket(address.ai_family, address.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                          address.ai_protocol);
  if (fd < 0) {
    *error = SystemError("socket");
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd, address.ai_addr, address.ai_addrlen) == 0) return fd;
  int failure = errno;
  if (failure == EINPROGRESS) {
    failure = ETIMEDOUT;
    if (PollFor(fd, POLLOUT, deadline) != 0) {
      socklen_t length = sizeof failure;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length);
    }
  }
  if (failure == 0) return fd;
  *error = std::string("connect: ") + strerror(failure);
  ::close(fd);
  return -1;
}

}  // namespace

Result<Connection> Connection::Open(const std::string& host, std::uint16_t port,
                                    milliseconds timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (const int status = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
      status != 0) {
    return Error{"cannot resolve " + host + ": " + gai_strerror(status)};
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, &::freeaddrinfo);
  const Clock::time_point deadline = Clock::now() + timeout;
  std::string error = "no address";
  for (const addrinfo* address = found; address != nullptr; address = address->ai_next) {
    const int fd = ConnectTo(*address, deadline, &error);
    if (fd >= 0) return Connection(fd);
  }
  return Error{error};
}

Connection::Connection(Connection&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

Connection::~Connection() {
  if (fd_ >= 0) ::close(fd_);
}

Result<void> Connection::Send(std::string_view bytes, milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return Error{SystemError("send")};
    if (PollFor(fd_, POLLOUT, deadline) == 0) return Error{"send: timed out"};
  }
  return {};
}

ReadEnd Connection::ReadUntil(std::string* out, FunctionRef<bool(std::string_view)> done,
                              milliseconds timeout, milliseconds idle) {
  if (done(*out)) return ReadEnd::kDone;
  const Clock::time_point deadline = Clock::now() + timeout;
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
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (n <= 0) return ReadEnd::kClosed;  // EOF, or ECONNRESET after unread input
    out->append(buffer, static_cast<std::size_t>(n));
    if (done(*out)) return ReadEnd::kDone;
  }
}

}  // namespace mnemo::compat
