// TlsContexts and BuildTlsContext: the OpenSSL settings each ssl_* key turns into, the errors
// for files that cannot be loaded, and refresh_certs' swap (a failure keeps the old context).
// The certificates are made with the openssl CLI in a temp dir, as in mnemod_tls.
#include "server/tls.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace mnemo::server {
namespace {

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char pattern[] = "/tmp/mnemo-tls-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    const std::string quiet = " >/dev/null 2>&1";
    ASSERT_EQ(std::system(("cd " + dir_ +
                           " && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key"
                           " -out ca.pem -days 2 -subj /CN=ca" +
                           quiet)
                              .c_str()),
              0);
    ASSERT_EQ(std::system(("cd " + dir_ +
                           " && openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key"
                           " -out other.pem -days 2 -subj /CN=other" +
                           quiet)
                              .c_str()),
              0);
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

  TlsConfig Config() const {
    TlsConfig config;
    config.enabled = true;
    config.chain_cert = dir_ + "/ca.pem";
    config.key = dir_ + "/ca.key";
    return config;
  }

  static std::string dir_;
};

std::string TlsTest::dir_;

TEST_F(TlsTest, EachKeySetsOpenSsl) {
  const int expected[] = {
      SSL_VERIFY_NONE, SSL_VERIFY_PEER, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
      SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT | SSL_VERIFY_CLIENT_ONCE};
  for (int mode = 0; mode <= 3; ++mode) {
    TlsConfig config = Config();
    config.verify_mode = mode;
    config.min_version = mode;
    config.ca_cert = dir_ + "/ca.pem";
    auto context = BuildTlsContext(config);
    ASSERT_TRUE(context) << context.error().message;
    SSL_CTX* ctx = (*context)->native_handle();
    EXPECT_EQ(SSL_CTX_get_verify_mode(ctx), expected[mode]);
    EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx), TLS1_VERSION + mode);
    EXPECT_EQ(SSL_CTX_get_session_cache_mode(ctx), SSL_SESS_CACHE_OFF);
  }
  TlsConfig config = Config();
  config.session_cache = true;
  auto context = BuildTlsContext(config);
  ASSERT_TRUE(context);
  EXPECT_EQ(SSL_CTX_get_session_cache_mode((*context)->native_handle()), SSL_SESS_CACHE_SERVER);
}

TEST_F(TlsTest, FilesThatCannotBeLoaded) {
  TlsConfig config = Config();
  config.chain_cert.clear();
  EXPECT_EQ(BuildTlsContext(config).error().message,
            "-Z needs a certificate: -o ssl_chain_cert=FILE");
  config = Config();
  config.chain_cert = dir_ + "/none.pem";
  EXPECT_EQ(BuildTlsContext(config).error().message.rfind(
                "Error loading the certificate chain: " + dir_ + "/none.pem : error:", 0),
            0u);
  config = Config();
  config.key = dir_ + "/other.key";  // not the certificate's key
  EXPECT_EQ(BuildTlsContext(config).error().message.rfind(
                "Error loading the key: " + dir_ + "/other.key : error:", 0),
            0u);
  config = Config();
  config.ca_cert = dir_ + "/none.pem";
  EXPECT_EQ(BuildTlsContext(config).error().message.rfind(
                "Error loading the CA certificate: " + dir_ + "/none.pem : ", 0),
            0u);
  config = Config();
  config.ciphers = "NO-SUCH-CIPHER";
  EXPECT_EQ(BuildTlsContext(config).error().message.rfind(
                "Error setting the ciphers: NO-SUCH-CIPHER : ", 0),
            0u);
}

TEST_F(TlsTest, KeyDefaultsToTheChainFile) {
  const std::string both = dir_ + "/both.pem";
  ASSERT_EQ(std::system(("cat " + dir_ + "/ca.pem " + dir_ + "/ca.key > " + both).c_str()), 0);
  TlsConfig config = Config();
  config.chain_cert = both;
  config.key.clear();
  EXPECT_TRUE(BuildTlsContext(config));
}

TEST_F(TlsTest, RefreshSwapsAndAFailureKeepsTheOldContext) {
  const std::string chain = dir_ + "/live.pem";
  const std::string key = dir_ + "/live.key";
  std::filesystem::copy_file(dir_ + "/ca.pem", chain);
  std::filesystem::copy_file(dir_ + "/ca.key", key);
  TlsConfig config = Config();
  config.chain_cert = chain;
  config.key = key;
  auto contexts = TlsContexts::Create(config);
  ASSERT_TRUE(contexts) << contexts.error().message;
  TlsContexts& tls = **contexts;
  const auto first = tls.Current();
  ASSERT_NE(first, nullptr);
  EXPECT_NE(tls.Current(true), first);  // mtls: listeners get a context of their own
  EXPECT_EQ(SSL_CTX_get_verify_mode(tls.Current(true)->native_handle()),
            SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
  EXPECT_GE(tls.SecondsSinceRefresh(), 0);

  ASSERT_TRUE(tls.Refresh());
  const auto second = tls.Current();
  EXPECT_NE(second, first);
  EXPECT_EQ(first.use_count(), 1);  // still usable by whoever holds it

  std::filesystem::remove(chain);
  auto failed = tls.Refresh();
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message.rfind("Error loading the certificate chain: " + chain, 0), 0u);
  EXPECT_EQ(tls.Current(), second);

  EXPECT_EQ(tls.handshake_errors(), 0u);
  tls.CountHandshakeError();
  EXPECT_EQ(tls.handshake_errors(), 1u);
}

TEST_F(TlsTest, CreateFailsLikeBuild) {
  TlsConfig config = Config();
  config.chain_cert = dir_ + "/none.pem";
  auto contexts = TlsContexts::Create(config);
  ASSERT_FALSE(contexts);
  EXPECT_EQ(contexts.error().message.rfind("Error loading the certificate chain: ", 0), 0u);
}

TEST_F(TlsTest, KernelTlsRenegotiationAndWriteBuffer) {
  TlsConfig config = Config();
  auto plain = BuildTlsContext(config);
  ASSERT_TRUE(plain);
  SSL_CTX* ctx = (*plain)->native_handle();
  EXPECT_EQ(SSL_CTX_get_options(ctx) & SSL_OP_ENABLE_KTLS, 0u);
  EXPECT_NE(SSL_CTX_get_options(ctx) & SSL_OP_NO_RENEGOTIATION, 0u);
  EXPECT_NE(SSL_CTX_get_mode(ctx) & SSL_MODE_RELEASE_BUFFERS, 0u);
  config.kernel_tls = true;
  config.wbuf_size = 4096;
  auto contexts = TlsContexts::Create(config);
  ASSERT_TRUE(contexts) << contexts.error().message;
  EXPECT_NE(SSL_CTX_get_options((*contexts)->Current()->native_handle()) & SSL_OP_ENABLE_KTLS,
            0u);
  EXPECT_EQ((*contexts)->write_buffer_size(), 4096u);
}

}  // namespace
}  // namespace mnemo::server
