// The client side of TLS on one connected, non-blocking socket: the handshake (bounded by the
// connect deadline, the server's certificate checked as TlsOptions says) and non-blocking
// reads and writes with send()/recv()'s conventions, so the poll() loops above stay the same.
//
// Every connection made with one set of TlsOptions (CA, certificate, key) shares one
// TlsClientContext: the files are read and the OpenSSL context built once, not per connection,
// and the session a server hands out is kept so that the next connection to that server
// resumes it (an abbreviated handshake) when the server allows it (mnemod and memcached with
// -o ssl_session_cache). The contexts live in a process-wide table of weak references, so a
// context exists exactly as long as a connection (usually a pooled one) still holds it.
//
// Thread safety: a TlsSession is used by one thread at a time, like the Connection that owns it;
// TlsClientContext may be used from any thread (the session table takes a mutex).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "mnemo/client/options.h"
#include "mnemo/result.h"

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_session_st SSL_SESSION;

namespace mnemo::client {

class TlsClientContext {
 public:
  // The context for `options`: the one connections already share, or a new one. Errors read
  // "tls: FILE: <reason>" for a CA, certificate or key that cannot be loaded.
  static Result<std::shared_ptr<TlsClientContext>> For(const TlsOptions& options);
  // How many contexts this process has built (tests: connections share one).
  static std::uint64_t built();

  ~TlsClientContext();
  TlsClientContext(const TlsClientContext&) = delete;
  TlsClientContext& operator=(const TlsClientContext&) = delete;

  SSL_CTX* native() const { return ctx_; }
  // Offers `ssl` the last session `server` (its "host:port") gave, if any is still resumable.
  void OfferSession(SSL* ssl, const std::string& server);
  // Handshakes of this context that resumed a session.
  std::uint64_t resumed() const { return resumed_.load(std::memory_order_relaxed); }
  void CountResumed() { resumed_.fetch_add(1, std::memory_order_relaxed); }

 private:
  explicit TlsClientContext(SSL_CTX* ctx);
  // OpenSSL's new-session callback: keeps `session` for the server of `ssl`.
  static int KeepSession(SSL* ssl, SSL_SESSION* session);

  SSL_CTX* const ctx_;
  std::mutex mu_;
  std::map<std::string, SSL_SESSION*> sessions_;  // guarded by mu_; one reference each
  std::atomic<std::uint64_t> resumed_{0};
};

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
  // True when the handshake resumed an earlier session instead of a full exchange.
  bool resumed() const;

 private:
  TlsSession(SSL* ssl, std::shared_ptr<TlsClientContext> context, std::string server)
      : ssl_(ssl), context_(std::move(context)), server_(std::move(server)) {}
  ssize_t Outcome(int rc);

  SSL* ssl_;
  std::shared_ptr<TlsClientContext> context_;  // outlives ssl_'s use of it
  std::string server_;  // "host:port": where the sessions it receives are kept
};

}  // namespace mnemo::client
