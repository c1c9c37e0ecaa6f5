// The life of a connection after `watch` started a stream: it is registered with the WatchBus,
// and its coroutine writes the queued log lines as they come. A producer's wake-up (posted to
// this connection's thread) cancels the timer the coroutine sleeps on, so nothing polls. A
// read runs alongside: what the client sends is dropped, as memcached ignores it, and its
// end (the client closing, a stop cancelling the socket) ends the stream, which unregisters
// the watcher however the coroutine finishes.
//
// Thread safety: runs on the connection's worker thread; only the wake-up crosses threads,
// through asio::post.
#pragma once

#include <array>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <memory>

#include "server/watch_bus.h"

namespace mnemo::server {

// What a wake-up reaches: shared with the posted handlers, which may run after the stream ended.
struct WatchWaker {
  explicit WatchWaker(const asio::any_io_executor& executor)
      : timer(executor, asio::steady_timer::time_point::max()) {}
  asio::steady_timer timer;
  bool pending = false;  // a wake-up arrived while the writer was not asleep
};

// Reads and drops until the client closes or the read fails or is cancelled.
template <class S>
asio::awaitable<void> DrainWatcherInput(S& socket) {
  std::array<char, 512> ignored;
  for (;;) {
    asio::error_code error;
    co_await socket.async_read_some(asio::buffer(ignored),
                                    asio::redirect_error(asio::use_awaitable, error));
    if (error) co_return;
  }
}

// Writes what `watcher` queues until a write fails.
template <class S>
asio::awaitable<void> WriteWatchLines(S& socket, Watcher& watcher, WatchWaker& waker) {
  for (;;) {
    const std::string lines = watcher.Take();
    if (lines.empty()) {
      if (!waker.pending) {
        waker.timer.expires_at(asio::steady_timer::time_point::max());
        asio::error_code cancelled;  // how a wake-up ends the wait
        co_await waker.timer.async_wait(asio::redirect_error(asio::use_awaitable, cancelled));
        // The reader ended (client gone, server stopping) and the stream with it.
        const asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
        if (state.cancelled() != asio::cancellation_type::none) co_return;
      }
      waker.pending = false;
      continue;
    }
    asio::error_code error;
    co_await asio::async_write(socket, asio::buffer(lines),
                               asio::redirect_error(asio::use_awaitable, error));
    if (error) co_return;
  }
}

// A watcher's place in the bus, registered as soon as the session started the watch (before
// its OK is sent, as memcached registers first, so no event after the OK is missed) and
// unregistered when this is destroyed, however the connection ends.
class WatchSubscription {
 public:
  // `bus` has a place reserved for this watcher (WatchBus::Reserve) and must outlive this.
  WatchSubscription(WatchBus& bus, const asio::any_io_executor& executor, std::uint32_t flags)
      : bus_(bus), waker_(std::make_shared<WatchWaker>(executor)) {
    watcher_ = bus.Add(flags, [waker = waker_] {
      asio::post(waker->timer.get_executor(), [waker] {
        waker->pending = true;
        waker->timer.cancel();
      });
    });
  }
  ~WatchSubscription() { bus_.Remove(watcher_); }
  WatchSubscription(const WatchSubscription&) = delete;
  WatchSubscription& operator=(const WatchSubscription&) = delete;

  Watcher& watcher() { return *watcher_; }
  WatchWaker& waker() { return *waker_; }

 private:
  WatchBus& bus_;
  std::shared_ptr<WatchWaker> waker_;
  std::shared_ptr<Watcher> watcher_;
};

// Streams `subscription`'s lines to `socket`. Returns when the client goes away or the server
// stops.
template <class S>
asio::awaitable<void> StreamWatch(S& socket, WatchSubscription& subscription) {
  using asio::experimental::awaitable_operators::operator||;
  co_await (DrainWatcherInput(socket) ||
            WriteWatchLines(socket, subscription.watcher(), subscription.waker()));
}

}  // namespace mnemo::server
