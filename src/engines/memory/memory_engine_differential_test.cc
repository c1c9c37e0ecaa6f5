// The memory engine against the reference MapEngine: the same random stream of operations on a
// few keys (every store mode, meta flags, incr/decr, touch, delayed and immediate flush_all,
// time passing) must give the same results, item views and live item counts, CAS values
// included. The memory engine runs with small segments, either with room to spare or with a
// limit far below what is written but above what is live and eviction off: then it must
// keep reclaiming dead bytes (merging segments, dropping expired items) and never evict.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <utility>

#include "engines/map/map_engine.h"
#include "engines/memory/memory_engine.h"
#include "manual_clock.h"

namespace mnemo {
namespace {

// Everything an operation returned, as text, so that a mismatch prints both sides.
class Recorder {
 public:
  explicit Recorder(Engine& engine) : engine_(engine) {}

  std::string Get(const GetRequest& request) {
    std::ostringstream out;
    GetStatus status = engine_.Get(request, [&](const ItemView& v) {
      out << "[" << v.key << "=" << v.value << " f" << v.client_flags << " c" << v.cas << " d"
          << v.deadline << " la" << v.last_access << " " << v.fetched << v.stale << v.win << v.lost
          << "]";
    });
    // Only a hit and the kind of a miss: the memory engine's expiry scan may reclaim an
    // expired or flushed item before it is asked for, as memcached's crawler does.
    out << (status == GetStatus::kHit ? " hit" : " miss");
    return out.str();
  }
  std::string Store(const StoreRequest& request) {
    StoreResult r = engine_.Store(request);
    return "store " + std::to_string(static_cast<int>(r.status)) + " cas " + std::to_string(r.cas);
  }
  std::string Arith(const ArithRequest& request) {
    ArithResult r = engine_.Arithmetic(request);
    return "arith " + std::to_string(static_cast<int>(r.status)) + " " + std::to_string(r.value) +
           " cas " + std::to_string(r.cas) + " d " + std::to_string(r.deadline);
  }
  std::string Items() {
    std::map<std::string, std::string> items;
    engine_.ForEach([&](const ItemView& v) {
      items[std::string(v.key)] = std::string(v.value) + "/" + std::to_string(v.cas);
      return true;
    });
    std::string text;
    for (const auto& [key, value] : items) text += key + "=" + value + " ";
    std::map<std::string, std::string> stats;
    engine_.Stats("", [&](std::string_view name, std::string_view value) {
      stats[std::string(name)] = std::string(value);
    });
    for (const char* name : {"curr_items", "total_items", "bytes"}) {
      text += std::string(name) + "=" + stats[name] + " ";
    }
    return text;
  }

 private:
  Engine& engine_;
};

struct Setup {
  int seed;
  std::size_t limit;
  bool evict;
};

// Draws random requests and applies each to both engines; every step returns what the map
// engine and the memory engine answered.
class Driver {
 public:
  explicit Driver(const Setup& setup)
      : memory_(
            clock_,
            {.memory_limit_bytes = setup.limit, .evict = setup.evict, .segment_bytes = 16 << 10}),
        rng_(static_cast<std::uint64_t>(setup.seed)) {}

  std::pair<std::string, std::string> Step() {
    key_ = "k" + std::to_string(rng_() % 12);
    // Mostly tiny values, a quarter up to 3000 bytes, a few kept in pages of their own.
    const std::uint64_t pick = rng_() % 40;
    const std::size_t size = pick == 0   ? 5000 + rng_() % 2000
                             : pick < 10 ? rng_() % 3000
                                         : rng_() % 8;
    value_.assign(size, static_cast<char>('a' + rng_() % 3));
    number_ = std::to_string(rng_() % 20);
    const std::uint64_t op = rng_() % 100;
    std::pair<std::string, std::string> results;
    if (op < 30) {
      results = StoreStep();
    } else if (op < 60) {
      results = GetStep();
    } else if (op < 72) {
      results = ArithStep();
    } else if (op < 82) {
      results = DeleteStep();
    } else {
      results = OtherStep(op);
    }
    // Follow the CAS counter so that compare_cas often hits the newest item.
    const std::size_t at = results.first.find("cas ");
    if (at != std::string::npos) {
      last_cas_ = std::max<std::uint64_t>(last_cas_, std::stoull(results.first.substr(at + 4)));
    }
    return results;
  }
  std::pair<std::string, std::string> Items() { return {expected_.Items(), actual_.Items()}; }
  const std::string& key() const { return key_; }

 private:
  std::optional<std::int64_t> MaybeTtl() {
    if (rng_() % 3 != 0) return std::nullopt;
    static constexpr std::int64_t kTtls[] = {-1, 0, 1, 2, 5, 30};
    return kTtls[rng_() % 6];
  }
  std::optional<std::int64_t> Sometimes(int one_in) {
    return rng_() % one_in == 0 ? MaybeTtl() : std::nullopt;
  }

  std::pair<std::string, std::string> StoreStep() {
    StoreRequest request{HashedKey(key_)};
    request.mode = static_cast<StoreMode>(rng_() % 6);
    request.value = rng_() % 4 == 0 ? std::string_view(number_) : std::string_view(value_);
    request.client_flags = rng_() % 3 == 0 ? static_cast<std::uint32_t>(rng_()) : 0;
    request.exptime = MaybeTtl().value_or(0);
    if (request.mode == StoreMode::kCas || rng_() % 8 == 0) {
      request.compare_cas = rng_() % 2 == 0 ? last_cas_ : rng_() % (last_cas_ + 2);
    }
    request.invalidate = rng_() % 6 == 0;
    request.vivify_exptime = Sometimes(5);
    return {expected_.Store(request), actual_.Store(request)};
  }
  std::pair<std::string, std::string> GetStep() {
    GetRequest request{HashedKey(key_)};
    request.touch_exptime = Sometimes(5);
    request.vivify_exptime = Sometimes(5);
    request.recache_ttl = Sometimes(5);
    request.bump = rng_() % 4 != 0;
    request.peek = rng_() % 10 == 0;
    return {expected_.Get(request), actual_.Get(request)};
  }
  std::pair<std::string, std::string> ArithStep() {
    ArithRequest request{HashedKey(key_)};
    request.increment = rng_() % 2 == 0;
    request.delta = rng_() % 3 == 0 ? ~std::uint64_t{0} - rng_() % 3 : rng_() % 150;
    request.create_exptime = Sometimes(3);
    request.initial = rng_() % 1000;
    request.touch_exptime = Sometimes(6);
    request.compare_cas = rng_() % 8 == 0 ? last_cas_ : 0;
    return {expected_.Arith(request), actual_.Arith(request)};
  }
  std::pair<std::string, std::string> DeleteStep() {
    DeleteRequest request{HashedKey(key_)};
    request.compare_cas = rng_() % 4 == 0 ? last_cas_ : 0;
    request.invalidate = rng_() % 3 == 0;
    request.invalidate_exptime = Sometimes(3);
    return {std::to_string(static_cast<int>(map_.Delete(request))),
            std::to_string(static_cast<int>(memory_.Delete(request)))};
  }
  std::pair<std::string, std::string> OtherStep(std::uint64_t op) {
    if (op < 88) {
      const std::int64_t exptime = MaybeTtl().value_or(10);
      return {std::to_string(static_cast<int>(map_.Touch(HashedKey(key_), exptime))),
              std::to_string(static_cast<int>(memory_.Touch(HashedKey(key_), exptime)))};
    }
    if (op < 90) {
      const std::int64_t delay = rng_() % 3 == 0 ? 0 : static_cast<std::int64_t>(rng_() % 6) - 1;
      map_.FlushAll(delay);
      memory_.FlushAll(delay);
      return {"flush", "flush"};
    }
    if (op < 97) {
      clock_.Advance(static_cast<std::int64_t>(rng_() % 3));
      return {"tick", "tick"};
    }
    return Items();
  }

  testing::ManualClock clock_;
  MapEngine map_{clock_};
  MemoryEngine memory_;
  Recorder expected_{map_}, actual_{memory_};
  std::mt19937_64 rng_;
  std::uint64_t last_cas_ = 0;
  std::string key_, value_, number_;
};

class DifferentialTest : public ::testing::TestWithParam<Setup> {};

TEST_P(DifferentialTest, SameResultsAsTheMapEngine) {
  Driver driver(GetParam());
  for (int step = 0; step < 20000; ++step) {
    const auto [want, got] = driver.Step();
    ASSERT_EQ(want, got) << "step " << step << " key " << driver.key();
  }
  const auto [want, got] = driver.Items();
  EXPECT_EQ(want, got);
}

INSTANTIATE_TEST_SUITE_P(Roomy, DifferentialTest,
                         ::testing::Values(Setup{1, 64 << 20, true}, Setup{2, 64 << 20, true},
                                           Setup{3, 64 << 20, true}));
INSTANTIATE_TEST_SUITE_P(Reclaiming, DifferentialTest,
                         ::testing::Values(Setup{4, 256 << 10, false}, Setup{5, 256 << 10, false},
                                           Setup{6, 256 << 10, false}));

}  // namespace
}  // namespace mnemo
