// What the classic ASCII commands can carry, decided once for both of the proxy engine's paths
// (the blocking ProxyEngine calls and the non-blocking ProxyAsyncCalls), so that both refuse
// the same requests and send the same command for the rest; and the counters both report in
// `stats`.
//
// Thread safety: the functions are pure; the counters are atomics, shared by every thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>

#include "mnemo/engine.h"

namespace mnemo::proxy {

struct ProxyCounters {
  std::atomic<std::uint64_t> errors{0};       // failed upstream calls (proxy_upstream_errors)
  std::atomic<std::uint64_t> unsupported{0};  // requests refused (proxy_unsupported)

  void Failed() { errors.fetch_add(1, std::memory_order_relaxed); }
  void Refused() { unsupported.fetch_add(1, std::memory_order_relaxed); }
};

// The classic mode that stores `request`, or nullopt when no classic store carries it: a set or
// replace with a CAS to compare is memcached's cas command (it too stores only over a present
// item with that CAS); a CAS on another mode, a new CAS, meta I or N are refused, since a wrong
// answer would be worse than an error (README.md).
std::optional<StoreMode> ClassicStoreMode(const StoreRequest& request);

// Whether no classic command carries the delete (meta I, or E) / the incr or decr (a CAS to
// compare or assign, meta T).
bool DeleteIsRefused(const DeleteRequest& request);
bool ArithmeticIsRefused(const ArithRequest& request);

}  // namespace mnemo::proxy
