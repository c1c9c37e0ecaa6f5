// The C interface against memcached: statuses for every outcome, items owned by the caller,
// errors readable through mnemo_last_error(); and the C example program run end to end.
#include <gtest/gtest.h>

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

}  // namespace
