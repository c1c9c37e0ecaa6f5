// RunResult: what a mnemo-bench run measured, summed over its threads, and how it is printed
// (a few aligned lines, or one JSON object with --json for scripts).
//
// Thread safety: plain data; each thread fills its own and the main thread merges them.
#pragma once

#include <cstdint>
#include <cstdio>

#include "histogram.h"
#include "options.h"

namespace mnemo::bench {

struct RunResult {
  std::uint64_t requests = 0;  // completed requests (a multiget counts once)
  std::uint64_t gets = 0;
  std::uint64_t get_keys = 0;
  std::uint64_t hits = 0;  // keys found
  std::uint64_t sets = 0;
  std::uint64_t errors = 0;
  // hitratio mode: the second half of the stream, once the cache has filled.
  std::uint64_t late_get_keys = 0;
  std::uint64_t late_hits = 0;
  double seconds = 0;
  LatencyHistogram latency;  // every request, send to complete reply
  // Open loop: how late each request left after its intended time. A large tail means the
  // client, not the server, could not keep up with the rate.
  LatencyHistogram send_lag;

  void Merge(const RunResult& other);
  double hit_ratio() const {
    return get_keys == 0 ? 0.0 : static_cast<double>(hits) / static_cast<double>(get_keys);
  }
};

void PrintResult(const BenchOptions& options, const RunResult& result, std::FILE* out);

}  // namespace mnemo::bench
