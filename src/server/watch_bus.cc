#include "server/watch_bus.h"

#include <algorithm>
#include <chrono>

namespace mnemo::server {

void Watcher::Offer(std::string_view line) {
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    if (queued_.size() + line.size() + kSkipReserve > capacity_) {
      ++skipped_;
      return;
    }
    if (skipped_ > 0) {
      queued_ += FormatSkipped(skipped_);
      skipped_ = 0;
    }
    queued_ += line;
    wake = !woken_;
    woken_ = true;
  }
  if (wake && wake_) wake_();
}

std::string Watcher::Take() {
  std::string taken;
  std::lock_guard lock(mu_);
  taken.swap(queued_);
  // Once the queue is drained the consumer may sleep, so the next line must wake it.
  woken_ = false;
  return taken;
}

WatchStart WatchBus::Reserve() {
  if (!enabled_) return WatchStart::kDisabled;
  int taken = reserved_.load();
  do {
    if (taken >= kMaxWatchers) return WatchStart::kTooMany;
  } while (!reserved_.compare_exchange_weak(taken, taken + 1));
  return WatchStart::kStarted;
}

void WatchBus::Release() { reserved_.fetch_sub(1); }

std::shared_ptr<Watcher> WatchBus::Add(std::uint32_t flags, std::function<void()> wake) {
  std::lock_guard lock(mu_);
  auto watcher = std::make_shared<Watcher>(flags, gid_.load() + 1, capacity_, std::move(wake));
  watchers_.push_back(watcher);
  active_.fetch_add(1, std::memory_order_relaxed);
  return watcher;
}

void WatchBus::Remove(const std::shared_ptr<Watcher>& watcher) {
  {
    std::lock_guard lock(mu_);
    auto it = std::find(watchers_.begin(), watchers_.end(), watcher);
    if (it == watchers_.end()) return;
    watchers_.erase(it);
    active_.fetch_sub(1, std::memory_order_relaxed);
  }
  Release();
}

void WatchBus::Publish(std::uint32_t flag,
                       const std::function<std::string(const WatchStamp&)>& format) {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count();
  const WatchStamp stamp{
      .seconds = micros / 1000000, .micros = micros % 1000000, .gid = gid_.fetch_add(1) + 1};
  std::string line;
  std::lock_guard lock(mu_);
  for (const auto& watcher : watchers_) {
    if ((watcher->flags() & flag) == 0 || stamp.gid < watcher->min_gid()) continue;
    if (line.empty()) line = format(stamp);
    watcher->Offer(line);
  }
}

void WatchBus::ItemGet(const FetchEvent& event) {
  Publish(kWatchFetchers, [&](const WatchStamp& stamp) { return FormatItemGet(stamp, event); });
}

void WatchBus::ItemStore(const StoreEvent& event) {
  Publish(kWatchMutations, [&](const WatchStamp& stamp) { return FormatItemStore(stamp, event); });
}

void WatchBus::Evicted(const EvictedItem& item) {
  if (active_.load(std::memory_order_relaxed) == 0) return;  // the usual case: one load
  Publish(kWatchEvictions, [&](const WatchStamp& stamp) { return FormatEviction(stamp, item); });
}

}  // namespace mnemo::server
