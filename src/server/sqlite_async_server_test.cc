// mnemod over the sqlite engine with its AsyncCalls (EngineHandle::async_calls_for, as
// engine_factory.cc sets it): requests from many connections at once get the replies a direct
// session gives, without one blocking engine call -- no offload-pool thread waits for a commit
// or a read -- while flush_all still runs the old way, on the pool.
#include <gtest/gtest.h>

#include <asio/io_context.hpp>
#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "engines/map/map_engine.h"
#include "engines/sqlite/sqlite_engine.h"
#include "engines/sqlite/testing/temp_sqlite.h"
#include "manual_clock.h"
#include "map_replies.h"
#include "server/server.h"
#include "session_feed.h"
#include "tcp_client.h"

namespace mnemo::server {
namespace {

// `inner` with its blocking calls counted; TryGet (the worker's own, non-blocking) is not.
class CountingEngine final : public Engine {
 public:
  explicit CountingEngine(Engine& inner) : inner_(inner) {}

  int blocking_calls() const { return blocking_calls_.load(); }
  int flushes() const { return flushes_.load(); }

  GetStatus Get(const GetRequest& request, ItemVisitor on_hit) override {
    ++blocking_calls_;
    return inner_.Get(request, on_hit);
  }
  std::optional<GetStatus> TryGet(const GetRequest& request, ItemVisitor on_hit) override {
    return inner_.TryGet(request, on_hit);
  }
  StoreResult Store(const StoreRequest& request) override {
    ++blocking_calls_;
    return inner_.Store(request);
  }
  DeleteStatus Delete(const DeleteRequest& request) override {
    ++blocking_calls_;
    return inner_.Delete(request);
  }
  ArithResult Arithmetic(const ArithRequest& request) override {
    ++blocking_calls_;
    return inner_.Arithmetic(request);
  }
  TouchStatus Touch(const HashedKey& key, std::int64_t exptime) override {
    ++blocking_calls_;
    return inner_.Touch(key, exptime);
  }
  void FlushAll(std::int64_t delay) override {
    ++flushes_;
    inner_.FlushAll(delay);
  }
  void ForEach(FunctionRef<bool(const ItemView&)> visit) override { inner_.ForEach(visit); }
  bool Stats(std::string_view group, StatSink sink) override { return inner_.Stats(group, sink); }
  std::int64_t Now() const override { return inner_.Now(); }

 private:
  Engine& inner_;
  std::atomic<int> blocking_calls_{0};
  std::atomic<int> flushes_{0};
};

class SqliteAsyncServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = SqliteEngine::Open(
        clock_, mnemo::sqlite::testing::ConformanceConfig(dir_.File("items.db")));
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    sqlite_ = std::move(opened).value();
    config_.port = -1;
    config_.threads = 2;
    EngineHandle handle;
    auto counting = std::make_unique<CountingEngine>(*sqlite_);
    counting_ = counting.get();
    handle.engine = std::move(counting);
    handle.offload = std::make_unique<OffloadPool>(2);
    SqliteEngine* engine = sqlite_.get();
    handle.async_calls_for = [engine](asio::io_context& loop) { return engine->ForLoop(loop); };
    Result<std::unique_ptr<Server>> server = Server::Create(config_, log_, std::move(handle));
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
    port_ = static_cast<std::uint16_t>(server_->listeners().front()->port);
    thread_ = std::thread([this] { server_->Run(); });
  }
  void TearDown() override {
    if (thread_.joinable()) {
      server_->RequestStop();
      thread_.join();
    }
    server_.reset();  // its workers' AsyncCalls go before the engine
  }

  testing::ManualClock clock_;
  mnemo::sqlite::testing::TempDir dir_;
  std::unique_ptr<SqliteEngine> sqlite_;  // outlives the server
  CountingEngine* counting_ = nullptr;
  ServerConfig config_;
  Logger log_{0};
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

// Requests on keys of connection `i` alone (K, N and the digit D stand for them), so each
// connection's replies are independent of the others'.
std::string Requests(int i) {
  constexpr std::string_view kTemplate =
      "set K 3 0 2\r\nvD\r\nget K N\r\nappend K 0 0 1\r\nx\r\nincr N 1\r\nset N 0 0 1\r\n5\r\n"
      "incr N 7\r\ndecr N 2\r\ntouch K 100\r\ngat 200 K\r\nmg K v f\r\nms N 1 MA\r\n1\r\n"
      "get K N xK\r\ndelete K\r\ndelete K\r\nget K\r\nmn\r\n";
  std::string requests;
  for (char c : kTemplate) {
    if (c == 'K') {
      requests += "k" + std::to_string(i);
    } else if (c == 'N') {
      requests += "n" + std::to_string(i);
    } else if (c == 'D') {
      requests += std::to_string(i % 10);
    } else {
      requests += c;
    }
  }
  return requests;
}

TEST_F(SqliteAsyncServerTest, ConnectionsAtOnceGetDirectRepliesWithoutABlockingCall) {
  constexpr int kClients = 8;
  std::vector<std::thread> clients;
  std::vector<std::string> got(kClients), want(kClients);
  for (int i = 0; i < kClients; ++i) {
    want[i] = testing::MapEngineReplies(Requests(i));
    clients.emplace_back([this, i, &got] {
      Result<testing::TcpClient> client = testing::TcpClient::Connect(port_);
      ASSERT_TRUE(client);
      ASSERT_TRUE(client->Send(Requests(i)));
      client->ReadUntil(
          &got[i], [](std::string_view out) { return out.ends_with("MN\r\n"); },
          std::chrono::seconds(20));
    });
  }
  for (std::thread& client : clients) client.join();
  for (int i = 0; i < kClients; ++i) EXPECT_EQ(got[i], want[i]) << i;
  EXPECT_EQ(counting_->blocking_calls(), 0);
  // flush_all is never captured: it runs the old way, on the offload pool.
  Result<testing::TcpClient> client = testing::TcpClient::Connect(port_);
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->Send("flush_all\r\nget k1\r\nmn\r\n"));
  std::string after;
  client->ReadUntil(
      &after, [](std::string_view out) { return out.ends_with("MN\r\n"); },
      std::chrono::seconds(20));
  EXPECT_EQ(after, "OK\r\nEND\r\nMN\r\n");
  EXPECT_EQ(counting_->flushes(), 1);
}

}  // namespace
}  // namespace mnemo::server
