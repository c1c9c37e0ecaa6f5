// Keys and values for mnemo-bench. Keys are ids 1..N rendered as PREFIX + a zero-padded
// decimal (width at least 7, so id 1 is `key:0000001` as in the bytes-per-item benchmark).
// Zipf ranks are key ids: id 1 is the most popular key. A key's value size is a function of
// its id, so a key re-set after an eviction has the same size, as in a real cache.
//
// Thread safety: ZipfTable and KeyFormat are immutable after construction and shared by all
// threads; each thread owns its KeyChooser and HitRatioStream (they hold the random state).
#pragma once

#include <atomic>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "options.h"

namespace mnemo::bench {

// P(rank k) proportional to 1 / k^exponent over ranks 1..n, sampled by inverse transform:
// the table holds the cumulative distribution (8 bytes a key: 80 MB for 10M keys), so a sample
// is exact and costs one binary search.
class ZipfTable {
 public:
  ZipfTable(std::uint64_t n, double exponent);
  // u in [0, 1): the rank whose cumulative probability first exceeds u.
  std::uint64_t Rank(double u) const;

 private:
  std::vector<double> cumulative_;
};

class KeyFormat {
 public:
  KeyFormat(std::string prefix, std::uint64_t key_count);
  // Writes the key of `id` into `buffer` (at least Capacity() bytes) and returns it.
  std::string_view Render(std::uint64_t id, char* buffer) const;
  std::size_t Capacity() const { return prefix_.size() + 21; }

 private:
  std::string prefix_;
  int width_;
};

// Value sizes fixed per key id (a hash of the id picks it): uniform in [min, max], or from
// weighted sizes (a key gets size s with probability weight(s) / total weight).
class ValueSizer {
 public:
  ValueSizer(std::uint32_t min, std::uint32_t max) : min_(min), span_(max - min + 1ull) {}
  explicit ValueSizer(const std::vector<WeightedSize>& weights);
  // The sizes of `options`: its weights when it has any, else its range.
  static ValueSizer For(const BenchOptions& options);
  std::uint32_t SizeOf(std::uint64_t id) const;

 private:
  std::uint32_t min_ = 0;
  std::uint64_t span_ = 1;
  // Weighted: cumulative weights and their sizes, searched with the hash modulo the total.
  std::vector<std::uint64_t> cumulative_;
  std::vector<std::uint32_t> sizes_;
};

// Picks the key of each request of the load mode.
class KeyChooser {
 public:
  // `table` is used for kZipf and must outlive the chooser; `next_sequential` is shared by
  // all threads so a sequential run sets every key exactly once, in order.
  KeyChooser(const BenchOptions& options, const ZipfTable* table,
             std::atomic<std::uint64_t>* next_sequential, std::uint64_t seed);
  std::uint64_t Next();
  // True with probability get_ratio / (get_ratio + set_ratio).
  bool NextIsGet();

 private:
  Distribution distribution_;
  std::uint64_t key_count_;
  const ZipfTable* table_;
  std::atomic<std::uint64_t>* next_sequential_;
  std::uint32_t get_ratio_;
  std::uint32_t ratio_total_;
  std::mt19937_64 random_;
};

// The key stream of the hitratio mode: keys from the chosen distribution, with a fraction
// replaced by keys that never come back (ids above key_count), in runs of `one_hit_run`.
class HitRatioStream {
 public:
  HitRatioStream(const BenchOptions& options, const ZipfTable* table);
  std::uint64_t Next();

 private:
  std::atomic<std::uint64_t> next_sequential_{0};
  KeyChooser chooser_;
  double run_start_probability_;
  std::uint64_t run_length_;
  std::uint64_t run_left_ = 0;
  std::uint64_t next_one_hit_;
  std::mt19937_64 random_;
};

// A uniform double in [0, 1) from 53 random bits (the same on every platform, unlike
// std::uniform_real_distribution, so streams are reproducible across standard libraries).
inline double UnitDouble(std::mt19937_64& random) {
  return static_cast<double>(random() >> 11) * 0x1.0p-53;
}

}  // namespace mnemo::bench
