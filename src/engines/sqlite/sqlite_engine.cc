// SqliteEngine: the Engine methods, each handed to the writer thread or read on the
// calling thread through a reader connection.
// Reads are in sqlite_engine_read.cc, Stats in sqlite_engine_stats.cc, Open in
// sqlite_engine_open.cc, the AsyncCalls in sqlite_engine_async.cc.
#include "engines/sqlite/sqlite_engine.h"

#include <utility>

#include "engines/sqlite/engine_calls.h"
#include "engines/sqlite/engine_state.h"
#include "engines/sqlite/reader_pool.h"
#include "engines/sqlite/schema.h"
#include "engines/sqlite/task_threads.h"
#include "engines/sqlite/write_ops.h"
#include "engines/sqlite/writer.h"

namespace mnemo {

using sqlite::WriteOps;

SqliteEngine::SqliteEngine(const Clock& clock, std::unique_ptr<sqlite::FileLock> lock,
                           std::unique_ptr<sqlite::SharedState> shared,
                           std::unique_ptr<sqlite::Writer> writer,
                           std::unique_ptr<sqlite::ReaderPool> readers)
    : clock_(clock),
      lock_(std::move(lock)),
      shared_(std::move(shared)),
      writer_(std::move(writer)),
      readers_(std::move(readers)) {}

SqliteEngine::~SqliteEngine() = default;

const SqliteEngineConfig& SqliteEngine::config() const { return shared_->config(); }

// The writer's half of each call and its failure reply are engine_calls.h's, shared with the
// AsyncCalls (sqlite_engine_async.cc).
StoreResult SqliteEngine::Store(const StoreRequest& request) {
  StoreResult result = sqlite::kStoreFailed;
  const bool ok =
      writer_->Run([&](WriteOps& ops) { return sqlite::Record(ops.Store(request), result); });
  return ok ? result : sqlite::kStoreFailed;
}

DeleteStatus SqliteEngine::Delete(const DeleteRequest& request) {
  DeleteStatus status = sqlite::kDeleteFailed;
  const bool ok =
      writer_->Run([&](WriteOps& ops) { return sqlite::Record(ops.Delete(request), status); });
  return ok ? status : sqlite::kDeleteFailed;
}

ArithResult SqliteEngine::Arithmetic(const ArithRequest& request) {
  ArithResult result = sqlite::kArithFailed;
  const bool ok =
      writer_->Run([&](WriteOps& ops) { return sqlite::Record(ops.Arithmetic(request), result); });
  return ok ? result : sqlite::kArithFailed;
}

TouchStatus SqliteEngine::Touch(const HashedKey& key, std::int64_t exptime) {
  TouchStatus status = sqlite::kTouchFailed;
  const bool ok =
      writer_->Run([&](WriteOps& ops) { return sqlite::Record(ops.Touch(key, exptime), status); });
  return ok ? status : sqlite::kTouchFailed;
}

void SqliteEngine::FlushAll(std::int64_t delay) {
  writer_->Run([&](WriteOps& ops) { return ops.FlushAll(delay).ok(); });
}

sqlite::GetOutcome SqliteEngine::WriterGet(const GetRequest& request) {
  sqlite::GetOutcome outcome;
  const bool ok =
      writer_->Run([&](WriteOps& ops) { return sqlite::Record(ops.Get(request), outcome); });
  return ok ? std::move(outcome) : sqlite::GetOutcome{sqlite::kGetFailed, std::nullopt};
}

}  // namespace mnemo
