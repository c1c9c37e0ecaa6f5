// AsyncMakeCalls: makes a session's captured calls through an engine's AsyncCalls as an Asio
// asynchronous operation, so a connection's coroutine can `co_await` them
// (connection.cc, ProcessOffloading) while its worker serves other connections.
//
// Thread safety: initiated on the thread that owns `calls` (the worker's); the engine may
// report completion from any thread, and the completion handler then runs on `executor`.
// Until it has run, the operation counts as work of `executor`'s io_context, so a worker
// stopping gracefully waits for the calls.
#pragma once

#include <asio/async_result.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>
#include <memory>
#include <span>
#include <type_traits>
#include <utility>

#include "mnemo/pending_call.h"

namespace mnemo::server {

// Told by an engine's AsyncCalls that a session's calls have their results, on any thread:
// resumes the connection's coroutine on its own executor. The work guard counts the calls as
// the worker's pending work, so a graceful stop waits for them. Deletes itself once told.
template <class Executor, class Handler>
class ResumeWhenDone final : public CallsDone {
 public:
  ResumeWhenDone(const Executor& executor, Handler handler)
      : work_(asio::make_work_guard(executor)), handler_(std::move(handler)) {}

  void Done() override {
    std::unique_ptr<ResumeWhenDone> self(this);
    // The posted handler is work of its own until it runs; the guard may go with `self`.
    asio::post(work_.get_executor(), std::move(handler_));
  }

 private:
  asio::executor_work_guard<Executor> work_;
  Handler handler_;
};

// Submits `pending` to `calls` and completes, on `executor`, once every call has its result.
// `pending` (and the session owning it) must stay valid until then.
template <class Executor, class Token>
auto AsyncMakeCalls(AsyncCalls& calls, std::span<PendingCall* const> pending,
                    const Executor& executor, Token&& token) {
  return asio::async_initiate<Token, void()>(
      [&calls, pending, executor](auto handler) {
        using Done = ResumeWhenDone<Executor, std::decay_t<decltype(handler)>>;
        // Owned by the engine from here until it calls Done, exactly once.
        calls.Submit(pending, *new Done(executor, std::move(handler)));
      },
      token);
}

}  // namespace mnemo::server
