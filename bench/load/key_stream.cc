// Key choice, Zipf sampling and value sizing for mnemo-bench.
#include "key_stream.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace mnemo::bench {

ZipfTable::ZipfTable(std::uint64_t n, double exponent) : cumulative_(n) {
  double sum = 0;
  for (std::uint64_t k = 1; k <= n; ++k) {
    sum += std::pow(static_cast<double>(k), -exponent);
    cumulative_[k - 1] = sum;
  }
  for (double& c : cumulative_) c /= sum;
  if (!cumulative_.empty()) cumulative_.back() = 1.0;  // rounding must not lose the tail
}

std::uint64_t ZipfTable::Rank(double u) const {
  const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
  const auto index = static_cast<std::uint64_t>(it - cumulative_.begin());
  return std::min<std::uint64_t>(index, cumulative_.size() - 1) + 1;
}

KeyFormat::KeyFormat(std::string prefix, std::uint64_t key_count)
    : prefix_(std::move(prefix)), width_(7) {
  for (std::uint64_t n = key_count / 10'000'000; n > 0; n /= 10) ++width_;
}

std::string_view KeyFormat::Render(std::uint64_t id, char* buffer) const {
  std::memcpy(buffer, prefix_.data(), prefix_.size());
  char digits[21];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), id);
  (void)ec;  // 21 bytes hold any uint64
  const auto length = static_cast<int>(end - digits);
  char* out = buffer + prefix_.size();
  for (int i = length; i < width_; ++i) *out++ = '0';
  std::memcpy(out, digits, static_cast<std::size_t>(length));
  out += length;
  return std::string_view(buffer, static_cast<std::size_t>(out - buffer));
}

ValueSizer::ValueSizer(const std::vector<WeightedSize>& weights) {
  std::uint64_t total = 0;
  for (const WeightedSize& w : weights) {
    total += w.weight;
    cumulative_.push_back(total);
    sizes_.push_back(w.size);
  }
  if (total == 0) throw std::invalid_argument("value size weights sum to 0");
  span_ = total;
}

ValueSizer ValueSizer::For(const BenchOptions& options) {
  if (!options.value_weights.empty()) return ValueSizer(options.value_weights);
  return ValueSizer(options.value_min, options.value_max);
}

std::uint32_t ValueSizer::SizeOf(std::uint64_t id) const {
  if (span_ == 1 && cumulative_.empty()) return min_;
  // splitmix64's finaliser: consecutive ids get unrelated sizes.
  std::uint64_t z = id + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  if (cumulative_.empty()) return min_ + static_cast<std::uint32_t>(z % span_);
  const std::uint64_t point = z % span_;
  const auto at = std::upper_bound(cumulative_.begin(), cumulative_.end(), point);
  return sizes_[static_cast<std::size_t>(at - cumulative_.begin())];
}

KeyChooser::KeyChooser(const BenchOptions& options, const ZipfTable* table,
                       std::atomic<std::uint64_t>* next_sequential, std::uint64_t seed)
    : distribution_(options.distribution),
      key_count_(options.key_count),
      table_(table),
      next_sequential_(next_sequential),
      get_ratio_(options.get_ratio),
      ratio_total_(options.get_ratio + options.set_ratio),
      random_(seed) {}

std::uint64_t KeyChooser::Next() {
  switch (distribution_) {
    case Distribution::kZipf:
      return table_->Rank(UnitDouble(random_));
    case Distribution::kSequential:
      return next_sequential_->fetch_add(1, std::memory_order_relaxed) % key_count_ + 1;
    case Distribution::kUniform:
      break;
  }
  return random_() % key_count_ + 1;
}

bool KeyChooser::NextIsGet() {
  if (get_ratio_ == 0) return false;
  if (get_ratio_ == ratio_total_) return true;
  return random_() % ratio_total_ < get_ratio_;
}

namespace {

// A run of L one-hit keys starts before a regular request with probability q. Between runs come
// on average (1 - q) / q regular requests, so the one-hit share f = L / (L + (1 - q) / q),
// which gives q = f / (f + L (1 - f)).
double RunStartProbability(double fraction, std::uint64_t run) {
  if (fraction <= 0) return 0;
  const double length = static_cast<double>(run);
  return fraction / (fraction + length * (1 - fraction));
}

}  // namespace

HitRatioStream::HitRatioStream(const BenchOptions& options, const ZipfTable* table)
    : chooser_(options, table, &next_sequential_, options.seed),
      run_start_probability_(RunStartProbability(options.one_hit_fraction, options.one_hit_run)),
      run_length_(options.one_hit_run),
      next_one_hit_(options.key_count + 1),
      random_(options.seed ^ 0x5bd1e995u) {}

std::uint64_t HitRatioStream::Next() {
  if (run_left_ == 0 && run_start_probability_ > 0 &&
      UnitDouble(random_) < run_start_probability_) {
    run_left_ = run_length_;
  }
  if (run_left_ > 0) {
    --run_left_;
    return next_one_hit_++;
  }
  return chooser_.Next();
}

}  // namespace mnemo::bench
