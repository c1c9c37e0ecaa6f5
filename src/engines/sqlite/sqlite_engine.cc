// SqliteEngine: the Engine methods, each handed to the writer thread or read on the
// calling thread through a reader connection.
// Reads are in sqlite_engine_read.cc, Stats in sqlite_engine_stats.cc, Open in
// sqlite_engine_open.cc.
#include "engines/sqlite/sqlite_engine.h"

#include <utility>

#include "engines/sqlite/engine_state.h"
#include "engines/sqlite/reader_pool.h"
#include "engines/sqlite/schema.h"
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

// A write that fails for a database error (a full disk, an I/O error) gets the reply memcached
// gives when it cannot store: SERVER_ERROR out of memory. Delete and touch have no error
// reply in the Engine interface; they report a miss.
StoreResult SqliteEngine::Store(const StoreRequest& request) {
  StoreResult result{StoreStatus::kNoMemory, 0};
  const bool ok = writer_->Run([&](WriteOps& ops) {
    Result<StoreResult> stored = ops.Store(request);
    if (stored.ok()) result = *stored;
    return stored.ok();
  });
  return ok ? result : StoreResult{StoreStatus::kNoMemory, 0};
}

DeleteStatus SqliteEngine::Delete(const DeleteRequest& request) {
  DeleteStatus status = DeleteStatus::kNotFound;
  const bool ok = writer_->Run([&](WriteOps& ops) {
    Result<DeleteStatus> deleted = ops.Delete(request);
    if (deleted.ok()) status = *deleted;
    return deleted.ok();
  });
  return ok ? status : DeleteStatus::kNotFound;
}

ArithResult SqliteEngine::Arithmetic(const ArithRequest& request) {
  ArithResult result{ArithStatus::kNotStored};
  const bool ok = writer_->Run([&](WriteOps& ops) {
    Result<ArithResult> done = ops.Arithmetic(request);
    if (done.ok()) result = *done;
    return done.ok();
  });
  return ok ? result : ArithResult{ArithStatus::kNotStored};
}

TouchStatus SqliteEngine::Touch(const HashedKey& key, std::int64_t exptime) {
  TouchStatus status = TouchStatus::kNotFound;
  const bool ok = writer_->Run([&](WriteOps& ops) {
    Result<TouchStatus> touched = ops.Touch(key, exptime);
    if (touched.ok()) status = *touched;
    return touched.ok();
  });
  return ok ? status : TouchStatus::kNotFound;
}

void SqliteEngine::FlushAll(std::int64_t delay) {
  writer_->Run([&](WriteOps& ops) { return ops.FlushAll(delay).ok(); });
}

sqlite::GetOutcome SqliteEngine::WriterGet(const GetRequest& request) {
  sqlite::GetOutcome outcome;
  const bool ok = writer_->Run([&](WriteOps& ops) {
    Result<sqlite::GetOutcome> got = ops.Get(request);
    if (got.ok()) outcome = std::move(got).value();
    return got.ok();
  });
  return ok ? std::move(outcome) : sqlite::GetOutcome{};
}

}  // namespace mnemo
