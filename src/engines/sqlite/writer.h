// Writer: the one thread that owns the writer connection and runs every operation that changes
// the table. Callers queue an operation and block; the thread takes everything queued (up to
// max_batch operations), runs it in one transaction and commits once -- group commit: many
// concurrent writes share one transaction and, with durability full, one fsync. It also folds
// the readers' recorded accesses into the table and purges dead rows, a bounded batch at a
// time, inside the same transactions.
//
// When an operation is acknowledged (Run returns) depends on the durability:
//   normal, full: after the COMMIT of the transaction that holds it;
//   off:          as soon as it has run; the COMMIT follows when the batch is done.
// If the transaction cannot commit (disk full, I/O error), it is rolled back, the in-memory
// state is restored, and every operation it held that was not yet acknowledged fails.
//
// Thread safety: Run() may be called from any number of threads at once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "engines/sqlite/engine_state.h"
#include "engines/sqlite/row_store.h"
#include "engines/sqlite/statement.h"
#include "engines/sqlite/write_ops.h"
#include "mnemo/function_ref.h"

namespace mnemo::sqlite {

class Writer {
 public:
  // Takes the writer connection (whose RowStore `ops` uses) and starts the thread.
  Writer(SharedState& shared, std::unique_ptr<Db> db, std::unique_ptr<RowStore> rows,
         std::unique_ptr<WriteOps> ops);
  // Runs what is queued, folds in every recorded access, commits and joins the thread.
  // REQUIRES: no Run() in progress.
  ~Writer();

  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Runs op on the writer thread and blocks until it is acknowledged (see above). op returns
  // false when it failed; Run then returns false, and also when its transaction failed to
  // commit.
  bool Run(FunctionRef<bool(WriteOps&)> op);

 private:
  struct Job;
  using Clock = std::chrono::steady_clock;

  void Loop();
  // Runs one transaction: the jobs, then maintenance, then the commit.
  void RunBatch(const std::vector<Job*>& batch, bool purge);
  // Runs the jobs; returns those waiting for the commit. Restarts the transaction (failing
  // what it held) when SQLite has rolled it back on its own; nullopt when it could not, and
  // every job has been answered.
  std::optional<std::vector<Job*>> RunJobs(const std::vector<Job*>& batch,
                                           WriteOps::TxnState& before);
  std::vector<AccessOverlay::Entry> Maintain(bool purge);
  bool Commit();
  void Finish(Job* job, bool ok);
  void FailAll(std::vector<Job*>& jobs);

  SharedState& shared_;
  std::unique_ptr<Db> db_;
  std::unique_ptr<RowStore> rows_;
  std::unique_ptr<WriteOps> ops_;
  const bool ack_before_commit_;
  Clock::time_point next_purge_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Job*> queue_;  // guarded by mu_
  bool stop_ = false;        // guarded by mu_
  std::thread thread_;       // last: starts once everything above is ready
};

}  // namespace mnemo::sqlite
