// The client library's TLS contexts against mnemod -Z: every connection made with one set of
// TlsOptions shares one OpenSSL context (the files are read once), a reconnection resumes the
// session the server handed out when the server keeps sessions (-o ssl_session_cache) and does a
// full handshake when it does not, and a Client with many threads still speaks TLS. The
// certificates are made with the openssl CLI, as in mnemod_tls.
#include <gtest/gtest.h>
#include <poll.h>
#include <stdlib.h>

#include <atomic>
#include <cerrno>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "connection.h"
#include "mnemo/client/client.h"
#include "mnemod_harness.h"
#include "tls_session.h"

namespace mnemo::integration {
namespace {

using client::Connection;
using client::TlsClientContext;

class TlsClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<ScratchDir>();
    const std::string quiet = " >/dev/null 2>&1";
    const std::string make =
        "cd " + dir_->Path("") +
        " && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2"
        " -subj /CN=ca" + quiet +
        " && openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr"
        " -subj /CN=localhost" + quiet +
        " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial"
        " -out server.pem -days 2" + quiet;
    ASSERT_EQ(std::system(make.c_str()), 0);
  }

  static Mnemod Start(const std::string& extra) {
    Result<Mnemod> started = StartMnemod(
        *dir_, {"-Z", "-o",
                "ssl_chain_cert=" + dir_->Path("server.pem") +
                    ",ssl_key=" + dir_->Path("server.key") + extra});
    EXPECT_TRUE(started.ok()) << started.error().message;
    return std::move(*started);
  }

  static client::TlsOptions Tls() {
    client::TlsOptions tls;
    tls.enabled = true;
    tls.ca_file = dir_->Path("ca.pem");
    return tls;
  }

  // Opens a TLS connection and exchanges a `version` (reading the reply also reads the session
  // tickets a TLS 1.3 server sends after the handshake).
  static std::unique_ptr<Connection> OpenAndAsk(const Mnemod& server) {
    client::ServerSpec spec;
    spec.host = "localhost";  // the name in the server's certificate
    spec.port = server.port;
    auto opened = Connection::Open(spec, kTimeout, Tls());
    EXPECT_TRUE(opened.ok()) << opened.error().message;
    if (!opened.ok()) return nullptr;
    Connection& connection = **opened;
    const std::string request = "version\r\n";
    EXPECT_EQ(connection.Send(request.data(), request.size()),
              static_cast<ssize_t>(request.size()));
    std::string reply;
    char buffer[256];
    while (reply.find("\r\n") == std::string::npos) {
      pollfd ready{connection.fd(), POLLIN, 0};
      if (::poll(&ready, 1, static_cast<int>(kTimeout.count())) != 1) break;
      const ssize_t n = connection.Receive(buffer, sizeof(buffer));
      if (n == 0 || (n < 0 && errno != EAGAIN)) break;
      if (n > 0) reply.append(buffer, static_cast<std::size_t>(n));
    }
    EXPECT_EQ(reply, "VERSION 1.6.18\r\n");
    return std::move(*opened);
  }

  static void TearDownTestSuite() { dir_.reset(); }

  static std::unique_ptr<ScratchDir> dir_;
};

std::unique_ptr<ScratchDir> TlsClientTest::dir_;

TEST_F(TlsClientTest, ConnectionsShareOneContextAndResumeSessions) {
  Mnemod caching = Start(",ssl_session_cache");
  Mnemod plain = Start("");
  const std::uint64_t built = TlsClientContext::built();
  std::vector<std::unique_ptr<Connection>> open;
  for (int i = 0; i < 5; ++i) open.push_back(OpenAndAsk(caching));
  auto context = TlsClientContext::For(Tls());
  ASSERT_TRUE(context.ok());
  EXPECT_EQ(TlsClientContext::built(), built + 1);  // five connections, one context
  // The first handshake is full; the next four resume the session it received.
  EXPECT_EQ((*context)->resumed(), 4u);
  // A server without a session cache (the default) sends no tickets: nothing to resume.
  for (int i = 0; i < 3; ++i) open.push_back(OpenAndAsk(plain));
  EXPECT_EQ((*context)->resumed(), 4u);
  EXPECT_EQ(TlsClientContext::built(), built + 1);
}

TEST_F(TlsClientTest, OneContextPerOptionsAndFreedWithTheLastConnection) {
  Mnemod server = Start("");
  const std::uint64_t built = TlsClientContext::built();
  {
    auto first = OpenAndAsk(server);
    auto second = OpenAndAsk(server);
    EXPECT_EQ(TlsClientContext::built(), built + 1);
  }
  auto third = OpenAndAsk(server);  // the others are gone: built again, from the files
  EXPECT_EQ(TlsClientContext::built(), built + 2);
  client::TlsOptions other = Tls();
  other.cert_file = dir_->Path("missing.pem");
  auto failed = TlsClientContext::For(other);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("missing.pem"), std::string::npos);
  EXPECT_EQ(TlsClientContext::built(), built + 2);  // a failure is not kept
}

TEST_F(TlsClientTest, ClientWithManyThreadsSharesOneContext) {
  Mnemod server = Start(",ssl_session_cache");
  client::Options options;
  client::ServerSpec spec;
  spec.host = "localhost";
  spec.port = server.port;
  options.servers = {spec};
  options.tls = Tls();
  auto made = client::Client::Create(options);
  ASSERT_TRUE(made.ok()) << made.error().message;
  client::Client& mc = **made;
  const std::uint64_t built = TlsClientContext::built();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const std::string key = "k" + std::to_string(t) + "_" + std::to_string(i);
        auto stored = mc.Set(key, key);
        auto got = mc.Get(key);
        if (!stored.ok() || !got.ok() || !got->has_value() || (*got)->value != key) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(TlsClientContext::built(), built + 1);
}

}  // namespace
}  // namespace mnemo::integration
