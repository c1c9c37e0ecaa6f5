// OpenLoopSchedule: when each request of mnemo-bench's open loop is meant to leave. Request i
// (from 0) is due at start + i / rate seconds, whatever happened to the requests before it; a
// load thread sends every request that is due and measures its latency from that intended
// time, not from when it actually left. A server that stalls therefore makes the requests
// queued behind the stall count their wait (the "coordinated omission" a closed loop hides).
//
// Thread safety: immutable after construction; each load thread owns one.
#pragma once

#include <cstdint>

namespace mnemo::bench {

class OpenLoopSchedule {
 public:
  // `rate`: requests per second, > 0. `start_ns`: the intended time of request 0.
  OpenLoopSchedule(double rate, std::uint64_t start_ns);

  // The intended send time of request `index`.
  std::uint64_t IntendedTime(std::uint64_t index) const;
  // How many requests are due by `now_ns`: those whose intended time is <= now_ns.
  std::uint64_t DueBy(std::uint64_t now_ns) const;

  double interval_ns() const { return interval_ns_; }

 private:
  double interval_ns_;
  std::uint64_t start_ns_;
};

}  // namespace mnemo::bench
