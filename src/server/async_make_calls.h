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
#include <asio/dispatch.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>
#include <memory>
#include <mutex>
#include <span>
#include <type_traits>
#include <utility>

#include "mnemo/pending_call.h"

namespace mnemo::server {

// A resumption an engine thread has reported, waiting in a ResumeQueue.
class Resumable {
 public:
  virtual ~Resumable() = default;
  // On the queue's loop: deletes this and resumes the waiting handler.
  virtual void Resume() = 0;

 private:
  friend class ResumeQueue;
  Resumable* next_ = nullptr;  // guarded by the queue's mutex
};

// The resumptions of one event loop that engine threads have reported, handed to the loop in
// one post per batch: a post from another thread costs an allocation, the loop's lock and
// often a wake-up, and an engine that finishes a group commit reports dozens at once.
//
// Thread safety: Push() from any thread; Drain() runs on the loop. Entries still queued when
// it is destroyed (after a forced stop) are deleted unresumed.
class ResumeQueue {
 public:
  ResumeQueue() = default;
  ~ResumeQueue() {
    for (Resumable* entry = Take(); entry != nullptr;) delete std::exchange(entry, entry->next_);
  }
  ResumeQueue(const ResumeQueue&) = delete;
  ResumeQueue& operator=(const ResumeQueue&) = delete;

  // Queues `entry`; the first entry of a batch posts the drain to `executor`, whose loop the
  // queue belongs to.
  template <class Executor>
  void Push(Resumable& entry, const Executor& executor) {
    bool first = false;
    {
      std::lock_guard lock(mu_);
      first = head_ == nullptr;
      entry.next_ = nullptr;
      (first ? head_ : tail_->next_) = &entry;
      tail_ = &entry;
    }
    if (!first) return;
    // Counted as work until the post has returned: otherwise the drain could run, the last
    // call finish and the loop's owner destroy it while this thread is still inside the post
    // (asio signals the loop after unlocking it).
    auto work = asio::make_work_guard(executor);
    asio::post(executor, [this] { Drain(); });
  }

 private:
  Resumable* Take() {
    std::lock_guard lock(mu_);
    tail_ = nullptr;
    return std::exchange(head_, nullptr);
  }
  void Drain() {
    for (Resumable* entry = Take(); entry != nullptr;) {
      std::exchange(entry, entry->next_)->Resume();
    }
  }

  std::mutex mu_;
  Resumable* head_ = nullptr;  // guarded by mu_; oldest first
  Resumable* tail_ = nullptr;  // guarded by mu_
};

// Told by an engine's AsyncCalls that a session's calls have their results, on any thread:
// resumes the connection's coroutine on its own executor, through the loop's ResumeQueue. The
// work guard counts the calls as the worker's pending work, so a graceful stop waits for
// them. Deletes itself once resumed.
template <class Executor, class Handler>
class ResumeWhenDone final : public CallsDone, public Resumable {
 public:
  ResumeWhenDone(const Executor& executor, ResumeQueue& queue, Handler handler)
      : work_(asio::make_work_guard(executor)), queue_(queue), handler_(std::move(handler)) {}

  void Done() override { queue_.Push(*this, work_.get_executor()); }

  void Resume() override {
    // On the loop's thread already: the coroutine resumes right here, within the drain. The
    // guard stays until it has run (or suspended again).
    asio::executor_work_guard<Executor> work = std::move(work_);
    Handler handler = std::move(handler_);
    delete this;
    asio::dispatch(work.get_executor(), std::move(handler));
  }

 private:
  asio::executor_work_guard<Executor> work_;
  ResumeQueue& queue_;
  Handler handler_;
};

// Submits `pending` to `calls` and completes, on `executor`, once every call has its result.
// `pending` (and the session owning it) must stay valid until then. `queue` belongs to
// `executor`'s loop and outlives the calls.
template <class Executor, class Token>
auto AsyncMakeCalls(AsyncCalls& calls, std::span<PendingCall* const> pending,
                    const Executor& executor, ResumeQueue& queue, Token&& token) {
  return asio::async_initiate<Token, void()>(
      [&calls, pending, executor, &queue](auto handler) {
        using Done = ResumeWhenDone<Executor, std::decay_t<decltype(handler)>>;
        // Owned by the engine from here until it calls Done, exactly once.
        calls.Submit(pending, *new Done(executor, queue, std::move(handler)));
      },
      token);
}

}  // namespace mnemo::server
