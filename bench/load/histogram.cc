// Log-linear bucketing: values below 16 have a bucket each; a larger value with its highest set
// bit at position e lands in row e - 3, column given by the 4 bits below that highest bit.
#include "histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace mnemo::bench {

std::size_t LatencyHistogram::BucketOf(std::uint64_t value) {
  if (value < kSub) return static_cast<std::size_t>(value);
  const int exponent = std::bit_width(value) - 1;  // >= kSubBits
  const int shift = exponent - kSubBits;
  const std::size_t column = static_cast<std::size_t>(value >> shift) - kSub;
  return kSub + static_cast<std::size_t>(shift) * kSub + column;
}

std::uint64_t LatencyHistogram::UpperBound(std::size_t bucket) {
  if (bucket < kSub) return bucket;
  const std::size_t shift = (bucket - kSub) / kSub;
  const std::uint64_t mantissa = kSub + (bucket - kSub) % kSub;
  // The last bucket's bound would overflow; saturate instead.
  if (shift + kSubBits + 1 >= 64 && mantissa == 2 * kSub - 1) return UINT64_MAX;
  return ((mantissa + 1) << shift) - 1;
}

void LatencyHistogram::Record(std::uint64_t nanos) {
  ++counts_[BucketOf(nanos)];
  ++count_;
  max_ = std::max(max_, nanos);
  sum_ += static_cast<long double>(nanos);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

double LatencyHistogram::mean() const {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_ / static_cast<long double>(count_));
}

std::uint64_t LatencyHistogram::ValueAt(double q) const {
  if (count_ == 0) return 0;
  const double clamped = std::clamp(q, 0.0, 1.0);
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(clamped * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(UpperBound(i), max_);
  }
  return max_;
}

}  // namespace mnemo::bench
