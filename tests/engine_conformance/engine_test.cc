#include "engine_test.h"

#include <cstdlib>

namespace mnemo::conformance {

void EngineTest::SetUp() {
  engine_ = GetParam().make(clock_);
  ASSERT_NE(engine_, nullptr);
}

StoreRequest EngineTest::StoreReq(std::string_view key, std::string_view value, StoreMode mode) {
  StoreRequest request{HashedKey(key)};
  request.mode = mode;
  request.value = value;
  return request;
}

ArithRequest EngineTest::ArithReq(std::string_view key, bool increment, std::uint64_t delta) {
  ArithRequest request{HashedKey(key)};
  request.increment = increment;
  request.delta = delta;
  return request;
}

StoreResult EngineTest::Store(std::string_view key, std::string_view value, StoreMode mode,
                              std::uint32_t flags, std::int64_t exptime,
                              std::uint64_t compare_cas) {
  StoreRequest request = StoreReq(key, value, mode);
  request.client_flags = flags;
  request.exptime = exptime;
  request.compare_cas = compare_cas;
  return engine_->Store(request);
}

Fetch EngineTest::Get(const GetRequest& request) {
  Fetch fetch;
  fetch.status = engine_->Get(request, [&](const ItemView& view) {
    fetch.item = OwnedItem::From(view);
    ++fetch.calls;
  });
  return fetch;
}

std::optional<Snapshot> EngineTest::Peek(std::string_view key) {
  GetRequest request = GetReq(key);
  request.peek = true;
  return Get(request).item;
}

DeleteStatus EngineTest::Delete(std::string_view key, std::uint64_t compare_cas) {
  DeleteRequest request{HashedKey(key)};
  request.compare_cas = compare_cas;
  return engine_->Delete(request);
}

std::map<std::string, std::string> EngineTest::Stats(std::string_view group) {
  std::map<std::string, std::string> stats;
  bool known = engine_->Stats(group, [&](std::string_view name, std::string_view value) {
    stats[std::string(name)] = std::string(value);
  });
  if (!known) stats.clear();
  return stats;
}

std::uint64_t EngineTest::Stat(const std::string& name) {
  std::map<std::string, std::string> stats = Stats();
  auto it = stats.find(name);
  EXPECT_NE(it, stats.end()) << "no stat " << name;
  return it == stats.end() ? 0 : std::strtoull(it->second.c_str(), nullptr, 10);
}

std::vector<Snapshot> EngineTest::All() {
  std::vector<Snapshot> items;
  engine_->ForEach([&](const ItemView& view) {
    items.push_back(OwnedItem::From(view));
    return true;
  });
  return items;
}

}  // namespace mnemo::conformance
