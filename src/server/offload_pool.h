// OffloadPool: threads that may block, for engines whose calls wait on disk (the sqlite engine
// waits for its transaction to commit). A network worker hands a connection's Session::Process
// to the pool with Run() -- for what the engine could not answer without blocking
// (Engine::TryGet, connection.cc) -- and its coroutine resumes on the worker's own executor
// afterwards, so the worker keeps serving its other connections meanwhile. Many connections in
// flight at once is also what lets the engine's group commit put many writes into one
// transaction.
//
// An engine that can make calls without blocking (EngineHandle::async_calls_for) needs the
// pool far less: the calls a session captures go to the worker's AsyncCalls, with no thread
// sleeping per call and no hand-off per request. The pool then runs only what is never
// captured (flush_all, stats, item dumps, a watched session's requests), or the calls of an
// engine without AsyncCalls.
//
// Thread safety: Run may be called from any worker thread at once; Join from one thread, after
// the workers have stopped starting new work (Server::Run). The function given to Run executes
// on a pool thread while its caller is suspended; it must only touch what the caller owns or
// what is itself thread-safe.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/thread_pool.hpp>
#include <asio/use_awaitable.hpp>
#include <cstddef>
#include <type_traits>
#include <utility>

namespace mnemo::server {

class OffloadPool {
 public:
  // Enough threads that many writes wait for the same commit; they sleep while they wait.
  // 64 threads made the batches of 50 connections twice as large but gained no throughput
  // (docs/BENCHMARKS.md, section 5): the commit is not what limits them.
  static constexpr std::size_t kDefaultThreads = 16;

  explicit OffloadPool(std::size_t threads = kDefaultThreads) : pool_(threads) {}
  // Waits for the functions still running (Join).
  ~OffloadPool() { Join(); }
  OffloadPool(const OffloadPool&) = delete;
  OffloadPool& operator=(const OffloadPool&) = delete;

  // Runs `work` on a pool thread; the awaiting coroutine continues on its own executor with
  // the result. co_spawn keeps the caller's executor counted as busy until then, so a worker's
  // event loop does not end (a graceful stop) while one of its connections waits here.
  template <class Work>
  asio::awaitable<std::invoke_result_t<Work&>> Run(Work work) {
    using Value = std::invoke_result_t<Work&>;
    co_return co_await asio::co_spawn(
        pool_.get_executor(),
        [&work]() -> asio::awaitable<Value> { co_return work(); },
        asio::use_awaitable);
  }

  // Returns once every function handed to Run has finished; no new ones may come.
  void Join() { pool_.join(); }

 private:
  asio::thread_pool pool_;
};

}  // namespace mnemo::server
