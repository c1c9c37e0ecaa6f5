// The one clock of mnemo-bench: monotonic nanoseconds, for latencies and run times.
//
// Thread safety: safe from any thread.
#pragma once

#include <chrono>
#include <cstdint>

namespace mnemo::bench {

inline std::uint64_t NowNanos() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

}  // namespace mnemo::bench
