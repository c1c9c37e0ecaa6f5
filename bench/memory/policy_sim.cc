// mnemo_policy_sim: eviction policies simulated item by item (capacity in items, no bytes) on
// mnemo-bench's seeded hitratio stream, to tell what a policy change could buy before building
// it into the memory engine (docs/BENCHMARKS.md, section 2). Each request is a get, and a set
// on a miss; every missed key is stored (a cache behind get-then-set cannot refuse a set).
//
//   mnemo_policy_sim POLICY CAPACITY [--keys N] [--requests N] [--seed S]
//       [--one-hit-fraction F] [--one-hit-run L] [--ghost G] [--small F] [--threshold T]
//
// POLICY: s3fifo (the engine's policy; ghost G x capacity, small queue F of capacity),
// s3fifo-sketch (S3-FIFO whose small queue also promotes unaccessed items that a count-min
// sketch has seen at least T times), tinylfu (W-TinyLFU: 1% LRU window, segmented LRU main,
// admission by sketch), rank-lfu (evicts the least popular key by its true Zipf rank: a bound
// for any frequency-based policy) and opt (Belady: evicts the key needed furthest ahead).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <list>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "key_stream.h"

namespace {

struct SimOptions {
  mnemo::bench::BenchOptions stream;
  std::string policy;
  std::size_t capacity = 0;
  double ghost = 1.0;
  double small = 0.1;
  int threshold = 2;
};

// Count-min sketch, four rows of 4-bit counters (kept in bytes), conservative update, all
// counters halved after 10 x capacity additions (TinyLFU's aging).
class Sketch {
 public:
  explicit Sketch(std::size_t capacity) : reset_at_(10 * capacity) {
    while (width_ < capacity) width_ <<= 1;
    counters_.assign(4 * width_, 0);
  }
  int Estimate(std::uint64_t id) const {
    int least = 15;
    for (int row = 0; row < 4; ++row) least = std::min<int>(least, counters_[Slot(id, row)]);
    return least;
  }
  void Add(std::uint64_t id) {
    const int estimate = Estimate(id);
    for (int row = 0; row < 4; ++row) {
      std::uint8_t& counter = counters_[Slot(id, row)];
      if (counter == estimate && counter < 15) ++counter;
    }
    if (++additions_ < reset_at_) return;
    additions_ = 0;
    for (std::uint8_t& counter : counters_) counter >>= 1;
  }

 private:
  std::size_t Slot(std::uint64_t id, int row) const {
    std::uint64_t x = id * 4 + static_cast<std::uint64_t>(row) + 1;  // murmur3's finalizer
    x = (x ^ (x >> 33)) * 0xff51afd7ed558ccdULL;
    x = (x ^ (x >> 33)) * 0xc4ceb9fe1a85ec53ULL;
    return static_cast<std::size_t>(row) * width_ + ((x ^ (x >> 33)) & (width_ - 1));
  }
  std::size_t width_ = 1;
  std::size_t reset_at_;
  std::size_t additions_ = 0;
  std::vector<std::uint8_t> counters_;
};

// S3-FIFO as shard_space.cc runs it, one item at a time.
class S3FifoSim {
 public:
  S3FifoSim(const SimOptions& options, std::size_t ids)
      : options_(options),
        where_(ids, 0),
        freq_(ids, 0),
        ghost_stamp_(ids, 0),
        ghost_capacity_(static_cast<std::uint64_t>(options.ghost * options.capacity)),
        sketch_(options.capacity),
        use_sketch_(options.policy == "s3fifo-sketch") {}

  bool Access(std::uint64_t id) {
    if (use_sketch_) sketch_.Add(id);
    if (where_[id] != kNone) {
      freq_[id] = static_cast<std::uint8_t>(std::min(freq_[id] + 1, 3));
      return true;
    }
    while (small_.size() + main_.size() >= options_.capacity) {
      const bool from_small = static_cast<double>(small_.size()) >
                                  options_.small * static_cast<double>(options_.capacity) ||
                              main_.empty();
      from_small ? EvictSmall() : EvictMain();
    }
    const bool remembered = ghost_stamp_[id] != 0 && ghosts_ - ghost_stamp_[id] < ghost_capacity_;
    ghost_stamp_[id] = 0;
    freq_[id] = 0;
    Push(remembered ? kMain : kSmall, id);
    return false;
  }

 private:
  enum : std::uint8_t { kNone, kSmall, kMain };
  void Push(std::uint8_t queue, std::uint64_t id) {
    where_[id] = queue;
    (queue == kMain ? main_ : small_).push_back(id);
  }
  void EvictSmall() {
    const std::uint64_t id = small_.front();
    small_.pop_front();
    if (freq_[id] > 0 || (use_sketch_ && sketch_.Estimate(id) >= options_.threshold)) {
      freq_[id] = 0;
      Push(kMain, id);
      return;
    }
    where_[id] = kNone;
    ghost_stamp_[id] = ++ghosts_;
  }
  void EvictMain() {
    for (;;) {
      const std::uint64_t id = main_.front();
      main_.pop_front();
      if (freq_[id] == 0) {
        where_[id] = kNone;
        return;
      }
      --freq_[id];
      main_.push_back(id);
    }
  }

  const SimOptions& options_;
  std::vector<std::uint8_t> where_, freq_;
  std::vector<std::uint64_t> ghost_stamp_;  // the ghost insertion count when evicted, 0 = none
  std::uint64_t ghosts_ = 0, ghost_capacity_;
  std::deque<std::uint64_t> small_, main_;
  Sketch sketch_;
  bool use_sketch_;
};

// W-TinyLFU (Einziger et al.): an LRU window of 1%, then a segmented LRU (80% protected); a
// window victim enters main only if the sketch counts it more often than main's victim.
class TinyLfuSim {
 public:
  TinyLfuSim(std::size_t capacity, std::size_t ids)
      : window_capacity_(std::max<std::size_t>(1, capacity / 100)),
        main_capacity_(capacity - window_capacity_),
        protected_capacity_(main_capacity_ * 8 / 10),
        at_(ids),
        where_(ids, kNone),
        sketch_(capacity) {}

  bool Access(std::uint64_t id) {
    sketch_.Add(id);
    switch (where_[id]) {
      case kWindow:
        window_.splice(window_.end(), window_, at_[id]);
        return true;
      case kProbation:
        probation_.erase(at_[id]);
        Push(protected_, kProtected, id);
        if (protected_.size() > protected_capacity_) Demote();
        return true;
      case kProtected:
        protected_.splice(protected_.end(), protected_, at_[id]);
        return true;
      default:
        break;
    }
    Push(window_, kWindow, id);
    if (window_.size() > window_capacity_) Admit();
    return false;
  }

 private:
  using List = std::list<std::uint64_t>;
  enum : std::uint8_t { kNone, kWindow, kProbation, kProtected };
  void Push(List& list, std::uint8_t where, std::uint64_t id) {
    list.push_back(id);
    at_[id] = std::prev(list.end());
    where_[id] = where;
  }
  void Demote() {
    const std::uint64_t id = protected_.front();
    protected_.pop_front();
    Push(probation_, kProbation, id);
  }
  void Admit() {
    const std::uint64_t candidate = window_.front();
    window_.pop_front();
    where_[candidate] = kNone;
    if (probation_.size() + protected_.size() >= main_capacity_) {
      List& victims = probation_.empty() ? protected_ : probation_;
      const std::uint64_t victim = victims.front();
      if (sketch_.Estimate(candidate) <= sketch_.Estimate(victim)) return;
      victims.pop_front();
      where_[victim] = kNone;
    }
    Push(probation_, kProbation, candidate);
  }

  std::size_t window_capacity_, main_capacity_, protected_capacity_;
  List window_, probation_, protected_;
  std::vector<List::iterator> at_;
  std::vector<std::uint8_t> where_;
  Sketch sketch_;
};

// Evicts the cached key with the largest priority: its next use (opt) or its rank (rank-lfu).
double KeyedSim(const std::vector<std::uint64_t>& ids, std::size_t capacity, bool opt) {
  std::vector<std::uint64_t> next(ids.size());
  std::vector<std::uint64_t> seen_at(*std::max_element(ids.begin(), ids.end()) + 1, UINT64_MAX);
  for (std::size_t i = ids.size(); i-- > 0;) next[i] = std::exchange(seen_at[ids[i]], i);
  std::vector<std::uint64_t>& priority = seen_at;  // reused: the cached key's priority
  std::vector<bool> cached(priority.size(), false);
  std::set<std::pair<std::uint64_t, std::uint64_t>> cache;
  std::uint64_t hits = 0;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const std::uint64_t id = ids[i];
    if (cached[id]) {
      ++hits;
      cache.erase({priority[id], id});
    } else if (cache.size() >= capacity) {
      const auto last = std::prev(cache.end());
      cached[last->second] = false;
      cache.erase(last);
    }
    cached[id] = true;
    priority[id] = opt ? next[i] : id;
    cache.insert({priority[id], id});
  }
  return static_cast<double>(hits) / static_cast<double>(ids.size());
}

bool Parse(int argc, char** argv, SimOptions& options) {
  if (argc < 3) return false;
  options.policy = argv[1];
  options.capacity = std::strtoull(argv[2], nullptr, 10);
  mnemo::bench::BenchOptions& stream = options.stream;
  stream.requests = 5'000'000;
  stream.key_count = 3'900'000;
  stream.distribution = mnemo::bench::Distribution::kZipf;
  for (int i = 3; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--keys") {
      stream.key_count = std::strtoull(value, nullptr, 10);
    } else if (flag == "--requests") {
      stream.requests = std::strtoull(value, nullptr, 10);
    } else if (flag == "--seed") {
      stream.seed = std::strtoull(value, nullptr, 10);
    } else if (flag == "--one-hit-fraction") {
      stream.one_hit_fraction = std::strtod(value, nullptr);
    } else if (flag == "--one-hit-run") {
      stream.one_hit_run = std::strtoull(value, nullptr, 10);
    } else if (flag == "--ghost") {
      options.ghost = std::strtod(value, nullptr);
    } else if (flag == "--small") {
      options.small = std::strtod(value, nullptr);
    } else if (flag == "--threshold") {
      options.threshold = std::atoi(value);
    } else {
      return false;
    }
  }
  return (argc % 2 == 1) && options.capacity > 0 && stream.key_count > 0;
}

template <class Sim>
double Replay(Sim& sim, const std::vector<std::uint64_t>& ids) {
  std::uint64_t hits = 0;
  for (const std::uint64_t id : ids) hits += sim.Access(id);
  return static_cast<double>(hits) / static_cast<double>(ids.size());
}

}  // namespace

int main(int argc, char** argv) {
  SimOptions options;
  if (!Parse(argc, argv, options)) {
    std::fprintf(stderr,
                 "usage: %s s3fifo|s3fifo-sketch|tinylfu|rank-lfu|opt CAPACITY [--keys N]\n"
                 "  [--requests N] [--seed S] [--one-hit-fraction F] [--one-hit-run L]\n"
                 "  [--ghost G] [--small F] [--threshold T]\n",
                 argv[0]);
    return 2;
  }
  const mnemo::bench::ZipfTable table(options.stream.key_count, options.stream.zipf_exponent);
  mnemo::bench::HitRatioStream stream(options.stream, &table);
  std::vector<std::uint64_t> ids(options.stream.requests);
  for (std::uint64_t& id : ids) id = stream.Next();
  const std::size_t id_space = *std::max_element(ids.begin(), ids.end()) + 1;
  double ratio = 0;
  if (options.policy == "s3fifo" || options.policy == "s3fifo-sketch") {
    S3FifoSim sim(options, id_space);
    ratio = Replay(sim, ids);
  } else if (options.policy == "tinylfu") {
    TinyLfuSim sim(options.capacity, id_space);
    ratio = Replay(sim, ids);
  } else if (options.policy == "rank-lfu" || options.policy == "opt") {
    ratio = KeyedSim(ids, options.capacity, options.policy == "opt");
  } else {
    std::fprintf(stderr, "unknown policy %s\n", options.policy.c_str());
    return 2;
  }
  std::printf("%s capacity %zu hit_ratio %.6f\n", options.policy.c_str(), options.capacity, ratio);
  return 0;
}
