// The client side of TLS on one connected, non-blocking socket: the handshake (bounded by the
// connect deadline, the server's certificate checked as TlsOptions says) and non-blocking
// reads and writes with send()/recv()'s conventions, so the poll() loops above stay the same.
// Thread safety: one thread at a time, like the Connection that owns it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <memory>

#include "mnemo/client/options.h"
#include "mnemo/result.h"

typedef struct ssl_st SSL;

namespace mnemo::client {

class TlsSession {
 public:
  // Shakes hands over `fd` (connected, non-blocking; not owned) before `deadline`. Errors read
  // "tls: <reason>" (a certificate that fails the check says why).
  static Result<std::unique_ptr<TlsSession>> Connect(
      int fd, const ServerSpec& server, const TlsOptions& options,
      std::chrono::steady_clock::time_point deadline);
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  // As send()/recv(): bytes moved (> 0), 0 when the server ended the session (Receive), or
  // -1 with errno EAGAIN when the socket must become ready first (poll for the direction of
  // the call) and EPROTO for a TLS failure.
  ssize_t Send(const char* data, std::size_t size);
  ssize_t Receive(char* data, std::size_t size);
  // For an idle connection: true when nothing but TLS housekeeping (session tickets) arrived.
  bool LooksIdle();

 private:
  explicit TlsSession(SSL* ssl) : ssl_(ssl) {}
  ssize_t Outcome(int rc);

  SSL* ssl_;
};

}  // namespace mnemo::client
