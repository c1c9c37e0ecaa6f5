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

#include <asio/experimental/awaitable_operators.hpp>
#include <asio/post.hpp>
#include <asio/this_coro.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <array>
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

// Streams to a connection whose session started a watch with `flags` (a place in `bus` is
// reserved for it, and freed here). Returns when the client goes away or the server stops.
template <class S>
asio::awaitable<void> StreamWatch(S& socket, WatchBus& bus, std::uint32_t flags) {
  auto waker = std::make_shared<WatchWaker>(socket.get_executor());
  std::shared_ptr<Watcher> watcher = bus.Add(flags, [waker] {
    asio::post(waker->timer.get_executor(), [waker] {
      waker->pending = true;
      waker->timer.cancel();
    });
  });
  struct Removal {
    WatchBus& bus;
    const std::shared_ptr<Watcher>& watcher;
    ~Removal() { bus.Remove(watcher); }
  } removal{bus, watcher};
  using asio::experimental::awaitable_operators::operator||;
  co_await (DrainWatcherInput(socket) || WriteWatchLines(socket, *watcher, *waker));
}

}  // namespace mnemo::server
