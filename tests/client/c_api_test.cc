// The C interface against memcached: statuses for every outcome, items owned by the caller,
// errors readable through mnemo_last_error(); and the C example program run end to end.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "mnemo/client.h"
#include "servers.h"

namespace {

using mnemo::testing::ServerKind;
using mnemo::testing::TestServer;

class CApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = TestServer::Start(ServerKind::kMemcached);
    ASSERT_TRUE(server.ok()) << server.error().message;
    server_ = std::move(server.value());
    address_ = server_.address();
    mnemo_options options{};
    options.servers = address_.c_str();
    options.protocol = "binary";
    ASSERT_EQ(mnemo_client_new(&options, &client_), MNEMO_OK) << mnemo_last_error();
  }
  void TearDown() override { mnemo_client_free(client_); }

  TestServer server_;
  std::string address_;
  mnemo_client* client_ = nullptr;
};

TEST_F(CApiTest, Operations) {
  const std::string value("bin\0ary", 7);
  ASSERT_EQ(mnemo_store(client_, MNEMO_SET, "k", 1, value.data(), value.size(), 9, 0, 0), MNEMO_OK);
  EXPECT_EQ(mnemo_store(client_, MNEMO_ADD, "k", 1, "x", 1, 0, 0, 0), MNEMO_NOT_STORED);
  mnemo_item* item = nullptr;
  ASSERT_EQ(mnemo_get_ex(client_, "k", 1, MNEMO_GET_CAS, 0, &item), MNEMO_OK);
  ASSERT_NE(item, nullptr);
  EXPECT_EQ(std::string(item->value, item->value_length), value);
  EXPECT_EQ(item->flags, 9u);
  const std::uint64_t cas = item->cas;
  mnemo_item_free(item);
  EXPECT_EQ(mnemo_store(client_, MNEMO_CAS, "k", 1, "y", 1, 0, 0, cas + 1), MNEMO_EXISTS);
  EXPECT_EQ(mnemo_store(client_, MNEMO_CAS, "k", 1, "y", 1, 0, 0, cas), MNEMO_OK);
  EXPECT_EQ(mnemo_get(client_, "nope", 4, &item), MNEMO_NOT_FOUND);
  EXPECT_EQ(item, nullptr);

  std::uint64_t n = 0;
  ASSERT_EQ(mnemo_store(client_, MNEMO_SET, "n", 1, "5", 1, 0, 0, 0), MNEMO_OK);
  EXPECT_EQ(mnemo_incr(client_, "n", 1, 10, &n), MNEMO_OK);
  EXPECT_EQ(n, 15u);
  EXPECT_EQ(mnemo_decr(client_, "n", 1, 1, &n), MNEMO_OK);
  EXPECT_EQ(n, 14u);
  EXPECT_EQ(mnemo_incr(client_, "k", 1, 1, &n), MNEMO_NON_NUMERIC);
  EXPECT_EQ(mnemo_incr(client_, "none", 4, 1, &n), MNEMO_NOT_FOUND);
  EXPECT_EQ(mnemo_touch(client_, "n", 1, 100), MNEMO_OK);
  EXPECT_EQ(mnemo_delete(client_, "n", 1), MNEMO_OK);
  EXPECT_EQ(mnemo_delete(client_, "n", 1), MNEMO_NOT_FOUND);

  const char* keys[] = {"k", "none"};
  const size_t lengths[] = {1, 4};
  std::vector<std::string> seen;
  auto collect = [](const mnemo_item* hit, void* context) {
    static_cast<std::vector<std::string>*>(context)->emplace_back(hit->key, hit->key_length);
  };
  EXPECT_EQ(mnemo_get_multi(client_, keys, lengths, 2, 0, collect, &seen), MNEMO_OK);
  EXPECT_EQ(seen, std::vector<std::string>{"k"});

  char version[64];
  EXPECT_EQ(mnemo_version(client_, version, sizeof(version)), MNEMO_OK);
  EXPECT_STRNE(version, "");
  int stats = 0;
  auto count = [](const char*, const char*, const char*, void* context) {
    ++*static_cast<int*>(context);
  };
  EXPECT_EQ(mnemo_stats(client_, nullptr, count, &stats), MNEMO_OK);
  EXPECT_GT(stats, 10);
  EXPECT_EQ(mnemo_flush_all(client_, -1), MNEMO_OK);
  EXPECT_EQ(mnemo_get(client_, "k", 1, &item), MNEMO_NOT_FOUND);
}

TEST_F(CApiTest, ErrorsAreStatusesWithMessages) {
  mnemo_item* item = nullptr;
  EXPECT_EQ(mnemo_get(client_, "", 0, &item), MNEMO_ERROR);
  EXPECT_STRNE(mnemo_last_error(), "");
  mnemo_options bad{};
  mnemo_client* other = nullptr;
  EXPECT_EQ(mnemo_client_new(&bad, &other), MNEMO_INVALID);
  bad.servers = "h:1";
  bad.hash = "sha1";
  EXPECT_EQ(mnemo_client_new(&bad, &other), MNEMO_INVALID);
  EXPECT_NE(std::string(mnemo_last_error()).find("sha1"), std::string::npos);
  EXPECT_EQ(other, nullptr);
  server_.Kill();
  EXPECT_EQ(mnemo_store(client_, MNEMO_SET, "k", 1, "v", 1, 0, 0, 0), MNEMO_ERROR);
  EXPECT_NE(std::string(mnemo_last_error()).find(address_), std::string::npos);
}

#ifdef MNEMO_C_CLIENT_BIN
TEST_F(CApiTest, TheCExampleRuns) {
  auto result =
      mnemo::testing::RunCommand({MNEMO_C_CLIENT_BIN}, "", {{"MEMCACHED_SERVERS", address_}});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("all good"), std::string::npos) << result.out;
}
#endif

#ifdef MNEMO_MNEMOD_BIN
// mnemod -Z on certificates made with the openssl CLI: the client over TLS works, and a CA file
// that cannot be read or a server whose certificate is not trusted are errors with messages.
class CApiTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/mnemo-ctls-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    ASSERT_EQ(std::system(("cd " + dir_ +
                           " && openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out"
                           " cert.pem -days 2 -subj /CN=localhost >/dev/null 2>&1")
                              .c_str()),
              0);
    auto server = mnemo::testing::StartServer([this](std::uint16_t port) {
      std::vector<std::string> argv = {MNEMO_MNEMOD_BIN, "-p", std::to_string(port), "-Z", "-o",
                                        "ssl_chain_cert=" + dir_ + "/cert.pem,ssl_key=" + dir_ +
                                            "/key.pem"};
      if (::geteuid() == 0) argv.insert(argv.end(), {"-u", "root"});
      return argv;
    });
    ASSERT_TRUE(server.ok()) << server.error().message;
    server_ = std::move(server.value());
    servers_ = "localhost:" + std::to_string(server_.port);
  }
  void TearDown() override {
    server_.process.Stop();
    std::filesystem::remove_all(dir_);
  }

  mnemo_status Store(const mnemo_tls_options* tls) {
    mnemo_options options{};
    options.servers = servers_.c_str();
    mnemo_client* client = nullptr;
    if (mnemo_client_new_tls(&options, tls, &client) != MNEMO_OK) return MNEMO_INVALID;
    const mnemo_status status = mnemo_store(client, MNEMO_SET, "k", 1, "v", 1, 0, 0, 0);
    mnemo_client_free(client);
    return status;
  }

  std::string dir_;
  std::string servers_;
  mnemo::testing::RunningServer server_;
};

TEST_F(CApiTlsTest, StoresOverTls) {
  const std::string ca = dir_ + "/cert.pem";
  mnemo_tls_options tls{};
  tls.ca_file = ca.c_str();
  EXPECT_EQ(Store(&tls), MNEMO_OK) << mnemo_last_error();
}

TEST_F(CApiTlsTest, FailuresAreErrorsWithMessages) {
  const std::string missing = dir_ + "/none.pem";
  mnemo_tls_options tls{};
  tls.ca_file = missing.c_str();
  EXPECT_EQ(Store(&tls), MNEMO_ERROR);
  EXPECT_NE(std::string(mnemo_last_error()).find("tls: " + missing), std::string::npos)
      << mnemo_last_error();
  mnemo_tls_options system_cas{};  // the self-signed certificate is not among them
  EXPECT_EQ(Store(&system_cas), MNEMO_ERROR);
  EXPECT_NE(std::string(mnemo_last_error()).find("tls: "), std::string::npos);
  EXPECT_EQ(Store(nullptr), MNEMO_ERROR);  // plain text to a TLS port
}
#endif

}  // namespace
