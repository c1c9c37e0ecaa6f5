// mnemo_bytes_per_item: what one item costs the memory engine beyond its key and value. Loads
// N items (default 1,000,000) named key:0000001, key:0000002, ... with 100-byte values under
// a limit high enough that nothing is evicted, and prints the growth of the process's RSS
// per item minus the item's key and value bytes: header, index, ghost and segment slack.
//
//   mnemo_bytes_per_item [items] [value_bytes]
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "engines/memory/memory_engine.h"

namespace {

class FixedClock final : public mnemo::Clock {
 public:
  std::int64_t Now() const override { return 1'700'000'000; }
};

// Resident bytes of this process, from /proc/self/statm (second field, in pages).
long long ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  long long size = 0;
  long long resident = 0;
  statm >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

}  // namespace

int main(int argc, char** argv) {
  const long items = argc > 1 ? std::atol(argv[1]) : 1'000'000;
  const std::size_t value_bytes = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 100;
  FixedClock clock;
  mnemo::MemoryEngineConfig config;
  config.memory_limit_bytes = std::size_t{8} << 30;  // nothing may be evicted
  mnemo::MemoryEngine engine(clock, config);
  const std::string value(value_bytes, 'v');
  char key[32];

  const long long before = ResidentBytes();
  for (long i = 1; i <= items; ++i) {
    const int length = std::snprintf(key, sizeof(key), "key:%07ld", i);
    mnemo::StoreRequest request{mnemo::HashedKey(std::string_view(key, length))};
    request.value = value;
    if (engine.Store(request).status != mnemo::StoreStatus::kStored) {
      std::fprintf(stderr, "store %ld failed\n", i);
      return 1;
    }
  }
  const long long after = ResidentBytes();

  std::size_t payload = 0;  // key + value bytes of every item
  for (long i = 1; i <= items; ++i) {
    payload += static_cast<std::size_t>(std::snprintf(key, sizeof(key), "key:%07ld", i));
    payload += value_bytes;
  }
  const double per_item = static_cast<double>(after - before) / static_cast<double>(items);
  const double data = static_cast<double>(payload) / static_cast<double>(items);
  std::printf("items                 %ld\n", items);
  std::printf("key+value bytes/item  %.1f\n", data);
  std::printf("RSS growth            %lld bytes\n", after - before);
  std::printf("RSS bytes/item        %.1f\n", per_item);
  std::printf("overhead bytes/item   %.1f (RSS)\n", per_item - data);
  std::printf("overhead bytes/item   %.1f (accounted: %zu bytes charged to the limit)\n",
              static_cast<double>(engine.accounted_bytes()) / static_cast<double>(items) - data,
              engine.accounted_bytes());
  std::printf("shards %zu, segment %zu bytes\n", engine.shard_count(), engine.segment_bytes());
  return 0;
}
