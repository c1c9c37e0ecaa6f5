// The writer's half of the Engine calls, shared by SqliteEngine's blocking methods
// (sqlite_engine.cc) and its AsyncCalls (sqlite_engine_async.cc): both run the very same
// WriteOps operation inside the writer's transaction and answer a failure -- of the operation
// or of the commit that should have held it -- with the same reply.
//
// Failure replies: a store answers kNoMemory (memcached's "SERVER_ERROR out of memory storing
// object"), incr/decr kNotStored ("SERVER_ERROR out of memory"); delete, touch and a get the
// writer failed (gat, a reclaim) answer kError, a SERVER_ERROR: "not found" would be a lie.
//
// Thread safety: plain functions and constants; Record runs on the writer thread.
#pragma once

#include <utility>

#include "mnemo/engine.h"
#include "mnemo/result.h"

namespace mnemo::sqlite {

inline constexpr StoreResult kStoreFailed{StoreStatus::kNoMemory, 0};
inline constexpr ArithResult kArithFailed{ArithStatus::kNotStored};
inline constexpr DeleteStatus kDeleteFailed = DeleteStatus::kError;
inline constexpr TouchStatus kTouchFailed = TouchStatus::kError;
inline constexpr GetStatus kGetFailed = GetStatus::kError;

// Moves an operation's result into `out` when it succeeded; returns whether it did (a writer
// operation's return value). `out` keeps its failure reply otherwise.
template <class T>
bool Record(Result<T> got, T& out) {
  if (!got.ok()) return false;
  out = std::move(got).value();
  return true;
}

}  // namespace mnemo::sqlite
