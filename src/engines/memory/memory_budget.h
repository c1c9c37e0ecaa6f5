// MemoryBudget: the engine's hard memory limit. Every byte the engine maps for items, the
// index and the ghost is charged here before it is mapped and released after it is unmapped,
// so used() never exceeds limit() (unless the limit is lowered below it, after which every
// charge fails until enough has been released).
//
// Thread safety: all methods are safe to call concurrently (atomics, no locks).
#pragma once

#include <atomic>
#include <cstddef>

namespace mnemo::memory {

class MemoryBudget {
 public:
  explicit MemoryBudget(std::size_t limit) : limit_(limit) {}

  // Charges `bytes` if they fit under the limit; returns false (charging nothing) otherwise.
  bool TryCharge(std::size_t bytes) {
    std::size_t used = used_.load(std::memory_order_relaxed);
    do {
      if (bytes > limit() || used > limit() - bytes) return false;
    } while (!used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
    return true;
  }

  // REQUIRES: `bytes` were charged earlier.
  void Release(std::size_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }

  std::size_t used() const { return used_.load(std::memory_order_relaxed); }
  std::size_t limit() const { return limit_.load(std::memory_order_relaxed); }
  void set_limit(std::size_t limit) { limit_.store(limit, std::memory_order_relaxed); }

 private:
  std::atomic<std::size_t> used_{0};
  std::atomic<std::size_t> limit_;
};

}  // namespace mnemo::memory
