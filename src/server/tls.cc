#include "server/tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <string>

#include "server/worker.h"

namespace mnemo::server {
namespace {

// memcached's wording: what failed, the file, then the first (root) error
// OpenSSL queued.
Error LoadError(std::string_view what, const std::string& file) {
  char reason[256] = "";
  const unsigned long code = ERR_peek_error();
  if (code != 0) ERR_error_string_n(code, reason, sizeof(reason));
  ERR_clear_error();
  return Error{"Error " + std::string(what) + ": " + file + " : " + reason};
}

int VerifyFlags(int mode) {
  switch (mode) {
    case 1:
      return SSL_VERIFY_PEER;
    case 2:
      return SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    case 3:
      return SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT | SSL_VERIFY_CLIENT_ONCE;
    default:
      return SSL_VERIFY_NONE;
  }
}

Result<void> LoadCertificates(SSL_CTX* ctx, const TlsConfig& config) {
  if (SSL_CTX_use_certificate_chain_file(ctx, config.chain_cert.c_str()) != 1) {
    return LoadError("loading the certificate chain", config.chain_cert);
  }
  // Without ssl_key the key is read from the chain file (memcached then fails: "Error loading
  // the key: (null)"); a PEM file holding both is common.
  const std::string& key = config.key.empty() ? config.chain_cert : config.key;
  if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), config.key_format) != 1) {
    return LoadError("loading the key", key);
  }
  if (config.ca_cert.empty()) return {};
  if (SSL_CTX_load_verify_locations(ctx, config.ca_cert.c_str(), nullptr) != 1) {
    return LoadError("loading the CA certificate", config.ca_cert);
  }
  // The CA names the server sends in its certificate request, so a client picks
  // its cert.
  if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(config.ca_cert.c_str())) {
    SSL_CTX_set_client_CA_list(ctx, names);
  }
  return {};
}

// What memcached sets besides the ssl_* keys: no renegotiation (a client could make the server
// redo the expensive half of a handshake at will), idle connections' record buffers released,
// and with ssl_kernel_tls OpenSSL's kernel offload, which OpenSSL skips silently when the
// kernel, the cipher or (with Asio's memory BIOs, always) the transport does not allow it.
void SetOptions(SSL_CTX* ctx, const TlsConfig& config) {
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
#ifdef SSL_OP_ENABLE_KTLS
  if (config.kernel_tls) SSL_CTX_set_options(ctx, SSL_OP_ENABLE_KTLS);
#else
  static_cast<void>(config);
#endif
}

}  // namespace

Result<std::shared_ptr<asio::ssl::context>> BuildTlsContext(const TlsConfig& config) {
  if (config.chain_cert.empty()) {
    return Error{"-Z needs a certificate: -o ssl_chain_cert=FILE"};
  }
#ifndef SSL_OP_ENABLE_KTLS
  // memcached refuses to start then (EX_USAGE) rather than ignore the key.
  if (config.kernel_tls) return Error{"Kernel TLS offload is not available"};
#endif
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* ctx = context->native_handle();
  SSL_CTX_set_options(ctx, SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3);
  // ssl_min_version 0..3 = TLS 1.0..1.3, whose wire codes are consecutive.
  SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION + config.min_version);
  if (!config.ciphers.empty() && SSL_CTX_set_cipher_list(ctx, config.ciphers.c_str()) != 1) {
    return LoadError("setting the ciphers", config.ciphers);
  }
  Result<void> loaded = LoadCertificates(ctx, config);
  if (!loaded) return loaded.error();
  SSL_CTX_set_verify(ctx, VerifyFlags(config.verify_mode), nullptr);
  SetOptions(ctx, config);
  if (config.session_cache) {
    static const unsigned char kSessionContext[] = "mnemod";
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof(kSessionContext) - 1);
  } else {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  }
  return context;
}

Result<std::unique_ptr<TlsContexts>> TlsContexts::Create(const TlsConfig& config) {
  std::unique_ptr<TlsContexts> contexts(new TlsContexts(config));
  Result<void> loaded = contexts->Refresh();
  if (!loaded) return loaded.error();
  return contexts;
}

std::shared_ptr<asio::ssl::context> TlsContexts::Current(bool mutual) const {
  std::lock_guard lock(mu_);
  return mutual ? mutual_ : current_;
}

Result<void> TlsContexts::Refresh() {
  Result<std::shared_ptr<asio::ssl::context>> built = BuildTlsContext(config_);
  if (!built) return built.error();
  TlsConfig mutual_config = config_;
  mutual_config.verify_mode = std::max(config_.verify_mode, 2);
  Result<std::shared_ptr<asio::ssl::context>> mutual = BuildTlsContext(mutual_config);
  if (!mutual) return mutual.error();
  std::lock_guard lock(mu_);
  current_ = std::move(*built);
  mutual_ = std::move(*mutual);
  loaded_at_ = MonotonicSeconds();
  return {};
}

std::int64_t TlsContexts::SecondsSinceRefresh() const {
  return MonotonicSeconds() - loaded_at_.load();
}

}  // namespace mnemo::server
