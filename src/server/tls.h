// TLS for mnemod (-Z): the OpenSSL server context built from -o ssl_*, swapped
// whole by `refresh_certs`, and the counters `stats` reports
// (ssl_handshake_errors, time_since_server_cert_refresh).
//
// A refresh builds a complete new context from the same files and only then
// replaces the current one, so a failed refresh changes nothing. Connections
// keep the context they shook hands with (they hold a shared_ptr to it): a
// refresh never drops a connection and only connections accepted afterwards see
// the new certificate, as in memcached.
//
// Thread safety: every method may be called from any thread; Current and
// Refresh take a mutex, the counters are atomics.
#pragma once

#include <asio/ssl/context.hpp>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "mnemo/result.h"
#include "server/config.h"

namespace mnemo::server {

class TlsContexts {
 public:
  // Loads the certificate chain, key and CA file named by `config`. The error
  // reads like memcached's: "Error loading the certificate chain: FILE :
  // <OpenSSL's reason>".
  static Result<std::unique_ptr<TlsContexts>> Create(const TlsConfig& config);

  // The context for a connection accepted now; never null.
  // `mutual`: for an "mtls:" listener, whose clients must present a certificate that chains
  // to ssl_ca_cert whatever ssl_verify_mode says (3, once, is kept; below 2 becomes 2).
  std::shared_ptr<asio::ssl::context> Current(bool mutual = false) const;
  // `refresh_certs`: reloads the files; on failure keeps the current context.
  Result<void> Refresh();

  // ssl_wbuf_size: the most a connection hands OpenSSL in one write, so the largest TLS
  // record it sends (memcached copies replies into a buffer of this size per SSL_write).
  // 0 = no bound of our own.
  std::size_t write_buffer_size() const { return config_.wbuf_size; }

  void CountHandshakeError() { handshake_errors_.fetch_add(1, std::memory_order_relaxed); }
  std::uint64_t handshake_errors() const { return handshake_errors_.load(); }
  // Seconds since the certificates were last loaded (start or refresh).
  std::int64_t SecondsSinceRefresh() const;

 private:
  explicit TlsContexts(const TlsConfig& config) : config_(config) {}

  const TlsConfig config_;
  mutable std::mutex mu_;
  std::shared_ptr<asio::ssl::context> current_;  // guarded by mu_
  std::shared_ptr<asio::ssl::context> mutual_;   // guarded by mu_; see Current
  std::atomic<std::int64_t> loaded_at_{0};       // MonotonicSeconds()
  std::atomic<std::uint64_t> handshake_errors_{0};
};

// Builds one server context from `config` (exposed for tests).
Result<std::shared_ptr<asio::ssl::context>> BuildTlsContext(const TlsConfig& config);

}  // namespace mnemo::server
