// mnemo_hit_ratio_replay: the hit-ratio benchmark (bench/compare/hit_ratio.sh) without a
// server or a socket, for fast iteration on the memory engine's policy and sizing. It replays
// mnemo-bench's seeded hitratio stream (the same HitRatioStream, so the same keys in the same
// order) straight into a MemoryEngine: get each key, and on a miss set it. An in-order replay
// of what mnemo-bench sends, so its ratio matches the server's to about 10^-5 (mnemo-bench's
// pipelining is order-preserving for the ratio, see bench/README.md).
//
//   mnemo_hit_ratio_replay [--requests N] [--keys N] [--value-size A or A-B] [--memory-mb M]
//       [--one-hit-fraction F] [--one-hit-run L] [--seed S] [--segment-kb K] [--shards N]
//
// Prints one line: hit ratio, items at the end, accounted bytes and the engine's sizing.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "engines/memory/memory_engine.h"
#include "key_stream.h"

namespace {

class FixedClock final : public mnemo::Clock {
 public:
  std::int64_t Now() const override { return 1'700'000'000; }
};

struct ReplayOptions {
  mnemo::bench::BenchOptions stream;
  std::size_t memory_mb = 64;
  std::size_t segment_kb = 0;  // 0: the engine's default sizing
  std::size_t shards = 0;
};

bool ParseValueSize(const char* text, mnemo::bench::BenchOptions& stream) {
  char* end = nullptr;
  stream.value_min = static_cast<std::uint32_t>(std::strtoul(text, &end, 10));
  stream.value_max = stream.value_min;
  if (*end == '-') stream.value_max = static_cast<std::uint32_t>(std::strtoul(end + 1, &end, 10));
  return *end == '\0' && stream.value_min <= stream.value_max;
}

// Returns false on an unknown flag or a flag without its value.
bool Parse(int argc, char** argv, ReplayOptions& options) {
  mnemo::bench::BenchOptions& stream = options.stream;
  stream.requests = 5'000'000;
  stream.key_count = 3'900'000;
  stream.distribution = mnemo::bench::Distribution::kZipf;
  for (int i = 1; i < argc; i += 2) {
    if (i + 1 >= argc) return false;
    const std::string_view flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--requests") {
      stream.requests = std::strtoull(value, nullptr, 10);
    } else if (flag == "--keys") {
      stream.key_count = std::strtoull(value, nullptr, 10);
    } else if (flag == "--value-size") {
      if (!ParseValueSize(value, stream)) return false;
    } else if (flag == "--memory-mb") {
      options.memory_mb = std::strtoull(value, nullptr, 10);
    } else if (flag == "--one-hit-fraction") {
      stream.one_hit_fraction = std::strtod(value, nullptr);
    } else if (flag == "--one-hit-run") {
      stream.one_hit_run = std::strtoull(value, nullptr, 10);
    } else if (flag == "--seed") {
      stream.seed = std::strtoull(value, nullptr, 10);
    } else if (flag == "--segment-kb") {
      options.segment_kb = std::strtoull(value, nullptr, 10);
    } else if (flag == "--shards") {
      options.shards = std::strtoull(value, nullptr, 10);
    } else {
      return false;
    }
  }
  return stream.key_count > 0 && options.memory_mb > 0;
}

std::string StatValue(mnemo::MemoryEngine& engine, std::string_view name) {
  std::string found;
  (void)engine.Stats("", [&](std::string_view stat, std::string_view value) {
    if (stat == name) found = value;
  });
  return found;
}

int Run(const ReplayOptions& options) {
  const mnemo::bench::BenchOptions& stream_options = options.stream;
  FixedClock clock;
  mnemo::MemoryEngineConfig config;
  config.memory_limit_bytes = options.memory_mb << 20;
  config.segment_bytes = options.segment_kb << 10;
  config.shards = options.shards;
  mnemo::MemoryEngine engine(clock, config);

  const mnemo::bench::ZipfTable table(stream_options.key_count, stream_options.zipf_exponent);
  mnemo::bench::HitRatioStream stream(stream_options, &table);
  const mnemo::bench::KeyFormat format(stream_options.key_prefix, stream_options.key_count);
  const mnemo::bench::ValueSizer sizer(stream_options.value_min, stream_options.value_max);
  std::vector<char> key_buffer(format.Capacity());
  const std::string values(stream_options.value_max, 'v');

  std::uint64_t hits = 0;
  std::uint64_t failed_sets = 0;
  for (std::uint64_t i = 0; i < stream_options.requests; ++i) {
    const std::uint64_t id = stream.Next();
    const std::string_view key = format.Render(id, key_buffer.data());
    mnemo::GetRequest get{mnemo::HashedKey(key)};
    bool hit = false;
    (void)engine.Get(get, [&](const mnemo::ItemView&) { hit = true; });
    if (hit) {
      ++hits;
      continue;
    }
    mnemo::StoreRequest set{mnemo::HashedKey(key)};
    set.value = std::string_view(values).substr(0, sizer.SizeOf(id));
    if (engine.Store(set).status != mnemo::StoreStatus::kStored) ++failed_sets;
  }
  const double ratio = static_cast<double>(hits) /
                       static_cast<double>(std::max<std::uint64_t>(1, stream_options.requests));
  std::printf(
      "hit_ratio %.6f items %s accounted %zu limit %zu segment %zu shards %zu"
      " failed_sets %llu\n",
      ratio, StatValue(engine, "curr_items").c_str(), engine.accounted_bytes(),
      engine.memory_limit(), engine.segment_bytes(), engine.shard_count(),
      static_cast<unsigned long long>(failed_sets));
  return failed_sets == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  ReplayOptions options;
  if (!Parse(argc, argv, options)) {
    std::fprintf(stderr,
                 "usage: %s [--requests N] [--keys N] [--value-size A[-B]] [--memory-mb M]\n"
                 "  [--one-hit-fraction F] [--one-hit-run L] [--seed S] [--segment-kb K]"
                 " [--shards N]\n",
                 argv[0]);
    return 2;
  }
  return Run(options);
}
