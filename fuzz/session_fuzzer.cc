// Session fuzzer: arbitrary bytes (any mix of classic, meta and binary, valid or not) through a
// Session over a MapEngine. Invariants: Process never consumes more than it is given, and the
// reply bytes do not depend on how the input is split into reads (whole vs. fragments whose
// sizes come from the input itself).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "engines/map/map_engine.h"
#include "mnemo/session.h"

namespace {

class FixedClock final : public mnemo::Clock {
 public:
  std::int64_t Now() const override { return 1'700'000'000; }
};

std::string Run(std::string_view input, std::size_t fragment) {
  FixedClock clock;
  mnemo::MapEngine engine(clock);
  mnemo::SessionConfig config;
  config.item_size_max = 4096;
  mnemo::CommandCounters counters;
  mnemo::Session session(engine, config, counters);
  std::string buffer, output;
  std::size_t fed = 0;
  while (fed < input.size() && !session.closing()) {
    std::size_t n = std::min(fragment, input.size() - fed);
    buffer.append(input.substr(fed, n));
    fed += n;
    std::size_t used;
    do {  // Process may pause at its output high-water mark; call again until it stalls.
      used = session.Process(buffer, output);
      if (used > buffer.size()) std::abort();
      buffer.erase(0, used);
    } while (used > 0 && !buffer.empty() && !session.closing());
  }
  return output;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::size_t fragment = 1 + data[0] % 16;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string whole = Run(input, input.size() == 0 ? 1 : input.size());
  std::string split = Run(input, fragment);
  if (whole != split) std::abort();
  return 0;
}
