// ReaderPool: read-only connections to the database file, checked out by the calling thread to
// serve plain reads (gets without side effects beyond an access bump, ForEach pages). In WAL
// mode they read the last committed state without waiting for the writer or each other.
//
// Reads run on the caller's own thread rather than on reader threads: a get then costs no
// thread hand-off (two wake-ups each way), which was most of an uncached get's time under
// mnemod's offload pool. A caller waits only when every connection is checked out.
//
// Thread safety: Run() may be called from any number of threads at once. A connection is
// used by one thread at a time (SQLite's multi-thread mode, SQLITE_OPEN_NOMUTEX).
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "engines/sqlite/row_store.h"
#include "engines/sqlite/statement.h"
#include "mnemo/function_ref.h"

namespace mnemo::sqlite {

struct Connection {
  std::unique_ptr<Db> db;
  std::unique_ptr<RowStore> rows;  // after db: its statements are finalized first
};

class ReaderPool {
 public:
  // An empty pool serves nothing (see empty()).
  explicit ReaderPool(std::vector<Connection> connections);
  // REQUIRES: no Run() in progress.
  ~ReaderPool() = default;

  ReaderPool(const ReaderPool&) = delete;
  ReaderPool& operator=(const ReaderPool&) = delete;

  bool empty() const { return connections_.empty(); }

  // Runs work on the calling thread with a connection no other thread is using, waiting for
  // one to be returned when all are busy. REQUIRES: !empty().
  void Run(FunctionRef<void(RowStore&)> work);

  // Runs work as Run does if a connection is free now; returns false without running it when
  // every connection is checked out, so that a thread that must not wait never does.
  // REQUIRES: !empty().
  bool TryRun(FunctionRef<void(RowStore&)> work);

 private:
  struct Lease;
  RowStore* CheckOut();
  RowStore* TryCheckOut();  // null when none is free
  void Return(RowStore* rows);

  std::vector<Connection> connections_;
  std::mutex mu_;
  std::condition_variable returned_;
  std::vector<RowStore*> free_;  // guarded by mu_
};

}  // namespace mnemo::sqlite
