// Engine calls made later: what lets a host serve an engine whose calls wait (on disk, on an
// upstream server) without a thread that sleeps for each of them.
//
// Session::Process with EngineCalls::kNonBlocking runs what Engine::TryGet answers at once. A
// request that needs more is stopped before it has any effect, and the calls it needs are
// captured as PendingCalls: owned copies of the arguments, a slot for the result. The host
// makes them -- PendingCall::RunOn on a thread that may block, or AsyncCalls::Submit, which
// does not block at all -- and calls Process again on the same input: the requests are
// replayed, their calls answered from the results, and their replies are those the engine's
// own answers would have given.
//
// Thread safety: a PendingCall belongs to one session; the host hands it to one thread at a
// time (the engine's, while submitted) and reads its result only after CallsDone::Done.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>

#include "mnemo/engine.h"

namespace mnemo {

// An item with owned bytes: a get's result kept past the visitor call that saw it.
struct OwnedItem {
  std::string key;
  std::string value;
  std::uint32_t client_flags = 0;
  std::uint64_t cas = 0;
  std::int64_t deadline = 0;
  std::int64_t last_access = 0;
  bool fetched = false;
  bool stale = false;
  bool win = false;
  bool lost = false;
  std::int64_t deadline_before = 0;
  bool binary_key = false;
  bool vivified = false;

  static OwnedItem From(const ItemView& view);
  // Views this item's bytes: valid while it lives unchanged.
  ItemView View() const;
};

// One engine call with owned arguments and, once made, its result. Not copyable or movable:
// the requests' keys and values view `key` and `value`, so it lives where it was created
// (sessions keep them behind unique_ptr).
class PendingCall {
 public:
  enum class Kind : std::uint8_t { kGet, kStore, kDelete, kArithmetic, kTouch };

  // Copies the request's key (and a store's value); the copy's HashedKey keeps the hash.
  explicit PendingCall(const GetRequest& request);
  explicit PendingCall(const StoreRequest& request);
  explicit PendingCall(const DeleteRequest& request);
  explicit PendingCall(const ArithRequest& request);
  PendingCall(const HashedKey& key, std::int64_t touch_exptime);
  PendingCall(const PendingCall&) = delete;
  PendingCall& operator=(const PendingCall&) = delete;

  Kind kind() const { return kind_; }
  std::string_view key() const { return key_; }
  // The key with its hash, as every kind's request holds it (a touch's only argument but one).
  const HashedKey& hashed_key() const { return hashed_key_; }
  // The arguments, for the accessor of kind() only. Their views point into this object.
  const GetRequest& get() const { return std::get<GetRequest>(request_); }
  const StoreRequest& store() const { return std::get<StoreRequest>(request_); }
  const DeleteRequest& del() const { return std::get<DeleteRequest>(request_); }
  const ArithRequest& arithmetic() const { return std::get<ArithRequest>(request_); }
  std::int64_t touch_exptime() const { return std::get<std::int64_t>(request_); }

  // Makes the call on `engine` (which may block) and records the result.
  void RunOn(Engine& engine);

  // Record a result made elsewhere (an engine's AsyncCalls). Exactly one per call, matching
  // kind(); `item` only with GetStatus::kHit. An engine that could not make the call answers
  // as its blocking call would have, e.g. the proxy's kError for every kind.
  void SetGet(GetStatus status, std::optional<OwnedItem> item = std::nullopt);
  void SetStore(StoreResult result);
  void SetDelete(DeleteStatus status);
  void SetArithmetic(ArithResult result);
  void SetTouch(TouchStatus status);

  bool done() const { return done_; }
  GetStatus get_status() const { return get_status_; }
  const std::optional<OwnedItem>& item() const { return item_; }
  const StoreResult& store_result() const { return store_result_; }
  DeleteStatus delete_status() const { return delete_status_; }
  const ArithResult& arith_result() const { return arith_result_; }
  TouchStatus touch_status() const { return touch_status_; }

 private:
  Kind kind_;
  std::string key_;
  std::string value_;
  HashedKey hashed_key_{""};
  // Indexed as Kind; a touch keeps its key in key_ and its exptime here.
  std::variant<GetRequest, StoreRequest, DeleteRequest, ArithRequest, std::int64_t> request_;

  bool done_ = false;
  GetStatus get_status_ = GetStatus::kMiss;
  std::optional<OwnedItem> item_;
  StoreResult store_result_;
  DeleteStatus delete_status_ = DeleteStatus::kNotFound;
  ArithResult arith_result_;
  TouchStatus touch_status_ = TouchStatus::kNotFound;
};

// Told once when every call of one AsyncCalls::Submit has its result.
class CallsDone {
 public:
  virtual ~CallsDone() = default;
  // Runs on any thread (the engine's own, or the submitting one, even before Submit returns);
  // the host moves back to its own thread from here. Called exactly once per Submit.
  virtual void Done() = 0;
};

// Implemented by engines that can make PendingCalls without blocking the calling thread: the
// proxy sends them to its upstream servers on the caller's event loop, the sqlite engine hands
// writes to its writer thread. A host creates one per network thread (how is the engine's
// business: e.g. ProxyEngine makes one per event loop).
//
// Thread safety: Submit is called from the thread that owns this object only; the calls and
// `done` must stay valid until done->Done() has been called.
class AsyncCalls {
 public:
  virtual ~AsyncCalls() = default;
  // Starts the calls, in this order where order matters (a write before a later get of the
  // same key), and calls done->Done() once all have results.
  virtual void Submit(std::span<PendingCall* const> calls, CallsDone& done) = 0;
};

}  // namespace mnemo
