// DeferringEngine: the engine a Session hands its handlers while it runs without blocking
// (Session::Process with EngineCalls::kNonBlocking). It answers a call in one of three ways:
//
//  - replayed: the call is the next one a previous Process call captured, and that capture now
//    holds its result (the host made it): the result is returned as the engine's own.
//  - at once: a get the real engine's TryGet answers.
//  - captured: any other get, store, delete, arithmetic or touch is recorded as a PendingCall
//    for the host to make, and a placeholder result is returned; the session throws away the
//    reply built from it and runs the request again, replayed, once the call has its result.
//
// A capture batch is either gets only, or one call of another kind (the first capture of the
// Process call; later ones are refused, so the request needing it stops the session before
// it). flush_all, stats and item dumps (FlushAll, Stats, ForEach) are never captured: refused.
// A replayed call must match the next capture in kind and key; on a mismatch the captures not
// yet replayed are discarded and the call is treated as new. A get TryGet answered before a
// capture, in a request that was then replayed, is answered by TryGet again on replay: it is
// not recorded, so an engine whose TryGet has side effects (LRU bump, fetched bit) sees them
// twice.
//
// Internal to libmnemo. Thread safety: one per Process call, used by that call's thread only;
// the captures it records into belong to the session.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

#include "mnemo/engine.h"
#include "mnemo/pending_call.h"

namespace mnemo {

class DeferringEngine final : public Engine {
 public:
  // `calls`: the session's captures from earlier calls (all replayed first, in order, as far
  // as they match); new captures are appended to it.
  DeferringEngine(Engine& engine, std::vector<std::unique_ptr<PendingCall>>& calls)
      : engine_(engine), calls_(calls), first_new_(calls.size()) {}

  // Marks where the next request's calls begin.
  void BeginRequest() { captured_in_request_ = false; }
  // The request just run was consumed: its replayed calls are no longer needed.
  void RequestConsumed() { consumed_upto_ = next_; }
  // True when the request since BeginRequest captured a call.
  bool captured_in_request() const { return captured_in_request_; }
  // True once a call had to be refused (see above): the request that made it must not run.
  bool refused() const { return refused_; }
  // True once a call other than a get was captured: the session stops after its request.
  bool stop() const { return stop_; }
  // True when this Process call captured anything.
  bool captured() const { return calls_.size() > first_new_; }
  // Drops the captures of consumed requests from the session's list and lists in `pending`
  // those this Process call made, for the host.
  void Finish(std::vector<PendingCall*>& pending);

  GetStatus Get(const GetRequest& request, ItemVisitor on_hit) override;
  std::optional<GetStatus> TryGet(const GetRequest& request, ItemVisitor on_hit) override {
    return Get(request, on_hit);
  }
  StoreResult Store(const StoreRequest& request) override;
  DeleteStatus Delete(const DeleteRequest& request) override;
  ArithResult Arithmetic(const ArithRequest& request) override;
  TouchStatus Touch(const HashedKey& key, std::int64_t exptime) override;
  void FlushAll(std::int64_t /*delay*/) override { refused_ = true; }
  void ForEach(FunctionRef<bool(const ItemView&)> /*visit*/) override { refused_ = true; }
  bool Stats(std::string_view /*group*/, StatSink /*sink*/) override {
    refused_ = true;
    return true;
  }
  // Reading the clock never blocks.
  std::int64_t Now() const override { return engine_.Now(); }

 private:
  // The next capture of an earlier Process call, if it is done and matches; then it counts as
  // replayed.
  const PendingCall* Replay(PendingCall::Kind kind, std::string_view key);
  // Discards the captures of earlier calls not replayed yet (a mismatch).
  void DropUnreplayed();
  // For every call but a get: the replayed capture, or nullptr after capturing the call (made
  // by `make`) or refusing it.
  template <class Make>
  const PendingCall* ReplayOrCapture(PendingCall::Kind kind, const HashedKey& key, Make make);
  void Record(std::unique_ptr<PendingCall> call);

  Engine& engine_;
  std::vector<std::unique_ptr<PendingCall>>& calls_;
  std::size_t first_new_;          // calls_[first_new_...] were captured by this Process call
  std::size_t next_ = 0;           // the next call's place in calls_
  std::size_t consumed_upto_ = 0;  // calls_[0, consumed_upto_) belong to consumed requests
  bool captured_in_request_ = false;
  bool refused_ = false;
  bool stop_ = false;
};

}  // namespace mnemo
