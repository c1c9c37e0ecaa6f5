#include "session/deferring_engine.h"

#include <utility>

namespace mnemo {

void DeferringEngine::Finish(std::vector<PendingCall*>& pending) {
  // A consumed request never captured, so its calls all precede this call's captures.
  calls_.erase(calls_.begin(), calls_.begin() + static_cast<std::ptrdiff_t>(consumed_upto_));
  first_new_ -= consumed_upto_;
  next_ -= consumed_upto_;
  consumed_upto_ = 0;
  pending.clear();
  for (std::size_t i = first_new_; i < calls_.size(); ++i) pending.push_back(calls_[i].get());
}

const PendingCall* DeferringEngine::Replay(PendingCall::Kind kind, std::string_view key) {
  if (next_ >= first_new_) return nullptr;
  const PendingCall& call = *calls_[next_];
  if (call.kind() != kind || call.key() != key || !call.done()) return nullptr;
  ++next_;
  return &call;
}

void DeferringEngine::DropUnreplayed() {
  if (next_ >= first_new_) return;
  calls_.resize(next_);
  first_new_ = next_;
}

void DeferringEngine::Record(std::unique_ptr<PendingCall> call) {
  calls_.push_back(std::move(call));
  next_ = calls_.size();
  captured_in_request_ = true;
}

GetStatus DeferringEngine::Get(const GetRequest& request, ItemVisitor on_hit) {
  if (const PendingCall* call = Replay(PendingCall::Kind::kGet, request.key.key())) {
    if (call->item()) on_hit(call->item()->View());
    return call->get_status();
  }
  // Once the request cannot complete in this Process call, its further calls are not made:
  // the request runs again, and makes them then.
  if (refused_ || stop_) return GetStatus::kMiss;
  if (const std::optional<GetStatus> status = engine_.TryGet(request, on_hit)) return *status;
  DropUnreplayed();
  Record(std::make_unique<PendingCall>(request));
  return GetStatus::kMiss;
}

template <class Make>
const PendingCall* DeferringEngine::ReplayOrCapture(PendingCall::Kind kind, const HashedKey& key,
                                                    Make make) {
  if (const PendingCall* call = Replay(kind, key.key())) return call;
  if (refused_ || stop_) return nullptr;
  DropUnreplayed();
  // One such call per batch, alone: it may depend on the gets before it (a cas after gets) or
  // they on it, and its engine makes it in order only within one Submit.
  if (captured()) {
    refused_ = true;
    return nullptr;
  }
  Record(make());
  stop_ = true;
  return nullptr;
}

StoreResult DeferringEngine::Store(const StoreRequest& request) {
  const PendingCall* call = ReplayOrCapture(PendingCall::Kind::kStore, request.key,
                                            [&] { return std::make_unique<PendingCall>(request); });
  return call != nullptr ? call->store_result() : StoreResult{};
}

DeleteStatus DeferringEngine::Delete(const DeleteRequest& request) {
  const PendingCall* call = ReplayOrCapture(PendingCall::Kind::kDelete, request.key,
                                            [&] { return std::make_unique<PendingCall>(request); });
  return call != nullptr ? call->delete_status() : DeleteStatus::kNotFound;
}

ArithResult DeferringEngine::Arithmetic(const ArithRequest& request) {
  const PendingCall* call = ReplayOrCapture(PendingCall::Kind::kArithmetic, request.key,
                                            [&] { return std::make_unique<PendingCall>(request); });
  return call != nullptr ? call->arith_result() : ArithResult{};
}

TouchStatus DeferringEngine::Touch(const HashedKey& key, std::int64_t exptime) {
  const PendingCall* call = ReplayOrCapture(
      PendingCall::Kind::kTouch, key, [&] { return std::make_unique<PendingCall>(key, exptime); });
  return call != nullptr ? call->touch_status() : TouchStatus::kNotFound;
}

}  // namespace mnemo
