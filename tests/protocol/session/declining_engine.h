// DecliningEngine: the map engine, except that TryGet declines the keys in `declined` and
// every call is counted, so a session test can tell a declined get from one that ran, and a
// capture from a call made. Test-only; single-threaded.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "engines/map/map_engine.h"
#include "mnemo/engine.h"

namespace mnemo::testing {

class DecliningEngine final : public Engine {
 public:
  explicit DecliningEngine(const Clock& clock) : map_(clock) {}

  std::set<std::string, std::less<>> declined;
  bool decline_all = false;
  int gets = 0, try_gets = 0, stores = 0;

  GetStatus Get(const GetRequest& request, ItemVisitor on_hit) override {
    ++gets;
    return map_.Get(request, on_hit);
  }
  std::optional<GetStatus> TryGet(const GetRequest& request, ItemVisitor on_hit) override {
    ++try_gets;
    if (decline_all || declined.count(request.key.key()) != 0) return std::nullopt;
    return map_.Get(request, on_hit);
  }
  StoreResult Store(const StoreRequest& request) override {
    ++stores;
    return map_.Store(request);
  }
  DeleteStatus Delete(const DeleteRequest& request) override { return map_.Delete(request); }
  ArithResult Arithmetic(const ArithRequest& request) override { return map_.Arithmetic(request); }
  TouchStatus Touch(const HashedKey& key, std::int64_t exptime) override {
    return map_.Touch(key, exptime);
  }
  void FlushAll(std::int64_t delay) override { map_.FlushAll(delay); }
  void ForEach(FunctionRef<bool(const ItemView&)> visit) override { map_.ForEach(visit); }
  bool Stats(std::string_view group, StatSink sink) override { return map_.Stats(group, sink); }
  std::int64_t Now() const override { return map_.Now(); }

 private:
  MapEngine map_;
};

}  // namespace mnemo::testing
