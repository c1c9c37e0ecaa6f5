// One socket to one memcached server (TCP or unix), non-blocking, with the bytes received but
// not yet parsed. Opening is bounded by a connect timeout; reading and writing are driven by the
// exchange layer with poll() through Send/Receive, which go through TLS when TlsOptions asks
// for it (tls_session.h). Connections are reused through the pool.
// Thread safety: one thread at a time (the pool hands each to one operation).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "mnemo/client/options.h"
#include "mnemo/result.h"

namespace mnemo::client {

class TlsSession;

class Connection {
 public:
  // Resolves the host (every address in turn) and connects within `timeout` overall.
  // With tls.enabled it then shakes hands within the same time. Errors read
  // "connect: <reason>" or "tls: <reason>".
  static Result<std::unique_ptr<Connection>> Open(const ServerSpec& server,
                                                  std::chrono::milliseconds timeout,
                                                  const TlsOptions& tls = {});

  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd() const { return fd_; }
  // Bytes received and not yet consumed by a reply parser.
  std::string& input() { return input_; }

  // As send() and recv() on the non-blocking socket (send without SIGPIPE): bytes moved, 0
  // when the server closed (Receive), or -1 with errno (EAGAIN: poll for this direction).
  ssize_t Send(const char* data, std::size_t size);
  ssize_t Receive(char* data, std::size_t size);

  // For an idle connection: false when the server closed it (or sent bytes nobody asked for),
  // as after a restart, so that the pool drops it instead of failing the next operation.
  bool LooksAlive() const;

 private:
  Connection(int fd, std::unique_ptr<TlsSession> tls);

  int fd_;
  std::unique_ptr<TlsSession> tls_;  // null for plain TCP and unix sockets
  std::string input_;
};

}  // namespace mnemo::client
