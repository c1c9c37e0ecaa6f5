// The fixture of the engine conformance suite. Every test drives an engine through the
// abstract Engine interface only, with a ManualClock, so the same tests hold every engine to
// memcached 1.6.18's item semantics. Engines are listed in engines.cc (AllEngines()); a test
// file declares its fixture as `class FooTest : public EngineTest {};` and instantiates it
// with MNEMO_ENGINE_SUITE(FooTest).
// Thread safety: a fixture is used by its test's thread (the concurrency test shares only the
// engine).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "manual_clock.h"
#include "mnemo/engine.h"
#include "mnemo/pending_call.h"

namespace mnemo::conformance {

using EngineMaker = std::function<std::unique_ptr<Engine>(const Clock&)>;

struct EngineFactory {
  std::string name;  // a gtest name: letters, digits and underscores
  EngineMaker make;
};

// Every engine the suite runs against, one line each (engines.cc).
const std::vector<EngineFactory>& AllEngines();

std::string EngineName(const ::testing::TestParamInfo<EngineFactory>& info);
// Names the engine in gtest's failure messages instead of dumping the factory's bytes.
void PrintTo(const EngineFactory& factory, std::ostream* os);

// An owned copy of an ItemView, which is only valid inside the visitor.
using Snapshot = OwnedItem;

struct Fetch {
  GetStatus status = GetStatus::kMiss;
  std::optional<Snapshot> item;  // set exactly when the engine called the visitor
  int calls = 0;                 // how many times the visitor ran
};

class EngineTest : public ::testing::TestWithParam<EngineFactory> {
 protected:
  static constexpr std::int64_t kStart = 1'700'000'000;

  void SetUp() override;

  Engine& engine() { return *engine_; }
  std::int64_t Now() const { return clock_.Now(); }
  void Advance(std::int64_t seconds) { clock_.Advance(seconds); }

  // A request for `key`; the key bytes must outlive the request (literals do).
  static GetRequest GetReq(std::string_view key) { return GetRequest{HashedKey(key)}; }
  static StoreRequest StoreReq(std::string_view key, std::string_view value,
                               StoreMode mode = StoreMode::kSet);
  static ArithRequest ArithReq(std::string_view key, bool increment, std::uint64_t delta);

  StoreResult Store(std::string_view key, std::string_view value, StoreMode mode,
                    std::uint32_t flags = 0, std::int64_t exptime = 0,
                    std::uint64_t compare_cas = 0);
  StoreResult Set(std::string_view key, std::string_view value, std::uint32_t flags = 0,
                  std::int64_t exptime = 0) {
    return Store(key, value, StoreMode::kSet, flags, exptime);
  }
  Fetch Get(const GetRequest& request);
  // A plain get (classic `get`): the item, or nullopt on any kind of miss.
  std::optional<Snapshot> Get(std::string_view key) { return Get(GetReq(key)).item; }
  GetStatus StatusOf(std::string_view key) { return Get(GetReq(key)).status; }
  // An `me`-style look without side effects.
  std::optional<Snapshot> Peek(std::string_view key);
  DeleteStatus Delete(std::string_view key, std::uint64_t compare_cas = 0);
  ArithResult Incr(std::string_view key, std::uint64_t delta) {
    return engine_->Arithmetic(ArithReq(key, true, delta));
  }
  ArithResult Decr(std::string_view key, std::uint64_t delta) {
    return engine_->Arithmetic(ArithReq(key, false, delta));
  }
  TouchStatus Touch(std::string_view key, std::int64_t exptime) {
    return engine_->Touch(HashedKey(key), exptime);
  }
  // Every stat of a group, by name; empty when the engine does not know the group.
  std::map<std::string, std::string> Stats(std::string_view group = "");
  std::uint64_t Stat(const std::string& name);
  std::vector<Snapshot> All();

  testing::ManualClock clock_{kStart};
  std::unique_ptr<Engine> engine_;
};

}  // namespace mnemo::conformance

#define MNEMO_ENGINE_SUITE(Suite)                                                   \
  INSTANTIATE_TEST_SUITE_P(Engines, Suite,                                          \
                           ::testing::ValuesIn(::mnemo::conformance::AllEngines()), \
                           ::mnemo::conformance::EngineName)
