// WatchBus: mnemod's live log streams (memcached's `watch`). Sessions report fetches and
// stores to it (it is their WatchSink while at least one connection watches); it numbers each
// event (gid), formats its line once and offers it to every watcher that asked for its kind.
//
// Each watcher has a bounded queue (-o watcher_logbuf_size). A watcher that reads slower than
// events arrive loses lines instead of slowing anyone: the lines that do not fit are counted,
// and the next line that fits is preceded by memcached's "skipped=N". A producer never waits
// for a watcher's socket; it appends under a short lock and, when the queue was empty, calls
// the watcher's wake-up, which posts to the watcher connection's thread (watch_stream.h).
//
// memcached allows 20 watchers; the 21st gets WATCHER_TOO_MANY. Evictions come from the
// engine's eviction listener (Engine::SetEvictionListener; the memory engine reports them,
// engines that do not evict stay silent).
//
// Thread safety: every method may be called from any thread. Lock order: the bus's mutex,
// then a watcher's.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "mnemo/engine.h"
#include "mnemo/watch.h"
#include "server/watch_format.h"

namespace mnemo::server {

// One watching connection's queue.
class Watcher {
 public:
  // `wake` is called (from a producer's thread) when a line arrives in an empty queue.
  Watcher(std::uint32_t flags, std::uint64_t min_gid, std::size_t capacity,
          std::function<void()> wake)
      : flags_(flags), min_gid_(min_gid), capacity_(capacity), wake_(std::move(wake)) {}

  std::uint32_t flags() const { return flags_; }
  std::uint64_t min_gid() const { return min_gid_; }

  // Appends `line` if it fits in the queue with room to spare for a skip notice, else counts
  // it as skipped.
  void Offer(std::string_view line);
  // Everything queued so far, in order; empty when nothing is. The caller writes it.
  std::string Take();

 private:
  // Room kept for the "skipped=N\n" line that may precede the next line (memcached's 128).
  static constexpr std::size_t kSkipReserve = 128;

  const std::uint32_t flags_;
  const std::uint64_t min_gid_;  // events numbered before the watch began are not shown
  const std::size_t capacity_;
  const std::function<void()> wake_;
  std::mutex mu_;
  std::string queued_;         // GUARDED_BY(mu_)
  std::uint64_t skipped_ = 0;  // GUARDED_BY(mu_)
  bool woken_ = false;         // GUARDED_BY(mu_): a wake-up is on its way, none more needed
};

class WatchBus final : public WatchSink, public EvictionListener {
 public:
  static constexpr int kMaxWatchers = 20;  // memcached's WATCHER_LIMIT

  // `enabled`: false under -W. `capacity`: each watcher's queue, in bytes.
  WatchBus(bool enabled, std::size_t capacity) : enabled_(enabled), capacity_(capacity) {}

  // This bus while anyone watches, else null: one relaxed load (SessionHooks::Watching).
  WatchSink* Active() { return active_.load(std::memory_order_relaxed) > 0 ? this : nullptr; }

  // A `watch` asks for a place: kStarted reserves one, which Add() then takes or Release()
  // gives back.
  WatchStart Reserve();
  void Release();
  // Registers a watcher in a reserved place; it sees the events numbered from now on.
  std::shared_ptr<Watcher> Add(std::uint32_t flags, std::function<void()> wake);
  // Unregisters it and frees its place.
  void Remove(const std::shared_ptr<Watcher>& watcher);

  void ItemGet(const FetchEvent& event) override;
  void ItemStore(const StoreEvent& event) override;
  // The engine's evictions (Engine::SetEvictionListener), under its locks: only a lookup and,
  // while someone watches evictions, one formatted line offered to the queues.
  void Evicted(const EvictedItem& item) override;

 private:
  // Numbers an event of kind `flag` and offers its line (made by `format` at most once) to
  // the watchers that want it.
  void Publish(std::uint32_t flag, const std::function<std::string(const WatchStamp&)>& format);

  const bool enabled_;
  const std::size_t capacity_;
  std::atomic<int> active_{0};    // registered watchers
  std::atomic<int> reserved_{0};  // registered plus about to be
  std::atomic<std::uint64_t> gid_{0};
  std::mutex mu_;
  std::vector<std::shared_ptr<Watcher>> watchers_;  // GUARDED_BY(mu_)
};

}  // namespace mnemo::server
