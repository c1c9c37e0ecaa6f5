#include "engines/sqlite/syncer.h"

#include <pthread.h>

#include <utility>

namespace mnemo::sqlite {

Syncer::Syncer(SyncFn sync, FinishFn finish)
    : sync_(std::move(sync)), finish_(std::move(finish)), thread_([this] { Loop(); }) {
  pthread_setname_np(thread_.native_handle(), "sqlite-sync");  // for top -H and perf
}

Syncer::~Syncer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  work_.notify_one();
  thread_.join();
}

void Syncer::Hand(std::vector<WriteJob*> jobs) {
  {
    std::lock_guard lock(mu_);
    queue_.insert(queue_.end(), jobs.begin(), jobs.end());
    ++handed_;
  }
  work_.notify_one();
}

void Syncer::Flush() {
  std::unique_lock lock(mu_);
  const std::uint64_t target = handed_;
  drained_.wait(lock, [&] { return finished_ >= target; });
}

void Syncer::Loop() {
  std::vector<WriteJob*> jobs;
  for (;;) {
    std::uint64_t round = 0;
    {
      std::unique_lock lock(mu_);
      work_.wait(lock, [this] { return stop_ || handed_ != finished_; });
      if (handed_ == finished_) return;  // stopping, and nothing left
      jobs.swap(queue_);
      round = handed_;
    }
    // Every commit handed over so far wrote its frames before this sync starts.
    const bool synced = sync_();
    finish_(jobs, synced);
    jobs.clear();
    {
      std::lock_guard lock(mu_);
      finished_ = round;
    }
    drained_.notify_all();
  }
}

}  // namespace mnemo::sqlite
