// An engine decorator for the protocol handler tests: keys that start with "down" fail the way
// the proxy engine fails when their upstream is gone (kError from every call), every other key
// goes to the wrapped engine. No local
// engine ever returns kError, so this is how the handlers' rendering of it is tested without
// upstream servers.
// Test-only. Thread safety: as the wrapped engine's; the decorator keeps no state.
#pragma once

#include <cstdint>
#include <string_view>

#include "mnemo/engine.h"

namespace mnemo::testing {

class FailingEngine final : public Engine {
 public:
  explicit FailingEngine(Engine& inner) : inner_(inner) {}

  static bool Down(std::string_view key) { return key.starts_with("down"); }

  GetStatus Get(const GetRequest& request, ItemVisitor on_hit) override {
    if (Down(request.key.key())) return GetStatus::kError;
    return inner_.Get(request, on_hit);
  }
  StoreResult Store(const StoreRequest& request) override {
    if (Down(request.key.key())) return {StoreStatus::kError, 0};
    return inner_.Store(request);
  }
  DeleteStatus Delete(const DeleteRequest& request) override {
    if (Down(request.key.key())) return DeleteStatus::kError;
    return inner_.Delete(request);
  }
  ArithResult Arithmetic(const ArithRequest& request) override {
    if (Down(request.key.key())) return {ArithStatus::kError};
    return inner_.Arithmetic(request);
  }
  TouchStatus Touch(const HashedKey& key, std::int64_t exptime) override {
    if (Down(key.key())) return TouchStatus::kError;
    return inner_.Touch(key, exptime);
  }
  void FlushAll(std::int64_t delay) override { inner_.FlushAll(delay); }
  void ForEach(FunctionRef<bool(const ItemView&)> visit) override { inner_.ForEach(visit); }
  bool Stats(std::string_view group, StatSink sink) override { return inner_.Stats(group, sink); }
  std::int64_t Now() const override { return inner_.Now(); }

 private:
  Engine& inner_;
};

}  // namespace mnemo::testing
