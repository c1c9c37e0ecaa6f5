// TryOnlyEngine: the engine a Session hands its handlers while it runs without blocking
// (Session::Process with EngineCalls::kNonBlocking). Gets go to the real engine's TryGet;
// every other call, and a get TryGet declines, is not made: declined() turns true and a
// placeholder result is returned, whose reply the session throws away before handing the
// request to a call that may block. Internal to libmnemo.
//
// Thread safety: one per Process call, used by that call's thread only.
#pragma once

#include "mnemo/engine.h"

namespace mnemo {

class TryOnlyEngine final : public Engine {
 public:
  explicit TryOnlyEngine(Engine& engine) : engine_(engine) {}

  // True once a call could not be made without blocking.
  bool declined() const { return declined_; }

  GetStatus Get(const GetRequest& request, ItemVisitor on_hit) override {
    if (!declined_) {
      if (const std::optional<GetStatus> status = engine_.TryGet(request, on_hit)) return *status;
    }
    declined_ = true;
    return GetStatus::kMiss;
  }
  std::optional<GetStatus> TryGet(const GetRequest& request, ItemVisitor on_hit) override {
    return Get(request, on_hit);
  }
  StoreResult Store(const StoreRequest& /*request*/) override { return Decline(StoreResult{}); }
  DeleteStatus Delete(const DeleteRequest& /*request*/) override {
    return Decline(DeleteStatus::kNotFound);
  }
  ArithResult Arithmetic(const ArithRequest& /*request*/) override {
    return Decline(ArithResult{});
  }
  TouchStatus Touch(const HashedKey& /*key*/, std::int64_t /*exptime*/) override {
    return Decline(TouchStatus::kNotFound);
  }
  void FlushAll(std::int64_t /*delay*/) override { declined_ = true; }
  void ForEach(FunctionRef<bool(const ItemView&)> /*visit*/) override { declined_ = true; }
  bool Stats(std::string_view /*group*/, StatSink /*sink*/) override { return Decline(true); }
  // Reading the clock never blocks.
  std::int64_t Now() const override { return engine_.Now(); }

 private:
  template <class T>
  T Decline(T placeholder) {
    declined_ = true;
    return placeholder;
  }

  Engine& engine_;
  bool declined_ = false;
};

}  // namespace mnemo
