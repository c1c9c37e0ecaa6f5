// The server's half of calls made without blocking: AsyncMakeCalls resumes its coroutine on
// the coroutine's executor whichever thread reports Done, and keeps the io_context running
// until then; and a whole mnemod (in-process, port from the OS) over an engine with a
// test-only AsyncCalls -- RunOn on a thread of its own, Done from there -- gives the replies a
// direct session gives, runs flush_all the old way, and lets a graceful stop wait for calls
// still out.
#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/use_awaitable.hpp>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "deferred_session.h"
#include "engines/map/map_engine.h"
#include "manual_clock.h"
#include "map_replies.h"
#include "mnemo/pending_call.h"
#include "server/async_make_calls.h"
#include "server/server.h"
#include "session_feed.h"
#include "tcp_client.h"

namespace mnemo::server {
namespace {

// While closed, holds the threads of ThreadAsyncCalls before they make their calls.
class Gate {
 public:
  void Close() {
    std::lock_guard lock(mu_);
    open_ = false;
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    open_cv_.notify_all();
  }
  void Pass() {
    std::unique_lock lock(mu_);
    open_cv_.wait(lock, [this] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable open_cv_;
  bool open_ = true;
};

// Makes each Submit's calls on a thread of its own, once through `gate`, and reports Done
// from there; counts the Submits. Test-only.
class ThreadAsyncCalls final : public AsyncCalls {
 public:
  ThreadAsyncCalls(Engine& engine, Gate& gate, std::atomic<int>& submits)
      : engine_(engine), gate_(gate), submits_(submits) {}
  ~ThreadAsyncCalls() override {
    for (std::thread& thread : threads_) thread.join();
  }

  void Submit(std::span<PendingCall* const> calls, CallsDone& done) override {
    ++submits_;
    threads_.emplace_back([this, calls, &done] {
      gate_.Pass();
      for (PendingCall* call : calls) call->RunOn(engine_);
      done.Done();
    });
  }

 private:
  Engine& engine_;
  Gate& gate_;
  std::atomic<int>& submits_;
  std::vector<std::thread> threads_;
};

// Reports Done before Submit returns, on the submitting thread.
class InlineAsyncCalls final : public AsyncCalls {
 public:
  explicit InlineAsyncCalls(Engine& engine) : engine_(engine) {}
  void Submit(std::span<PendingCall* const> calls, CallsDone& done) override {
    for (PendingCall* call : calls) call->RunOn(engine_);
    done.Done();
  }

 private:
  Engine& engine_;
};

// Awaits one get of "k" through `calls` on `io`, run on this thread; returns the value seen.
std::string GetThrough(AsyncCalls& calls, std::thread::id& resumed_on) {
  asio::io_context io;
  ResumeQueue queue;
  PendingCall call(GetRequest{HashedKey("k")});
  PendingCall* calls_array[] = {&call};
  bool finished = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        co_await AsyncMakeCalls(calls, std::span<PendingCall* const>(calls_array),
                                io.get_executor(), queue, asio::use_awaitable);
        resumed_on = std::this_thread::get_id();
        finished = true;
      },
      asio::detached);
  io.run();  // returns only once nothing is left: the calls count as work until Done
  EXPECT_TRUE(finished);
  return call.done() && call.item() ? call.item()->value : "";
}

class AsyncMakeCallsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreRequest set{HashedKey("k")};
    set.value = "v";
    engine_.Store(set);
  }
  testing::ManualClock clock_;
  MapEngine engine_{clock_};
};

TEST_F(AsyncMakeCallsTest, ResumesOnTheExecutorWhenDoneComesFromAnotherThread) {
  Gate gate;
  std::atomic<int> submits{0};
  ThreadAsyncCalls calls(engine_, gate, submits);
  std::thread::id resumed_on;
  EXPECT_EQ(GetThrough(calls, resumed_on), "v");
  EXPECT_EQ(resumed_on, std::this_thread::get_id());
  EXPECT_EQ(submits.load(), 1);
}

TEST_F(AsyncMakeCallsTest, ADoneBeforeSubmitReturnsStillResumesLater) {
  InlineAsyncCalls calls(engine_);
  std::thread::id resumed_on;
  EXPECT_EQ(GetThrough(calls, resumed_on), "v");
  EXPECT_EQ(resumed_on, std::this_thread::get_id());
}

// Records its resumption (or its deletion unresumed) in `log`.
class LoggedResumption final : public Resumable {
 public:
  LoggedResumption(std::vector<int>& log, std::atomic<int>& deleted, int id)
      : log_(log), deleted_(deleted), id_(id) {}
  ~LoggedResumption() override { ++deleted_; }
  void Resume() override {
    log_.push_back(id_);
    delete this;
  }

 private:
  std::vector<int>& log_;
  std::atomic<int>& deleted_;
  const int id_;
};

// Reports from several threads while the loop is busy reach it as one handler: one post per
// batch, not per report; each thread's reports keep their order.
TEST(ResumeQueueTest, ReportsFromOtherThreadsReachTheLoopInOnePost) {
  constexpr int kThreads = 4, kEach = 100;
  asio::io_context io;
  ResumeQueue queue;
  std::vector<int> log;
  std::atomic<int> deleted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        queue.Push(*new LoggedResumption(log, deleted, t * kEach + i), io.get_executor());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(io.run(), 1u);
  ASSERT_EQ(log.size(), std::size_t{kThreads * kEach});
  EXPECT_EQ(deleted.load(), kThreads * kEach);
  std::vector<int> last(kThreads, -1);
  for (int id : log) {
    EXPECT_GT(id, last[id / kEach]) << "out of order";
    last[id / kEach] = id;
  }
  // The queue is empty again: the next report posts again.
  queue.Push(*new LoggedResumption(log, deleted, 0), io.get_executor());
  io.restart();
  EXPECT_EQ(io.run(), 1u);
  EXPECT_EQ(log.size(), std::size_t{kThreads * kEach + 1});
}

// After a forced stop the loop never drains: the queue deletes what it still holds.
TEST(ResumeQueueTest, ReportsLeftUnresumedAreDeletedWithTheQueue) {
  asio::io_context io;
  std::vector<int> log;
  std::atomic<int> deleted{0};
  {
    ResumeQueue queue;
    for (int i = 0; i < 3; ++i) {
      queue.Push(*new LoggedResumption(log, deleted, i), io.get_executor());
    }
  }
  EXPECT_EQ(deleted.load(), 3);
  EXPECT_TRUE(log.empty());
}

// mnemod in this process, over a map engine whose calls go through ThreadAsyncCalls.
class AsyncServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.port = -1;
    config_.threads = 2;
    EngineHandle handle;
    handle.engine = std::make_unique<testing::NoTryEngine>(map_);
    if (with_pool_) handle.offload = std::make_unique<OffloadPool>(2);
    Engine& engine = map_;
    handle.async_calls_for = [this, &engine](asio::io_context&) {
      return std::make_unique<ThreadAsyncCalls>(engine, gate_, submits_);
    };
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
  }
  int Submits() const { return submits_.load(); }

  bool with_pool_ = true;
  ServerConfig config_;
  Logger log_{0};
  testing::ManualClock clock_;
  MapEngine map_{clock_};  // behind a NoTryEngine: every call it gets is made asynchronously
  Gate gate_;
  std::atomic<int> submits_{0};
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

TEST_F(AsyncServerTest, RepliesAsDirectCallsWouldAndFlushRunsTheOldWay) {
  const std::string input =
      "set a 0 0 1\r\n1\r\nget a b\r\nmg a v c\r\nincr a 5\r\nms b 2 MA N0\r\nxy\r\n"
      "gets a b\r\nflush_all\r\nget a\r\nmn\r\n";
  const std::string want = testing::MapEngineReplies(input);
  Result<testing::TcpClient> client = testing::TcpClient::Connect(port_);
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->Send(input));
  std::string got;
  client->ReadUntil(
      &got, [](std::string_view out) { return out.ends_with("MN\r\n"); }, std::chrono::seconds(10));
  EXPECT_EQ(got, want);
  // set; gets a b + mg; incr; ms; gets a b (more if the input came in several reads). Then
  // flush_all and the rest run the old way.
  EXPECT_GE(Submits(), 5);
}

// An engine with AsyncCalls but no OffloadPool: what is never captured runs on the worker.
class AsyncServerWithoutPoolTest : public AsyncServerTest {
 protected:
  AsyncServerWithoutPoolTest() { with_pool_ = false; }
};

TEST_F(AsyncServerWithoutPoolTest, WhatIsNeverCapturedRunsOnTheWorker) {
  const std::string input = "set a 0 0 1\r\n1\r\nflush_all\r\nget a\r\nmn\r\n";
  Result<testing::TcpClient> client = testing::TcpClient::Connect(port_);
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->Send(input));
  std::string got;
  client->ReadUntil(
      &got, [](std::string_view out) { return out.ends_with("MN\r\n"); }, std::chrono::seconds(10));
  EXPECT_EQ(got, "STORED\r\nOK\r\nEND\r\nMN\r\n");
  // The set; from flush_all on, the rest of that read runs the old way (here: inline).
  EXPECT_GE(Submits(), 1);
}

TEST_F(AsyncServerTest, AGracefulStopWaitsForCallsStillOut) {
  Result<testing::TcpClient> client = testing::TcpClient::Connect(port_);
  ASSERT_TRUE(client);
  gate_.Close();
  ASSERT_TRUE(client->Send("set k 0 0 1\r\nv\r\n"));
  // Wait (bounded) until the set is out to the engine, then ask the server to stop.
  std::string none;
  for (int i = 0; i < 1000 && Submits() == 0; ++i) {
    client->ReadUntil(
        &none, [](std::string_view) { return false; }, std::chrono::milliseconds(10));
  }
  ASSERT_EQ(Submits(), 1);
  server_->RequestStop();
  gate_.Open();
  std::string got;
  const testing::ReadEnd end = client->ReadUntil(
      &got, [](std::string_view out) { return out.ends_with("\r\n"); }, std::chrono::seconds(10));
  EXPECT_EQ(got, "STORED\r\n") << testing::ReadEndName(end) << none;
  thread_.join();
}

}  // namespace
}  // namespace mnemo::server
