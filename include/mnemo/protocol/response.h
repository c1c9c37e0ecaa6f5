// Typed outcomes of engine operations, shared by every protocol's encoder. Protocol outcomes
// (a miss, NOT_STORED, a CAS conflict) are values here, never errors.
// Thread safety: value types.
#pragma once

#include <cstdint>

namespace mnemo {

enum class StoreStatus : std::uint8_t {
  kStored,
  kNotStored,  // add on a present key, replace/append/prepend on a missing one
  kExists,     // CAS mismatch
  kNotFound,   // CAS given but no such item
  kTooLarge,   // item larger than the item size limit
  kNoMemory,   // no room and eviction is off (or impossible)
};

enum class DeleteStatus : std::uint8_t { kDeleted, kNotFound, kExists };

enum class TouchStatus : std::uint8_t { kTouched, kNotFound };

enum class ArithStatus : std::uint8_t {
  kOk,
  kNotFound,
  kNonNumeric,  // stored value is not a decimal unsigned 64-bit number
  kExists,      // CAS mismatch
  kNotStored,   // auto-create failed (no memory / too large)
};

// Every status but kHit is a miss; the kinds are told apart for get_expired/get_flushed stats.
enum class GetStatus : std::uint8_t { kHit, kMiss, kExpired, kFlushed };

}  // namespace mnemo
