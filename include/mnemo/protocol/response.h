// Typed outcomes of engine operations, shared by every protocol's encoder. Protocol outcomes
// (a miss, NOT_STORED, a CAS conflict) are values here, never errors.
// Thread safety: value types.
#pragma once

#include <cstdint>
#include <string_view>

namespace mnemo {

// kError below: the engine could not answer at all (the proxy engine's upstream failed or broke
// its reply). No local engine returns it. Every protocol renders it as a server error with this
// text -- memcached's own proxy words a backend failure exactly so ("SERVER_ERROR backend
// failure"; binary: status 0x86 Temporary failure with this body) -- so that a client sees a
// failure, not a miss it would cache or a NOT_FOUND it would trust.
inline constexpr std::string_view kBackendFailure = "backend failure";

enum class StoreStatus : std::uint8_t {
  kStored,
  kNotStored,  // add on a present key, replace/append/prepend on a missing one
  kExists,     // CAS mismatch
  kNotFound,   // CAS given but no such item
  kTooLarge,   // item larger than the item size limit
  kNoMemory,   // no room and eviction is off (or impossible)
  kError,      // the engine could not answer (see kBackendFailure)
};

enum class DeleteStatus : std::uint8_t { kDeleted, kNotFound, kExists, kError };

enum class TouchStatus : std::uint8_t { kTouched, kNotFound, kError };

enum class ArithStatus : std::uint8_t {
  kOk,
  kNotFound,
  kNonNumeric,  // stored value is not a decimal unsigned 64-bit number
  kExists,      // CAS mismatch
  kNotStored,   // auto-create failed (no memory / too large)
  kError,       // the engine could not answer (see kBackendFailure)
};

// kMiss, kExpired and kFlushed are misses, told apart for get_expired/get_flushed stats; kError
// is neither hit nor miss (see kBackendFailure).
enum class GetStatus : std::uint8_t { kHit, kMiss, kExpired, kFlushed, kError };

}  // namespace mnemo
