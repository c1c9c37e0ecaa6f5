// mnemod behind twemproxy (Debian's nutcracker 0.5.0): three mnemod on free ports, nutcracker
// in front with `distribution: ketama` and auto-eject, started from a generated config.
// - keys land where the twemproxy vectors (tests/data/twemproxy_ketama_md5_named.tsv) say, and
//   where mnemo_client, pylibmc and mclient put them with the matching settings;
// - every command twemproxy forwards behaves as on mnemod itself; the ones it refuses close the
//   connection and never reach a server;
// - a killed mnemod is ejected after the failure limit, its keys go to the others and no other
//   key moves; restarted, it gets its keys back once the retry interval has passed.
// Each test starts its own cluster; every wait is bounded.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "mnemo/client/client.h"
#include "tcp_client.h"
#include "twemproxy_cluster.h"

namespace mnemo::scale {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using testing::ReadEnd;
using testing::TcpClient;

constexpr char kNamedVectors[] = MNEMO_TEST_DATA_DIR "/twemproxy_ketama_md5_named.tsv";

// A vector file: the keys in order and the index of the server each landed on.
struct Vectors {
  std::vector<std::string> keys;
  std::vector<int> owner;
};

Vectors LoadVectors(const std::string& path) {
  Vectors vectors;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t tab = line.find('\t');
    const std::size_t tab2 = line.find('\t', tab + 1);
    if (tab == std::string::npos || tab2 == std::string::npos) continue;
    vectors.keys.push_back(line.substr(0, tab));
    vectors.owner.push_back(std::stoi(line.substr(tab + 1, tab2 - tab - 1)));
  }
  return vectors;
}

std::vector<int> CountPerServer(const std::vector<int>& owner, int servers) {
  std::vector<int> counts(servers, 0);
  for (int index : owner) {
    if (index >= 0 && index < servers) ++counts[index];
  }
  return counts;
}

// Compares where keys are with where they should be; reports the first few differences.
void ExpectPlacement(const std::vector<std::string>& keys, const std::vector<int>& actual,
                     const std::vector<int>& expected, std::string_view what) {
  ASSERT_EQ(actual.size(), expected.size());
  int wrong = 0;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (actual[i] == expected[i]) continue;
    if (++wrong <= 5) {
      ADD_FAILURE() << what << ": key '" << keys[i] << "' is on server " << actual[i]
                    << " (-1 none, -2 several), expected " << expected[i];
    }
  }
  EXPECT_EQ(wrong, 0) << what << ": keys on the wrong server, of " << keys.size();
}

bool IsErrorLine(std::string_view reply) {
  return reply.starts_with("SERVER_ERROR") || reply.starts_with("CLIENT_ERROR") ||
         reply.starts_with("ERROR");
}

// One complete reply: retrieval replies end with END (or are an error line), others are a line.
bool ReplyComplete(std::string_view reply, bool retrieval) {
  if (reply.find("\r\n") == std::string_view::npos) return false;
  return !retrieval || IsErrorLine(reply) || reply.ends_with("END\r\n");
}

// A raw ASCII conversation with the proxy on one connection, reconnecting when the proxy has
// closed it (as it does after some server errors).
class Conversation {
 public:
  explicit Conversation(std::uint16_t port) : port_(port) {}

  // Sends `request` and returns one complete reply ("" when the connection closed first, or
  // "<timeout>").
  std::string Ask(std::string_view request, bool retrieval = false) {
    return Exchange(request,
                    [retrieval](std::string_view r) { return ReplyComplete(r, retrieval); });
  }
  // Sends `request` (any number of commands) and reads `expected_size` bytes of replies.
  std::string AskBytes(std::string_view request, std::size_t expected_size) {
    return Exchange(request,
                    [expected_size](std::string_view r) { return r.size() >= expected_size; });
  }

 private:
  template <class Done>
  std::string Exchange(std::string_view request, Done done) {
    if (!connection_.connected()) {
      auto connected = TcpClient::Connect(port_);
      if (!connected) return "<connect failed: " + connected.error().message + ">";
      connection_ = std::move(connected).value();
    }
    if (!connection_.Send(request)) {
      connection_.Close();
      return "<send failed>";
    }
    std::string reply;
    const ReadEnd end = connection_.ReadUntil(&reply, done, milliseconds(5000));
    if (end == ReadEnd::kClosed) connection_.Close();
    if (end == ReadEnd::kTimeout) return reply + "<timeout>";
    return reply;
  }

  std::uint16_t port_;
  TcpClient connection_;
};

// "VALUE key flags bytes [cas]" header fields of a gets reply, by key.
struct ValueLine {
  std::string key;
  std::uint32_t flags = 0;
  std::uint64_t cas = 0;
  std::string data;
};

std::vector<ValueLine> ParseValues(std::string_view reply) {
  std::vector<ValueLine> values;
  while (reply.starts_with("VALUE ")) {
    const std::size_t eol = reply.find("\r\n");
    std::istringstream header(std::string(reply.substr(6, eol - 6)));
    ValueLine value;
    std::size_t bytes = 0;
    header >> value.key >> value.flags >> bytes >> value.cas;
    value.data = std::string(reply.substr(eol + 2, bytes));
    values.push_back(value);
    reply.remove_prefix(eol + 2 + bytes + 2);
  }
  return values;
}

// Polls `condition` every 20 ms until it holds or `timeout` passes.
template <class Condition>
bool Eventually(Condition condition, milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(20));
  }
}

class TwemproxyTest : public ::testing::Test {
 protected:
  void Start(std::vector<PoolSpec> pools, const EjectPolicy& policy = {}) {
    auto started = Cluster::Start(3, std::move(pools), policy);
    ASSERT_TRUE(started.ok()) << started.error().message;
    cluster_ = std::move(started).value();
  }

  void TearDown() override {
    if (HasFailure() && cluster_) {
      std::cerr << "--- nutcracker config:\n"
                << cluster_->config() << "--- nutcracker output:\n"
                << cluster_->ProxyLog() << "---\n";
    }
  }

  // Sets every key to "value-of:<key>" through the pool's proxy.
  void SetThroughProxy(std::string_view pool, const std::vector<std::string>& keys,
                       std::string_view prefix = "value-of:") {
    auto proxy = cluster_->ProxyClient(pool);
    ASSERT_TRUE(proxy);
    for (const std::string& key : keys) {
      auto stored = proxy->Set(key, std::string(prefix) + key);
      ASSERT_TRUE(stored.ok()) << key << ": " << stored.error().message;
      ASSERT_EQ(stored.value(), StoreStatus::kStored) << key;
    }
  }

  // Multi-gets all keys through the proxy (100 per request) and checks every value, in order.
  void ExpectAllThroughProxy(std::string_view pool, const std::vector<std::string>& keys,
                             std::string_view prefix = "value-of:") {
    auto proxy = cluster_->ProxyClient(pool);
    ASSERT_TRUE(proxy);
    for (std::size_t begin = 0; begin < keys.size(); begin += 100) {
      std::vector<std::string_view> batch(keys.begin() + begin,
                                          keys.begin() + std::min(keys.size(), begin + 100));
      client::MultiGetResult got = proxy->GetMulti(batch);
      ASSERT_TRUE(got.errors.empty()) << got.errors.front().message;
      ASSERT_EQ(got.items.size(), batch.size()) << "from key " << batch.front();
      for (std::size_t i = 0; i < batch.size(); ++i) {
        EXPECT_EQ(got.items[i].key, batch[i]);
        EXPECT_EQ(got.items[i].value, std::string(prefix) + std::string(batch[i]));
      }
    }
  }

  // Where mnemo_client with the same server strings and hash puts each key.
  std::vector<int> Predicted(std::string_view pool, const std::vector<std::string>& keys,
                             const std::vector<int>& only = {}) {
    auto predicting = cluster_->PredictingClient(pool, only);
    std::vector<int> owner;
    for (const std::string& key : keys) {
      const std::optional<std::size_t> index =
          predicting ? predicting->ServerFor(key) : std::nullopt;
      int server = index ? static_cast<int>(*index) : -1;
      if (server >= 0 && !only.empty()) server = only[server];
      owner.push_back(server);
    }
    return owner;
  }

  std::unique_ptr<Cluster> cluster_;
};

TEST_F(TwemproxyTest, KeysLandWhereTheTwemproxyVectorsSay) {
  ASSERT_NO_FATAL_FAILURE(Start({PoolSpec{.name = "named"}}));
  const Vectors vectors = LoadVectors(kNamedVectors);
  ASSERT_EQ(vectors.keys.size(), 1000u) << kNamedVectors;

  // The vectors were made on ports 24001-24003; with named servers the ring hashes "serverN-i",
  // so our client predicts them on this cluster's random ports too.
  ExpectPlacement(vectors.keys, Predicted("named", vectors.keys), vectors.owner,
                  "mnemo_client ketama_weighted md5 vs vectors");

  ASSERT_NO_FATAL_FAILURE(SetThroughProxy("named", vectors.keys));
  auto placement = cluster_->Placement(vectors.keys);
  ASSERT_TRUE(placement.ok()) << placement.error().message;
  ExpectPlacement(vectors.keys, *placement, vectors.owner, "nutcracker vs vectors");
  EXPECT_EQ(CountPerServer(*placement, 3), (std::vector<int>{317, 359, 324}));

  // Multi-key gets are split by server and merged back in the order asked.
  ExpectAllThroughProxy("named", vectors.keys);
}

TEST_F(TwemproxyTest, WeightedUnnamedAndFnvRingsAgreeWithMnemoClient) {
  ASSERT_NO_FATAL_FAILURE(Start({
      PoolSpec{.name = "weighted", .hash = "md5", .weights = {1, 2, 3}, .named = true},
      PoolSpec{.name = "plain", .hash = "md5", .weights = {}, .named = false},
      PoolSpec{.name = "fnv", .hash = "fnv1a_64", .weights = {}, .named = false},
  }));
  const Vectors vectors = LoadVectors(kNamedVectors);
  ASSERT_FALSE(vectors.keys.empty());
  for (const std::string pool : {"weighted", "plain", "fnv"}) {
    SCOPED_TRACE(pool);
    std::vector<std::string> keys;
    for (const std::string& key : vectors.keys) keys.push_back(pool + "/" + key);
    ASSERT_NO_FATAL_FAILURE(SetThroughProxy(pool, keys));
    auto placement = cluster_->Placement(keys);
    ASSERT_TRUE(placement.ok()) << placement.error().message;
    const std::vector<int> predicted = Predicted(pool, keys);
    ExpectPlacement(keys, *placement, predicted, pool + ": nutcracker vs mnemo_client");
    const std::vector<int> counts = CountPerServer(*placement, 3);
    EXPECT_EQ(counts[0] + counts[1] + counts[2], 1000);
    if (pool == "weighted") {  // 80/160/240 points
      EXPECT_LT(counts[0], counts[1]);
      EXPECT_LT(counts[1], counts[2]);
    }
  }
}

// libmemcached (through pylibmc) with KETAMA_WEIGHTED + md5 on plain "host:port" servers puts
// keys where a nutcracker pool with unnamed servers and `hash: md5` looks for them.
TEST_F(TwemproxyTest, LibmemcachedKetamaWeightedAgreesWithTwemproxy) {
  ASSERT_NO_FATAL_FAILURE(Start({PoolSpec{.name = "plain", .named = false}}));
  const Vectors vectors = LoadVectors(kNamedVectors);
  std::vector<std::string> keys;
  for (const std::string& key : vectors.keys) keys.push_back("pylibmc/" + key);
  std::string servers;
  for (int i = 0; i < cluster_->size(); ++i) {
    servers +=
        (i ? "," : "") + std::string("127.0.0.1:") + std::to_string(cluster_->server_port(i));
  }
  std::vector<std::string> argv = {
      "/usr/bin/python3", "-c",
      "import os, sys, pylibmc\n"
      "c = pylibmc.Client(sys.argv[1].split(','),\n"
      "                   behaviors={'ketama_weighted': True, 'hash': 'md5'})\n"
      "for k in sys.argv[2:]:\n"
      "    k = os.fsencode(k)\n"
      "    if not c.set(k, b'pylibmc:' + k):\n"
      "        sys.exit('not stored: %r' % k)\n",
      servers};
  argv.insert(argv.end(), keys.begin(), keys.end());
  const Cluster::CommandOutput run = cluster_->Run(argv, milliseconds(20000));
  ASSERT_EQ(run.exit_code, 0) << run.output;

  ExpectAllThroughProxy("plain", keys, "pylibmc:");
  auto placement = cluster_->Placement(keys);
  ASSERT_TRUE(placement.ok()) << placement.error().message;
  ExpectPlacement(keys, *placement, Predicted("plain", keys), "pylibmc vs mnemo_client");
}

// The worked example of docs/scale-out.md: mclient sharding by itself with the server names
// and hash of the nutcracker pool agrees with mclient going through the proxy, both ways.
TEST_F(TwemproxyTest, MclientWithTheSameNamesAgreesWithTwemproxy) {
  ASSERT_NO_FATAL_FAILURE(Start({PoolSpec{.name = "named"}}));
  const std::string sharded = cluster_->ServerList("named");
  const std::string proxy = "127.0.0.1:" + std::to_string(cluster_->proxy_port("named"));
  const std::vector<std::string> keys = {"key:0",          "key:1",     "key:2", "key:3",
                                         "key:4",          "key:5",     "clé-0", "ключ-1",
                                         "user:1:profile", "session:42"};
  std::vector<int> landed;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const bool through_proxy = i % 2 == 1;
    const std::string value = "mclient-" + std::to_string(i);
    const std::vector<std::string> set_via =
        through_proxy ? std::vector<std::string>{MNEMO_MCLIENT_BIN, "-s", proxy}
                      : std::vector<std::string>{MNEMO_MCLIENT_BIN, "-s",     sharded, "-d",
                                                 "ketama_weighted", "--hash", "md5"};
    const std::vector<std::string> get_via =
        through_proxy ? std::vector<std::string>{MNEMO_MCLIENT_BIN, "-s",     sharded, "-d",
                                                 "ketama_weighted", "--hash", "md5"}
                      : std::vector<std::string>{MNEMO_MCLIENT_BIN, "-s", proxy};
    std::vector<std::string> set = set_via;
    set.insert(set.end(), {"set", keys[i], value});
    std::vector<std::string> get = get_via;
    get.insert(get.end(), {"get", keys[i]});
    const Cluster::CommandOutput stored = cluster_->Run(set);
    ASSERT_EQ(stored.exit_code, 0) << keys[i] << ": " << stored.output;
    const Cluster::CommandOutput got = cluster_->Run(get);
    EXPECT_EQ(got.exit_code, 0) << keys[i] << ": " << got.output;
    EXPECT_EQ(got.output, value) << keys[i];
  }
  auto placement = cluster_->Placement(keys);
  ASSERT_TRUE(placement.ok()) << placement.error().message;
  ExpectPlacement(keys, *placement, Predicted("named", keys), "mclient/nutcracker");
}

TEST_F(TwemproxyTest, ForwardedCommandsBehaveAsOnMnemod) {
  ASSERT_NO_FATAL_FAILURE(Start({PoolSpec{.name = "named"}}));
  const Vectors vectors = LoadVectors(kNamedVectors);
  // One key owned by each server.
  std::vector<std::string> k(3);
  for (std::size_t i = 0; i < vectors.keys.size(); ++i) {
    if (k[vectors.owner[i]].empty()) k[vectors.owner[i]] = vectors.keys[i];
  }
  Conversation proxy(cluster_->proxy_port("named"));

  // set with flags: stored on the owner, flags and value intact.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(proxy.Ask("set " + k[i] + " 4" + std::to_string(i) + " 0 2\r\nv" + std::to_string(i) +
                        "\r\n"),
              "STORED\r\n");
    auto direct = cluster_->DirectClient(i)->Get(k[i]);
    ASSERT_TRUE(direct.ok()) << direct.error().message;
    ASSERT_TRUE(direct->has_value()) << k[i] << " not on server " << i;
    EXPECT_EQ((*direct)->value, "v" + std::to_string(i));
    EXPECT_EQ((*direct)->flags, 40u + i);
  }

  // get with keys on every server, a miss and a repeat: answered in the order asked.
  EXPECT_EQ(
      proxy.Ask("get " + k[2] + " missing:key " + k[0] + " " + k[1] + " " + k[2] + "\r\n", true),
      "VALUE " + k[2] + " 42 2\r\nv2\r\nVALUE " + k[0] + " 40 2\r\nv0\r\nVALUE " + k[1] +
          " 41 2\r\nv1\r\nVALUE " + k[2] + " 42 2\r\nv2\r\nEND\r\n");
  EXPECT_EQ(proxy.Ask("get missing:key\r\n", true), "END\r\n");

  // gets: the CAS uniques are those of the owning servers.
  const std::vector<ValueLine> gets =
      ParseValues(proxy.Ask("gets " + k[0] + " " + k[1] + " " + k[2] + "\r\n", true));
  ASSERT_EQ(gets.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(gets[i].key, k[i]);
    auto direct = cluster_->DirectClient(i)->Get(k[i], {.with_cas = true});
    ASSERT_TRUE(direct.ok() && direct->has_value());
    EXPECT_EQ(gets[i].cas, (*direct)->cas) << k[i];
    EXPECT_NE(gets[i].cas, 0u);
  }

  // cas: stale, current, missing.
  const std::string cas0 = std::to_string(gets[0].cas);
  EXPECT_EQ(
      proxy.Ask("cas " + k[0] + " 0 0 3 " + std::to_string(gets[0].cas + 1000) + "\r\nnew\r\n"),
      "EXISTS\r\n");
  EXPECT_EQ(proxy.Ask("cas " + k[0] + " 7 0 3 " + cas0 + "\r\nnew\r\n"), "STORED\r\n");
  EXPECT_EQ(proxy.Ask("cas missing:key 0 0 1 1\r\nx\r\n"), "NOT_FOUND\r\n");
  EXPECT_EQ(proxy.Ask("get " + k[0] + "\r\n", true), "VALUE " + k[0] + " 7 3\r\nnew\r\nEND\r\n");

  // add / replace / append / prepend.
  EXPECT_EQ(proxy.Ask("add " + k[1] + " 0 0 1\r\nx\r\n"), "NOT_STORED\r\n");
  EXPECT_EQ(proxy.Ask("add added:key 0 0 1\r\nx\r\n"), "STORED\r\n");
  EXPECT_EQ(proxy.Ask("replace missing:key 0 0 1\r\nx\r\n"), "NOT_STORED\r\n");
  EXPECT_EQ(proxy.Ask("replace " + k[1] + " 5 0 2\r\nr1\r\n"), "STORED\r\n");
  EXPECT_EQ(proxy.Ask("append " + k[1] + " 0 0 2\r\n+a\r\n"), "STORED\r\n");
  EXPECT_EQ(proxy.Ask("prepend " + k[1] + " 0 0 2\r\np+\r\n"), "STORED\r\n");
  EXPECT_EQ(proxy.Ask("append missing:key 0 0 1\r\nx\r\n"), "NOT_STORED\r\n");
  EXPECT_EQ(proxy.Ask("get " + k[1] + " added:key\r\n", true),
            "VALUE " + k[1] + " 5 6\r\np+r1+a\r\nVALUE added:key 0 1\r\nx\r\nEND\r\n");

  // incr / decr.
  EXPECT_EQ(proxy.Ask("set counter 0 0 2\r\n10\r\n"), "STORED\r\n");
  EXPECT_EQ(proxy.Ask("incr counter 5\r\n"), "15\r\n");
  EXPECT_EQ(proxy.Ask("decr counter 20\r\n"), "0\r\n");
  EXPECT_EQ(proxy.Ask("incr counter 18446744073709551615\r\n"), "18446744073709551615\r\n");
  EXPECT_EQ(proxy.Ask("incr counter 1\r\n"), "0\r\n");  // wraps
  EXPECT_EQ(proxy.Ask("incr missing:key 1\r\n"), "NOT_FOUND\r\n");
  EXPECT_EQ(proxy.Ask("decr missing:key 1\r\n"), "NOT_FOUND\r\n");
  EXPECT_EQ(proxy.Ask("incr " + k[1] + " 1\r\n"),
            "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n");

  // touch / delete.
  EXPECT_EQ(proxy.Ask("touch " + k[2] + " 100\r\n"), "TOUCHED\r\n");
  EXPECT_EQ(proxy.Ask("touch missing:key 100\r\n"), "NOT_FOUND\r\n");
  EXPECT_EQ(proxy.Ask("delete " + k[2] + "\r\n"), "DELETED\r\n");
  EXPECT_EQ(proxy.Ask("delete " + k[2] + "\r\n"), "NOT_FOUND\r\n");
  EXPECT_EQ(proxy.Ask("get " + k[2] + "\r\n", true), "END\r\n");
  auto deleted = cluster_->DirectClient(2)->Get(k[2]);
  ASSERT_TRUE(deleted.ok());
  EXPECT_FALSE(deleted->has_value());
  // Expired through the proxy: touch with a past time.
  EXPECT_EQ(proxy.Ask("touch " + k[1] + " -1\r\n"), "TOUCHED\r\n");
  EXPECT_EQ(proxy.Ask("get " + k[1] + "\r\n", true), "END\r\n");

  // noreply on every storage, arithmetic, touch and delete command: only the gets answer.
  EXPECT_EQ(proxy.Ask("set nr 0 0 1 noreply\r\n5\r\nappend nr 0 0 1 noreply\r\n0\r\n"
                      "prepend nr 0 0 1 noreply\r\n1\r\nincr nr 5 noreply\r\n"
                      "decr nr 10 noreply\r\ntouch nr 100 noreply\r\n"
                      "add nr 0 0 1 noreply\r\nx\r\nget nr\r\n",
                      true),
            "VALUE nr 0 3\r\n145\r\nEND\r\n");
  const std::vector<ValueLine> nr =
      ParseValues(proxy.Ask("replace nr 3 0 2 noreply\r\nab\r\ngets nr\r\n", true));
  ASSERT_EQ(nr.size(), 1u);
  EXPECT_EQ(nr[0].flags, 3u);
  EXPECT_EQ(nr[0].data, "ab");
  EXPECT_EQ(
      proxy.Ask("cas nr 0 0 2 " + std::to_string(nr[0].cas) + " noreply\r\ncd\r\nget nr\r\n", true),
      "VALUE nr 0 2\r\ncd\r\nEND\r\n");
  EXPECT_EQ(proxy.Ask("delete nr noreply\r\nget nr\r\n", true), "END\r\n");

  // version is forwarded to a server.
  EXPECT_TRUE(proxy.Ask("version\r\n").starts_with("VERSION ")) << "version";

  // Pipelined: 60 requests in one write, over all three servers, answered in order.
  std::string batch;
  std::string expected;
  for (int i = 0; i < 20; ++i) {
    const std::string key = vectors.keys[100 + i];
    batch += "set " + key + " 0 0 3\r\np" + std::to_string(10 + i) + "\r\nget " + key +
             "\r\ndelete " + key + "\r\n";
    expected +=
        "STORED\r\nVALUE " + key + " 0 3\r\np" + std::to_string(10 + i) + "\r\nEND\r\nDELETED\r\n";
  }
  EXPECT_EQ(proxy.AskBytes(batch, expected.size()), expected);

  // A value much larger than nutcracker's 16 KiB buffers.
  std::string large(300 * 1024, 'L');
  for (std::size_t i = 0; i < large.size(); i += 997) large[i] = static_cast<char>('a' + i % 26);
  EXPECT_EQ(
      proxy.Ask("set large:key 0 0 " + std::to_string(large.size()) + "\r\n" + large + "\r\n"),
      "STORED\r\n");
  const std::vector<ValueLine> got_large = ParseValues(proxy.Ask("get large:key\r\n", true));
  ASSERT_EQ(got_large.size(), 1u);
  EXPECT_TRUE(got_large[0].data == large) << "large value differs";

  // quit closes the connection.
  auto connection = TcpClient::Connect(cluster_->proxy_port("named"));
  ASSERT_TRUE(connection.ok());
  ASSERT_TRUE(connection->Send("quit\r\n").ok());
  std::string after_quit;
  EXPECT_EQ(connection->ReadUntilEof(&after_quit, milliseconds(3000)), ReadEnd::kClosed);
  EXPECT_EQ(after_quit, "");
}

TEST_F(TwemproxyTest, CommandsTwemproxyDoesNotForwardCloseTheConnection) {
  ASSERT_NO_FATAL_FAILURE(Start({PoolSpec{.name = "named"}}));
  auto proxy = cluster_->ProxyClient("named");
  ASSERT_TRUE(proxy);
  ASSERT_EQ(proxy->Set("kept", "original").value(), StoreStatus::kStored);

  std::string binary_get(24, '\0');  // binary protocol GET "kept"
  binary_get[0] = '\x80';
  binary_get[3] = 4;   // key length
  binary_get[11] = 4;  // total body length
  binary_get += "kept";
  const std::vector<std::string> refused = {
      "mg kept v\r\n",
      "ms kept 1\r\nX\r\n",
      "md kept\r\n",
      "ma kept\r\n",
      "mn\r\n",
      "me kept\r\n",
      binary_get,
      "gat 0 kept\r\n",
      "gats 0 kept\r\n",
      "stats\r\n",
      "stats items\r\n",
      "flush_all\r\n",
      "flush_all 0\r\n",
      "verbosity 1\r\n",
      "shutdown\r\n",
      "cache_memlimit 64\r\n",
      "lru_crawler metadump all\r\n",
      "watch\r\n",
      "slabs automove 0\r\n",
      "delete kept 0\r\n",
      "get\r\n",
      "get " + std::string(251, 'k') + "\r\n",
  };
  for (const std::string& request : refused) {
    const std::string shown = request.substr(0, std::min<std::size_t>(request.find('\r'), 30));
    auto connection = TcpClient::Connect(cluster_->proxy_port("named"));
    ASSERT_TRUE(connection.ok());
    ASSERT_TRUE(connection->Send(request).ok()) << shown;
    std::string reply;
    EXPECT_EQ(connection->ReadUntilEof(&reply, milliseconds(3000)), ReadEnd::kClosed) << shown;
    EXPECT_EQ(reply, "") << shown;
  }

  // Nothing reached a server: no flush, no meta set, no shutdown.
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(cluster_->ServerRunning(i)) << "mnemod " << i + 1;
  EXPECT_TRUE(cluster_->ProxyRunning());
  auto kept = proxy->Get("kept");
  ASSERT_TRUE(kept.ok()) << kept.error().message;
  ASSERT_TRUE(kept->has_value());
  EXPECT_EQ((*kept)->value, "original");
}

// server_failure_limit 2, server_retry_timeout 1.5 s, mnemod 2 killed:
// - ejected: its keys fail (SERVER_ERROR) at most twice, then go to the survivors, where a
//   client that knows only the survivors puts them; no other key moves;
// - still dead when the retry interval has passed: it is put back, exactly two requests fail,
//   and it is ejected again;
// - restarted: it gets its keys back once the retry interval since that ejection has passed,
//   not before, and the ring is the one of the vectors again.
TEST_F(TwemproxyTest, KilledServerIsEjectedAndComesBackAfterTheRetryInterval) {
  EjectPolicy policy;
  policy.failure_limit = 2;
  policy.retry = milliseconds(1500);
  policy.timeout = milliseconds(1000);
  ASSERT_NO_FATAL_FAILURE(Start({PoolSpec{.name = "named"}}, policy));
  const milliseconds slack(50);  // nutcracker's clock vs ours
  const Vectors all = LoadVectors(kNamedVectors);
  const std::vector<std::string> keys(all.keys.begin(), all.keys.begin() + 300);
  const std::vector<int> owner(all.owner.begin(), all.owner.begin() + 300);
  constexpr int kVictim = 1;
  std::vector<std::string> victim_keys;
  std::vector<std::string> other_keys;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    (owner[i] == kVictim ? victim_keys : other_keys).push_back(keys[i]);
  }
  ASSERT_GT(victim_keys.size(), 50u);
  ASSERT_NO_FATAL_FAILURE(SetThroughProxy("named", keys));
  auto before = cluster_->Placement(keys);
  ASSERT_TRUE(before.ok());
  ExpectPlacement(keys, *before, owner, "before the kill");
  auto set_request = [](const std::string& key, const std::string& value) {
    return "set " + key + " 0 0 " + std::to_string(value.size()) + "\r\n" + value + "\r\n";
  };

  // Kill: the first requests for its keys fail, at most `failure_limit` of them.
  const Clock::time_point killed_at = Clock::now();
  cluster_->KillServer(kVictim);
  Conversation proxy(cluster_->proxy_port("named"));
  const std::string probe = victim_keys.front();
  int failures = 0;
  std::string reply;
  const bool moved = Eventually(
      [&] {
        reply = proxy.Ask(set_request(probe, "moved:" + probe));
        if (reply == "STORED\r\n") return true;
        EXPECT_TRUE(reply.starts_with("SERVER_ERROR ")) << reply;
        ++failures;
        return false;
      },
      milliseconds(3000));
  ASSERT_TRUE(moved) << "still failing after 3 s: " << reply;
  const Clock::time_point ejected_by = Clock::now();
  EXPECT_LE(failures, static_cast<int>(policy.failure_limit));
  EXPECT_TRUE(Eventually([&] { return cluster_->PoolStat("named", "server_ejects") >= 1; },
                         milliseconds(2000)))
      << "nutcracker stats show no ejection";

  // While it is ejected (well inside the retry interval): the victim's keys are misses, then
  // stored where a ring of the two survivors puts them; every other key is where it was.
  const std::vector<int> survivors_ring = Predicted("named", victim_keys, {0, 2});
  std::string victim_get = "get";
  for (std::size_t i = 1; i < victim_keys.size(); ++i) victim_get += " " + victim_keys[i];
  EXPECT_EQ(proxy.Ask(victim_get + "\r\n", true), "END\r\n");
  for (std::size_t i = 1; i < victim_keys.size(); ++i) {
    ASSERT_EQ(proxy.Ask(set_request(victim_keys[i], "moved:" + victim_keys[i])), "STORED\r\n")
        << victim_keys[i];
  }
  ExpectAllThroughProxy("named", other_keys);
  ExpectAllThroughProxy("named", victim_keys, "moved:");
  auto moved_to = cluster_->Placement(victim_keys);
  ASSERT_TRUE(moved_to.ok()) << moved_to.error().message;
  ExpectPlacement(victim_keys, *moved_to, survivors_ring, "victim keys while ejected");
  ASSERT_LT(Clock::now() - killed_at, policy.retry - milliseconds(200))
      << "too slow: the checks above may have overlapped a retry";

  // Still dead at the retry: exactly `failure_limit` requests fail, then it is ejected again
  // and the survivors answer. The requests are multi-key gets over the victim and a survivor:
  // a failure answers the whole request with one SERVER_ERROR and closes the connection.
  const std::string& other = other_keys.front();
  const std::string served = "VALUE " + probe + " 0 " + std::to_string(6 + probe.size()) +
                             "\r\nmoved:" + probe + "\r\nVALUE " + other + " 0 " +
                             std::to_string(9 + other.size()) + "\r\nvalue-of:" + other +
                             "\r\nEND\r\n";
  int retry_failures = 0;
  Clock::time_point first_retry_failure;
  Clock::time_point last_failure_sent;
  const bool ejected_again = Eventually(
      [&] {
        auto connection = TcpClient::Connect(cluster_->proxy_port("named"));
        EXPECT_TRUE(connection.ok());
        if (!connection.ok()) return false;
        const Clock::time_point sent = Clock::now();
        EXPECT_TRUE(connection->Send("get " + probe + " " + other + "\r\n").ok());
        reply.clear();
        connection->ReadUntil(
            &reply, [](std::string_view r) { return ReplyComplete(r, true); }, milliseconds(3000));
        if (reply.starts_with("SERVER_ERROR ")) {
          EXPECT_EQ(reply.find("\r\n"), reply.size() - 2) << reply;
          std::string rest;
          EXPECT_EQ(connection->ReadUntilEof(&rest, milliseconds(2000)), ReadEnd::kClosed);
          if (retry_failures++ == 0) first_retry_failure = sent;
          last_failure_sent = sent;
          return false;
        }
        EXPECT_EQ(reply, served);
        return retry_failures > 0;
      },
      policy.retry + milliseconds(2000));
  ASSERT_TRUE(ejected_again) << "no retry seen, or not ejected again: " << reply;
  EXPECT_EQ(retry_failures, static_cast<int>(policy.failure_limit));
  EXPECT_GE(first_retry_failure - killed_at, policy.retry - slack) << "retried too early";
  EXPECT_LE(first_retry_failure - ejected_by, policy.retry + milliseconds(500))
      << "retried too late";

  // Restart on the same port: back once the interval since the last ejection has passed.
  ASSERT_TRUE(cluster_->RestartServer(kVictim).ok());
  const Clock::time_point restarted_at = Clock::now();
  auto victim_direct = cluster_->DirectClient(kVictim);
  int round = 0;
  Clock::time_point back_at;
  const bool back = Eventually(
      [&] {
        const std::string value = "back" + std::to_string(++round);
        reply = proxy.Ask(set_request(probe, value));
        if (reply != "STORED\r\n") return false;
        auto on_victim = victim_direct->Get(probe);
        back_at = Clock::now();
        return on_victim.ok() && on_victim->has_value() && (*on_victim)->value == value;
      },
      policy.retry + milliseconds(2000));
  ASSERT_TRUE(back) << "not back " << (policy.retry + milliseconds(2000)).count()
                    << " ms after the restart; last reply: " << reply;
  EXPECT_GE(back_at - last_failure_sent, policy.retry - slack) << "back before the interval";
  EXPECT_LE(back_at - restarted_at, policy.retry + milliseconds(1000));

  ASSERT_TRUE(cluster_->FlushServers().ok());
  ASSERT_NO_FATAL_FAILURE(SetThroughProxy("named", keys));
  auto after = cluster_->Placement(keys);
  ASSERT_TRUE(after.ok()) << after.error().message;
  ExpectPlacement(keys, *after, owner, "after the restart");
  ExpectAllThroughProxy("named", keys);
}

}  // namespace
}  // namespace mnemo::scale
