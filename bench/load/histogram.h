// LatencyHistogram: an HDR-style histogram of latencies in nanoseconds for mnemo-bench. Values
// fall into log-linear buckets (16 per power of two, so a reported percentile is at most 1/16
// above the true value) over the whole uint64 range, in a fixed array: recording is a few
// instructions and allocates nothing, and per-thread histograms merge by adding counts.
//
// Thread safety: none; each load thread owns one and the main thread merges them at the end.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace mnemo::bench {

class LatencyHistogram {
 public:
  void Record(std::uint64_t nanos);
  void Merge(const LatencyHistogram& other);

  std::uint64_t count() const { return count_; }
  std::uint64_t max() const { return max_; }
  double mean() const;
  // The value at quantile q in [0, 1]: the upper bound of the bucket that holds the
  // ceil(q * count)-th smallest value, clamped to the largest value recorded; 0 when empty.
  std::uint64_t ValueAt(double q) const;

 private:
  static constexpr int kSubBits = 4;  // 16 sub-buckets per power of two: <= 6.25 % error
  static constexpr std::size_t kSub = std::size_t{1} << kSubBits;
  static constexpr std::size_t kBuckets = kSub + (64 - kSubBits) * kSub;

  static std::size_t BucketOf(std::uint64_t value);
  static std::uint64_t UpperBound(std::size_t bucket);

  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t count_ = 0;
  std::uint64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace mnemo::bench
