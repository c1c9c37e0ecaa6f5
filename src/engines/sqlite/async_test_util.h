// Test helpers for the SQLite engine's AsyncCalls (sqlite_async_*_test.cc): a CallsDone that
// counts and can be waited for, makers of PendingCalls from owned arguments, and a one-line
// rendering of a call's result for comparing the async path with the blocking one.
//
// Thread safety: CountingDone may be told from any thread and waited for on another; the
// rest is for one test thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "mnemo/pending_call.h"

namespace mnemo::sqlite::testing {

class CountingDone final : public CallsDone {
 public:
  void Done() override {
    std::lock_guard lock(mu_);
    ++count_;
    cv_.notify_all();  // under the lock: the waiter may destroy this as soon as it returns
  }
  void Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return count_ > 0; });
  }
  int count() {
    std::lock_guard lock(mu_);
    return count_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int count_ = 0;  // guarded by mu_
};

// One Submit's calls, owned, and its CallsDone.
struct Batch {
  std::vector<std::unique_ptr<PendingCall>> calls;
  CountingDone done;

  std::vector<PendingCall*> Pointers() const {
    std::vector<PendingCall*> pointers;
    for (const auto& call : calls) pointers.push_back(call.get());
    return pointers;
  }
  void SubmitTo(AsyncCalls& async) { async.Submit(Pointers(), done); }
};

// Builds a PendingCall; the strings its request views are the maker's own copies.
using MakeCall = std::function<std::unique_ptr<PendingCall>()>;

inline MakeCall StoreCall(std::string key, std::string value, StoreMode mode = StoreMode::kSet,
                          std::int64_t exptime = 0, std::uint64_t compare_cas = 0) {
  return [=] {
    StoreRequest request{HashedKey(key)};
    request.mode = mode;
    request.value = value;
    request.client_flags = 7;
    request.exptime = exptime;
    request.compare_cas = compare_cas;
    return std::make_unique<PendingCall>(request);
  };
}

inline MakeCall GetCall(std::string key, std::function<void(GetRequest&)> adjust = {}) {
  return [=] {
    GetRequest request{HashedKey(key)};
    if (adjust) adjust(request);
    return std::make_unique<PendingCall>(request);
  };
}

inline MakeCall DeleteCall(std::string key) {
  return [=] { return std::make_unique<PendingCall>(DeleteRequest{HashedKey(key)}); };
}

inline MakeCall ArithCall(std::string key, bool increment, std::uint64_t delta,
                          std::optional<std::int64_t> create_exptime = std::nullopt) {
  return [=] {
    ArithRequest request{HashedKey(key)};
    request.increment = increment;
    request.delta = delta;
    request.create_exptime = create_exptime;
    request.initial = 40;
    return std::make_unique<PendingCall>(request);
  };
}

inline MakeCall TouchCall(std::string key, std::int64_t exptime) {
  return [=] { return std::make_unique<PendingCall>(HashedKey(key), exptime); };
}

// Everything a call's result holds, on one line.
inline std::string Describe(const PendingCall& call) {
  std::ostringstream out;
  out << call.key() << (call.done() ? " done " : " NOT DONE ");
  switch (call.kind()) {
    case PendingCall::Kind::kGet:
      out << "get " << static_cast<int>(call.get_status());
      if (const std::optional<OwnedItem>& item = call.item()) {
        out << " [" << item->key << " " << item->value << " " << item->client_flags << " "
            << item->cas << " " << item->deadline << " " << item->last_access << " "
            << item->fetched << item->stale << item->win << item->lost << " "
            << item->deadline_before << " " << item->binary_key << item->vivified << "]";
      }
      break;
    case PendingCall::Kind::kStore:
      out << "store " << static_cast<int>(call.store_result().status) << " "
          << call.store_result().cas;
      break;
    case PendingCall::Kind::kDelete:
      out << "delete " << static_cast<int>(call.delete_status());
      break;
    case PendingCall::Kind::kArithmetic: {
      const ArithResult& result = call.arith_result();
      out << "arith " << static_cast<int>(result.status) << " " << result.value << " " << result.cas
          << " " << result.deadline << " " << result.deadline_before;
      break;
    }
    case PendingCall::Kind::kTouch:
      out << "touch " << static_cast<int>(call.touch_status());
      break;
  }
  return out.str();
}

}  // namespace mnemo::sqlite::testing
