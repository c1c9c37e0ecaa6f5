// Completion: how a caller blocked in an engine method learns that a SQLite thread has finished
// its job. The job lives on the caller's stack, so Signal() notifies while holding the mutex:
// the waiter cannot return (and destroy the Completion) before Signal() is done with it.
//
// Thread safety: one thread calls Wait(), another calls Signal() once.
#pragma once

#include <condition_variable>
#include <mutex>

namespace mnemo::sqlite {

class Completion {
 public:
  void Signal() {
    std::lock_guard lock(mu_);
    done_ = true;
    cv_.notify_one();
  }
  void Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return done_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;  // guarded by mu_
};

}  // namespace mnemo::sqlite
