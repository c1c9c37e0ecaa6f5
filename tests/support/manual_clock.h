// A Clock that only moves when a test says so, so expiry is tested without sleeping.
#pragma once

#include <atomic>
#include <cstdint>

#include "mnemo/engine.h"

namespace mnemo::testing {

class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t start = 1'700'000'000) : now_(start) {}
  std::int64_t Now() const override { return now_.load(std::memory_order_relaxed); }
  void Advance(std::int64_t seconds) { now_.fetch_add(seconds, std::memory_order_relaxed); }
  void Set(std::int64_t now) { now_.store(now, std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> now_;
};

}  // namespace mnemo::testing
