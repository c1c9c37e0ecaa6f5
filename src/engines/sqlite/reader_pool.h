// ReaderPool: threads that each own a read-only connection to the database file and serve
// plain reads (gets without side effects beyond an access bump, ForEach pages). In WAL mode
// they read the last committed state without waiting for the writer or each other.
//
// Thread safety: Run() may be called from any number of threads at once.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
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
  // One thread per connection; an empty pool serves nothing (see empty()).
  explicit ReaderPool(std::vector<Connection> connections);
  // REQUIRES: no Run() in progress.
  ~ReaderPool();

  ReaderPool(const ReaderPool&) = delete;
  ReaderPool& operator=(const ReaderPool&) = delete;

  bool empty() const { return connections_.empty(); }

  // Runs work on one of the reader threads with that thread's RowStore and blocks until it
  // has returned. REQUIRES: !empty().
  void Run(FunctionRef<void(RowStore&)> work);

 private:
  struct Job;
  void Loop(RowStore& rows);

  std::vector<Connection> connections_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job*> queue_;  // guarded by mu_
  bool stop_ = false;       // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace mnemo::sqlite
