// The open loop's send times: an exact arithmetic sequence, so that DueBy and IntendedTime
// agree to the nanosecond whatever rounding the division does.
#include "open_loop.h"

#include <cmath>
#include <stdexcept>

namespace mnemo::bench {

OpenLoopSchedule::OpenLoopSchedule(double rate, std::uint64_t start_ns)
    : interval_ns_(rate > 0 ? 1e9 / rate : 0), start_ns_(start_ns) {
  if (!(rate > 0) || !std::isfinite(interval_ns_)) {
    throw std::invalid_argument("open loop rate must be > 0");
  }
}

std::uint64_t OpenLoopSchedule::IntendedTime(std::uint64_t index) const {
  return start_ns_ + static_cast<std::uint64_t>(static_cast<double>(index) * interval_ns_);
}

std::uint64_t OpenLoopSchedule::DueBy(std::uint64_t now_ns) const {
  if (now_ns < start_ns_) return 0;
  // A first guess from the division, then corrected by IntendedTime itself, whose rounding is
  // the one that counts.
  auto due = static_cast<std::uint64_t>(static_cast<double>(now_ns - start_ns_) / interval_ns_) + 1;
  while (due > 0 && IntendedTime(due - 1) > now_ns) --due;
  while (IntendedTime(due) <= now_ns) ++due;
  return due;
}

}  // namespace mnemo::bench
