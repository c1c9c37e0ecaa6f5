// The C++ client against real memcached 1.6.18 and our map_server, over each protocol: every
// operation's answers, binary-safe values, multi-gets across three servers that land where the
// distribution says, and keys the text protocol cannot carry.
#include "mnemo/client/client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "servers.h"

namespace mnemo::client {
namespace {

using testing::ServerKind;
using testing::TestServer;

using Param = std::tuple<ServerKind, Protocol>;

std::string ParamName(const ::testing::TestParamInfo<Param>& info) {
  static const char* kProtocols[] = {"ascii", "meta", "binary"};
  return std::string(testing::ServerKindName(std::get<0>(info.param))) + "_" +
         kProtocols[static_cast<int>(std::get<1>(info.param))];
}

class ClientTest : public ::testing::TestWithParam<Param> {
 protected:
  void StartServers(int count, Distribution distribution = Distribution::kModula) {
    std::string list;
    for (int i = 0; i < count; ++i) {
      auto server = TestServer::Start(std::get<0>(GetParam()));
      ASSERT_TRUE(server.ok()) << server.error().message;
      list += (i ? "," : "") + server->address();
      servers_.push_back(std::move(server.value()));
    }
    client_ = MakeClient(list, distribution);
  }

  std::unique_ptr<Client> MakeClient(const std::string& list, Distribution distribution) {
    Options options;
    options.servers = ParseServerList(list).value();
    options.protocol = std::get<1>(GetParam());
    options.distribution = distribution;
    auto client = Client::Create(options);
    EXPECT_TRUE(client.ok());
    return client ? std::move(client.value()) : nullptr;
  }

  Protocol protocol() const { return std::get<1>(GetParam()); }

  std::vector<TestServer> servers_;
  std::unique_ptr<Client> client_;
};

TEST_P(ClientTest, StorageCommands) {
  StartServers(1);
  ASSERT_TRUE(client_);
  Client& c = *client_;
  EXPECT_EQ(c.Set("k", "v1", {7, 0}).value(), StoreStatus::kStored);
  auto item = c.Get("k").value();
  ASSERT_TRUE(item.has_value());
  EXPECT_EQ(item->value, "v1");
  EXPECT_EQ(item->flags, 7u);
  EXPECT_EQ(c.Store(StoreMode::kAdd, "k", "x").value(), StoreStatus::kNotStored);
  EXPECT_EQ(c.Store(StoreMode::kReplace, "nope", "x").value(), StoreStatus::kNotStored);
  EXPECT_EQ(c.Store(StoreMode::kAppend, "nope", "x").value(), StoreStatus::kNotStored);
  EXPECT_EQ(c.Store(StoreMode::kAppend, "k", ">").value(), StoreStatus::kStored);
  EXPECT_EQ(c.Store(StoreMode::kPrepend, "k", "<").value(), StoreStatus::kStored);
  EXPECT_EQ(c.Get("k").value()->value, "<v1>");
  EXPECT_EQ(c.Store(StoreMode::kReplace, "k", "v2").value(), StoreStatus::kStored);

  auto with_cas = c.Get("k", {.with_cas = true}).value();
  ASSERT_TRUE(with_cas.has_value());
  EXPECT_NE(with_cas->cas, 0u);
  EXPECT_EQ(c.Store(StoreMode::kCas, "k", "v3", {}, with_cas->cas + 1000).value(),
            StoreStatus::kExists);
  EXPECT_EQ(c.Store(StoreMode::kCas, "k", "v3", {}, with_cas->cas).value(), StoreStatus::kStored);
  EXPECT_EQ(c.Store(StoreMode::kCas, "gone", "v", {}, 1).value(), StoreStatus::kNotFound);
  EXPECT_EQ(c.Get("k").value()->value, "v3");

  EXPECT_EQ(c.Delete("k").value(), DeleteStatus::kDeleted);
  EXPECT_EQ(c.Delete("k").value(), DeleteStatus::kNotFound);
  EXPECT_FALSE(c.Get("k").value().has_value());
}

TEST_P(ClientTest, CountersTouchAndGat) {
  StartServers(1);
  ASSERT_TRUE(client_);
  Client& c = *client_;
  ASSERT_EQ(c.Set("n", "10").value(), StoreStatus::kStored);
  auto counter = c.Arithmetic(true, "n", 5).value();
  EXPECT_EQ(counter.status, ArithStatus::kOk);
  EXPECT_EQ(counter.value, 15u);
  EXPECT_EQ(c.Arithmetic(false, "n", 20).value().value, 0u);  // decr stops at 0
  EXPECT_EQ(c.Arithmetic(true, "missing", 1).value().status, ArithStatus::kNotFound);
  ASSERT_EQ(c.Set("s", "abc").value(), StoreStatus::kStored);
  EXPECT_EQ(c.Arithmetic(true, "s", 1).value().status, ArithStatus::kNonNumeric);

  EXPECT_EQ(c.Touch("s", 100).value(), TouchStatus::kTouched);
  EXPECT_EQ(c.Touch("missing", 100).value(), TouchStatus::kNotFound);
  auto gat = c.Get("s", {.with_cas = true, .touch = 200}).value();
  ASSERT_TRUE(gat.has_value());
  EXPECT_EQ(gat->value, "abc");
  EXPECT_NE(gat->cas, 0u);
  EXPECT_FALSE(c.Get("missing", {.touch = 10}).value().has_value());
}

TEST_P(ClientTest, BinarySafeAndLargeValues) {
  StartServers(1);
  ASSERT_TRUE(client_);
  std::string value("a\0b\r\nEND\r\nVALUE x 0 1\r\n", 24);
  for (int i = 0; i < 256; ++i) value += static_cast<char>(i);
  ASSERT_EQ(client_->Set("bin", value).value(), StoreStatus::kStored);
  EXPECT_EQ(client_->Get("bin").value()->value, value);

  std::string large(900 * 1024, 'x');
  for (std::size_t i = 0; i < large.size(); i += 97) large[i] = static_cast<char>(i);
  ASSERT_EQ(client_->Set("large", large).value(), StoreStatus::kStored);
  EXPECT_EQ(client_->Get("large").value()->value, large);
  EXPECT_EQ(client_->Set("huge", std::string(2 * 1024 * 1024, 'h')).value(),
            StoreStatus::kTooLarge);
}

TEST_P(ClientTest, KeysTheTextProtocolCannotCarry) {
  StartServers(1);
  ASSERT_TRUE(client_);
  const std::string key = "key with spaces\n";
  auto stored = client_->Set(key, "v");
  if (protocol() == Protocol::kAscii) {
    EXPECT_FALSE(stored.ok());
    return;
  }
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  EXPECT_EQ(stored.value(), StoreStatus::kStored);
  const std::string_view keys[] = {key, "other"};
  auto multi = client_->GetMulti(keys);
  ASSERT_EQ(multi.items.size(), 1u);
  EXPECT_EQ(multi.items[0].key, key);
  EXPECT_EQ(multi.items[0].value, "v");
}

TEST_P(ClientTest, MultiGetAcrossServersLandsWhereTheDistributionSays) {
  StartServers(3, Distribution::kKetama);
  ASSERT_TRUE(client_);
  std::vector<std::string> keys;
  for (int i = 0; i < 300; ++i) keys.push_back("key:" + std::to_string(i));
  for (const auto& k : keys) ASSERT_EQ(client_->Set(k, "v" + k).value(), StoreStatus::kStored);
  std::vector<std::string_view> views(keys.begin(), keys.end());
  views.push_back("absent");
  auto multi = client_->GetMulti(views, {.with_cas = true});
  EXPECT_TRUE(multi.errors.empty());
  ASSERT_EQ(multi.items.size(), keys.size());
  for (const Item& item : multi.items) EXPECT_EQ(item.value, "v" + item.key);

  // Each server alone holds exactly the keys the distribution gave it.
  for (std::size_t s = 0; s < servers_.size(); ++s) {
    auto alone = MakeClient(servers_[s].address(), Distribution::kModula);
    for (const auto& k : keys) {
      const bool here = client_->ServerFor(k) == s;
      EXPECT_EQ(alone->Get(k).value().has_value(), here) << k << " on server " << s;
    }
  }
}

TEST_P(ClientTest, AdminCommands) {
  StartServers(2);
  ASSERT_TRUE(client_);
  ASSERT_EQ(client_->Set("a", "1").value(), StoreStatus::kStored);
  auto versions = client_->Version();
  ASSERT_EQ(versions.size(), 2u);
  for (const auto& v : versions) {
    ASSERT_TRUE(v.result.ok()) << v.result.error().message;
    EXPECT_FALSE(v.result.value().empty());
  }
  auto stats = client_->GetStats();
  ASSERT_EQ(stats.size(), 2u);
  for (const auto& s : stats) {
    ASSERT_TRUE(s.result.ok()) << s.result.error().message;
    bool has_cmd_get = false;
    for (const auto& [name, value] : s.result.value())
      has_cmd_get = has_cmd_get || name == "cmd_get";
    EXPECT_TRUE(has_cmd_get) << s.server;
  }
  for (const auto& n : client_->Noop()) EXPECT_TRUE(n.result.ok()) << n.server;
  for (const auto& f : client_->FlushAll()) EXPECT_TRUE(f.result.ok()) << f.server;
  EXPECT_FALSE(client_->Get("a").value().has_value());
  if (protocol() != Protocol::kBinary) {  // memcached has no binary verbosity
    for (const auto& v : client_->Verbosity(0)) EXPECT_TRUE(v.result.ok()) << v.server;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Servers, ClientTest,
    ::testing::Combine(::testing::Values(ServerKind::kMemcached, ServerKind::kMapServer,
                                         ServerKind::kMnemod),
                       ::testing::Values(Protocol::kAscii, Protocol::kMeta, Protocol::kBinary)),
    ParamName);

TEST(ClientThreadsTest, ManyThreadsShareOneClient) {
  std::vector<TestServer> servers;
  std::string list;
  for (int i = 0; i < 2; ++i) {
    auto server = TestServer::Start(ServerKind::kMemcached);
    ASSERT_TRUE(server.ok()) << server.error().message;
    list += (i ? "," : "") + server->address();
    servers.push_back(std::move(server.value()));
  }
  Options options;
  options.servers = ParseServerList(list).value();
  options.pool_size = 2;  // fewer idle connections than threads: some are opened and closed
  auto client = Client::Create(options);
  ASSERT_TRUE(client.ok());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 150; ++i) {
        const std::string key = "t" + std::to_string(t) + ":" + std::to_string(i);
        auto stored = client.value()->Set(key, key);
        if (!stored.ok() || stored.value() != StoreStatus::kStored) ++failures;
        auto got = client.value()->Get(key);
        if (!got.ok() || !got.value() || got.value()->value != key) ++failures;
        const std::string_view keys[] = {key, "absent"};
        if (client.value()->GetMulti(keys).items.size() != 1) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(ClientOptionsTest, KeyHashDefaultsLikeLibmemcached) {
  Options options;
  options.servers = ParseServerList("127.0.0.1:1").value();
  options.distribution = Distribution::kKetamaWeighted;
  EXPECT_EQ(Client::Create(options).value()->options().hash, Hash::kMd5);
  options.distribution = Distribution::kKetama;
  EXPECT_EQ(Client::Create(options).value()->options().hash, Hash::kOneAtATime);
  options.hash = Hash::kFnv1a_64;
  EXPECT_EQ(Client::Create(options).value()->options().hash, Hash::kFnv1a_64);
}

TEST(ClientErrorsTest, UnreachableServerAndBadKeysAreErrors) {
  const std::uint16_t port = testing::FreeLoopbackPort();
  Options options;
  options.servers = ParseServerList("127.0.0.1:" + std::to_string(port)).value();
  auto client = Client::Create(options);
  ASSERT_TRUE(client.ok());
  auto got = client.value()->Get("k");
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.error().message.find("127.0.0.1:" + std::to_string(port)), std::string::npos)
      << got.error().message;
  EXPECT_FALSE(client.value()->Get("bad key").ok());
  EXPECT_FALSE(client.value()->Get(std::string(251, 'k')).ok());
  EXPECT_FALSE(Client::Create(Options{}).ok());
}

}  // namespace
}  // namespace mnemo::client
