// Non-blocking connect with a deadline, for TCP (any address family) and unix sockets.
#include "connection.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "tls_session.h"

namespace mnemo::client {
namespace {

using Clock = std::chrono::steady_clock;

std::string ErrnoText(int err) { return std::strerror(err); }

// Connects `fd` to `addr` before `deadline`; 0 or an errno value.
int ConnectBefore(int fd, const sockaddr* addr, socklen_t length, Clock::time_point deadline) {
  if (::connect(fd, addr, length) == 0) return 0;
  if (errno != EINPROGRESS) return errno;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  pollfd p{fd, POLLOUT, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(std::max<long long>(left.count(), 0)));
  if (ready == 0) return ETIMEDOUT;
  if (ready < 0) return errno;
  int err = 0;
  socklen_t err_length = sizeof(err);
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_length) != 0) return errno;
  return err;
}

int NewSocket(int family) {
  return ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

Result<int> OpenUnix(const std::string& path, Clock::time_point deadline) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) return Error{"connect: socket path too long"};
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const int fd = NewSocket(AF_UNIX);
  if (fd < 0) return Error{"socket: " + ErrnoText(errno)};
  const int err =
      ConnectBefore(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr), deadline);
  if (err != 0) {
    ::close(fd);
    return Error{"connect: " + ErrnoText(err)};
  }
  return fd;
}

Result<int> OpenTcp(const ServerSpec& server, Clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  const std::string port = std::to_string(server.port);
  if (int rc = ::getaddrinfo(server.host.c_str(), port.c_str(), &hints, &list); rc != 0) {
    return Error{"resolve: " + std::string(::gai_strerror(rc))};
  }
  int err = EHOSTUNREACH;
  int fd = -1;
  for (addrinfo* a = list; a != nullptr && fd < 0; a = a->ai_next) {
    fd = NewSocket(a->ai_family);
    if (fd < 0) {
      err = errno;
      continue;
    }
    err = ConnectBefore(fd, a->ai_addr, a->ai_addrlen, deadline);
    if (err != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(list);
  if (fd < 0) return Error{"connect: " + ErrnoText(err)};
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

}  // namespace

Result<std::unique_ptr<Connection>> Connection::Open(const ServerSpec& server,
                                                     std::chrono::milliseconds timeout,
                                                     const TlsOptions& tls) {
  const auto deadline = Clock::now() + timeout;
  auto fd = server.is_unix ? OpenUnix(server.host, deadline) : OpenTcp(server, deadline);
  if (!fd) return fd.error();
  std::unique_ptr<TlsSession> session;
  if (tls.enabled) {
    auto connected = TlsSession::Connect(fd.value(), server, tls, deadline);
    if (!connected) {
      ::close(fd.value());
      return connected.error();
    }
    session = std::move(connected.value());
  }
  return std::unique_ptr<Connection>(new Connection(fd.value(), std::move(session)));
}

Connection::Connection(int fd, std::unique_ptr<TlsSession> tls) : fd_(fd), tls_(std::move(tls)) {}

Connection::~Connection() {
  tls_.reset();  // before the socket it uses
  ::close(fd_);
}

ssize_t Connection::Send(const char* data, std::size_t size) {
  if (tls_) return tls_->Send(data, size);
  return ::send(fd_, data, size, MSG_NOSIGNAL);
}

ssize_t Connection::Receive(char* data, std::size_t size) {
  if (tls_) return tls_->Receive(data, size);
  return ::recv(fd_, data, size, 0);
}

bool Connection::LooksAlive() const {
  if (!input_.empty()) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, 0) == 0) return true;
  // TLS 1.3 servers send session tickets after the handshake: readable, yet idle.
  return tls_ && tls_->LooksIdle();
}

}  // namespace mnemo::client
