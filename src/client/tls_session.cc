#include "tls_session.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <string>

namespace mnemo::client {
namespace {

using Clock = std::chrono::steady_clock;

std::string Reason() {
  char text[256] = "unknown error";
  if (const unsigned long code = ERR_peek_error(); code != 0) {
    ERR_error_string_n(code, text, sizeof(text));
  }
  ERR_clear_error();
  return text;
}

Error Fail(const std::string& why) { return Error{"tls: " + why}; }

// The contexts alive now, by the options they were built from (TlsClientContext::For).
std::mutex& RegistryMutex() {
  static std::mutex mu;
  return mu;
}
std::map<std::string, std::weak_ptr<TlsClientContext>>& Registry() {
  static std::map<std::string, std::weak_ptr<TlsClientContext>> registry;  // RegistryMutex
  return registry;
}
std::atomic<std::uint64_t> contexts_built{0};

// The context for a set of options: the CAs to check servers with and our certificate.
Result<SSL_CTX*> NewContext(const TlsOptions& options) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return Fail(Reason());
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  const bool cas = options.ca_file.empty()
                       ? SSL_CTX_set_default_verify_paths(ctx) == 1
                       : SSL_CTX_load_verify_locations(ctx, options.ca_file.c_str(), nullptr) == 1;
  std::string failure;
  if (!cas) failure = options.ca_file + ": " + Reason();
  const std::string& key = options.key_file.empty() ? options.cert_file : options.key_file;
  if (failure.empty() && !options.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, options.cert_file.c_str()) != 1) {
      failure = options.cert_file + ": " + Reason();
    } else if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
      failure = key + ": " + Reason();
    }
  }
  if (failure.empty()) return ctx;
  SSL_CTX_free(ctx);
  return Fail(failure);
}

// The name the certificate must carry: the host as written, an IP literal as an address.
bool ExpectPeer(SSL* ssl, const std::string& host) {
  in6_addr scratch{};
  const bool literal = inet_pton(AF_INET, host.c_str(), &scratch) == 1 ||
                       inet_pton(AF_INET6, host.c_str(), &scratch) == 1;
  if (literal) return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) == 1;
  SSL_set_tlsext_host_name(ssl, host.c_str());
  return SSL_set1_host(ssl, host.c_str()) == 1;
}

// Drives the handshake, waiting with poll() for the direction OpenSSL asks for.
Result<void> Handshake(SSL* ssl, int fd, Clock::time_point deadline) {
  for (;;) {
    const int rc = SSL_connect(ssl);
    if (rc == 1) return {};
    const int error = SSL_get_error(ssl, rc);
    if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
      const long verify = SSL_get_verify_result(ssl);
      if (verify != X509_V_OK) return Fail(X509_verify_cert_error_string(verify));
      return Fail(ERR_peek_error() != 0 ? Reason() : "the server closed the connection");
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd p{fd, static_cast<short>(error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT), 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::max<long long>(left.count(), 0)));
    if (ready == 0) return Fail("handshake timed out");
    if (ready < 0 && errno != EINTR) return Fail("poll failed");
  }
}

}  // namespace

Result<std::shared_ptr<TlsClientContext>> TlsClientContext::For(const TlsOptions& options) {
  const std::string key = options.ca_file + '\0' + options.cert_file + '\0' + options.key_file;
  std::lock_guard lock(RegistryMutex());
  auto& registry = Registry();
  if (auto found = registry.find(key); found != registry.end()) {
    if (std::shared_ptr<TlsClientContext> live = found->second.lock()) return live;
  }
  Result<SSL_CTX*> ctx = NewContext(options);
  if (!ctx) return ctx.error();
  std::shared_ptr<TlsClientContext> context(new TlsClientContext(*ctx));
  std::erase_if(registry, [](const auto& entry) { return entry.second.expired(); });
  registry[key] = context;
  contexts_built.fetch_add(1, std::memory_order_relaxed);
  return context;
}

std::uint64_t TlsClientContext::built() { return contexts_built.load(); }

TlsClientContext::TlsClientContext(SSL_CTX* ctx) : ctx_(ctx) {
  SSL_CTX_set_app_data(ctx_, this);
  // OpenSSL hands every new session to KeepSession; looking one up is ours (OfferSession).
  SSL_CTX_set_session_cache_mode(ctx_, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(ctx_, &TlsClientContext::KeepSession);
}

TlsClientContext::~TlsClientContext() {
  for (auto& [server, session] : sessions_) SSL_SESSION_free(session);
  SSL_CTX_free(ctx_);
}

int TlsClientContext::KeepSession(SSL* ssl, SSL_SESSION* session) {
  auto* context = static_cast<TlsClientContext*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  const auto* server = static_cast<const std::string*>(SSL_get_app_data(ssl));
  if (context == nullptr || server == nullptr) return 0;
  std::lock_guard lock(context->mu_);
  SSL_SESSION*& kept = context->sessions_[*server];
  if (kept != nullptr) SSL_SESSION_free(kept);
  kept = session;
  return 1;  // the reference OpenSSL passed is ours now
}

void TlsClientContext::OfferSession(SSL* ssl, const std::string& server) {
  std::lock_guard lock(mu_);
  auto found = sessions_.find(server);
  if (found == sessions_.end()) return;
  if (SSL_SESSION_is_resumable(found->second) != 1) {
    SSL_SESSION_free(found->second);
    sessions_.erase(found);
    return;
  }
  // Several connections may offer the same session (a TLS 1.3 ticket is not single-use for
  // mnemod or memcached); each connection's new tickets replace it as they arrive.
  SSL_set_session(ssl, found->second);
}

Result<std::unique_ptr<TlsSession>> TlsSession::Connect(int fd, const ServerSpec& server,
                                                        const TlsOptions& options,
                                                        Clock::time_point deadline) {
  Result<std::shared_ptr<TlsClientContext>> context = TlsClientContext::For(options);
  if (!context) return context.error();
  SSL* ssl = SSL_new((*context)->native());
  if (ssl == nullptr) return Fail(Reason());
  std::unique_ptr<TlsSession> session(new TlsSession(
      ssl, std::move(*context), server.host + ":" + std::to_string(server.port)));
  SSL_set_app_data(ssl, &session->server_);  // for KeepSession
  // Partial writes let the poll loop send a long request piece by piece, like send().
  SSL_set_mode(ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (SSL_set_fd(ssl, fd) != 1 || !ExpectPeer(ssl, server.host)) return Fail(Reason());
  session->context_->OfferSession(ssl, session->server_);
  Result<void> done = Handshake(ssl, fd, deadline);
  if (!done) return done.error();
  if (session->resumed()) session->context_->CountResumed();
  return session;
}

bool TlsSession::resumed() const { return SSL_session_reused(ssl_) == 1; }

TlsSession::~TlsSession() { SSL_free(ssl_); }

ssize_t TlsSession::Outcome(int rc) {
  if (rc > 0) return rc;
  switch (SSL_get_error(ssl_, rc)) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
      errno = EAGAIN;
      return -1;
    case SSL_ERROR_ZERO_RETURN:
      return 0;
    case SSL_ERROR_SYSCALL:
      // A close without close_notify (a server that just closes): end of stream.
      if (ERR_peek_error() == 0 && errno == 0) return 0;
      [[fallthrough]];
    default:
      ERR_clear_error();
      errno = EPROTO;
      return -1;
  }
}

ssize_t TlsSession::Send(const char* data, std::size_t size) {
  errno = 0;
  return Outcome(SSL_write(ssl_, data, static_cast<int>(std::min<std::size_t>(size, 1 << 30))));
}

ssize_t TlsSession::Receive(char* data, std::size_t size) {
  errno = 0;
  return Outcome(SSL_read(ssl_, data, static_cast<int>(std::min<std::size_t>(size, 1 << 30))));
}

bool TlsSession::LooksIdle() {
  char byte = 0;
  errno = 0;
  const int rc = SSL_peek(ssl_, &byte, 1);
  return rc <= 0 && Outcome(rc) < 0 && errno == EAGAIN;
}

}  // namespace mnemo::client
