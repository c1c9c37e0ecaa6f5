// Writer: the one thread that owns the writer connection and runs every operation that changes
// the table. Callers queue an operation and block; the thread takes everything queued (up to
// max_batch operations), runs it in one transaction and commits once -- group commit: many
// concurrent writes share one transaction and, with durability full, one fsync. It also folds
// the readers' recorded accesses into the table and purges dead rows, a bounded batch at a
// time, inside the same transactions.
//
// Callers either block in Run() or Post() jobs that report on the writer thread (the sqlite
// AsyncCalls: no caller thread sleeps while its write waits for the commit). Both kinds share
// the queue, the batches and the commits.
//
// When an operation is acknowledged (Run returns, WriteJob::Finish runs) depends on the
// durability:
//   normal:       after the COMMIT of the transaction that holds it;
//   full:         after that COMMIT and a sync of the WAL that started after it (syncer.h);
//   off:          as soon as it has run; the COMMIT follows when the batch is done.
// If the transaction cannot commit (disk full, I/O error), it is rolled back, the in-memory
// state is restored, and every operation it held that was not yet acknowledged fails.
//
// Thread safety: Run() and Post() may be called from any number of threads at once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "engines/sqlite/checkpointer.h"
#include "engines/sqlite/engine_state.h"
#include "engines/sqlite/row_store.h"
#include "engines/sqlite/statement.h"
#include "engines/sqlite/syncer.h"
#include "engines/sqlite/write_ops.h"
#include "mnemo/function_ref.h"

namespace mnemo::sqlite {

// One operation for the writer thread. Run() and then Finish() are called on the writer
// thread, each exactly once (Finish alone, with false, when the transaction could not even
// begin).
class WriteJob {
 public:
  virtual ~WriteJob() = default;
  // Runs inside the writer's transaction; returns false when the operation failed.
  virtual bool Run(WriteOps& ops) = 0;
  // Told once the operation is acknowledged (ok) or has failed, it or its transaction; the
  // writer does not touch the job afterwards, so Finish may delete it.
  virtual void Finish(bool ok) = 0;

 private:
  friend class Writer;
  bool ok_ = false;  // what Run() returned; the writer thread's only
};

class Writer {
 public:
  // Takes the writer connection (whose RowStore `ops` uses) and starts the thread.
  // `checkpointer` (none for :memory:), attached to `db`, folds the WAL into the file off this
  // thread; the writer keeps it until its connection closes.
  Writer(SharedState& shared, std::unique_ptr<Db> db, std::unique_ptr<RowStore> rows,
         std::unique_ptr<JournaledRows> journaled, std::unique_ptr<WriteOps> ops,
         std::unique_ptr<Checkpointer> checkpointer);
  // Runs what is queued, folds in every recorded access and the whole journal, commits and
  // joins the thread.
  // Posted jobs still queued run and finish first. REQUIRES: no Run() or Post() in progress.
  ~Writer();

  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Runs op on the writer thread and blocks until it is acknowledged (see above). op returns
  // false when it failed; Run then returns false, and also when its transaction failed to
  // commit.
  bool Run(FunctionRef<bool(WriteOps&)> op);

  // Queues the jobs, in this order, and returns at once. Each must stay valid until its
  // Finish() (they are usually heap objects deleting themselves there).
  void Post(std::span<WriteJob* const> jobs);

 private:
  using Job = WriteJob;
  struct BlockingJob;
  using Clock = std::chrono::steady_clock;

  void Loop();
  // The syncer for durability full on a file; none otherwise.
  std::unique_ptr<Syncer> MakeSyncer();
  // Runs one transaction: the jobs, then maintenance (a fold step when `fold`), then the
  // commit.
  void RunBatch(const std::vector<Job*>& batch, bool purge, bool fold);
  // Runs the jobs; returns those waiting for the commit. Restarts the transaction (failing
  // what it held) when SQLite has rolled it back on its own; nullopt when it could not, and
  // every job has been answered.
  std::optional<std::vector<Job*>> RunJobs(const std::vector<Job*>& batch,
                                           WriteOps::TxnState& before);
  std::vector<AccessOverlay::Entry> Maintain(bool purge, bool fold);
  // Whether recorded accesses are to be folded in now (a fold round is under way, or too many
  // are recorded); starts a round when one is due.
  bool FoldDue(Clock::time_point now);
  // Whether the journal is to be folded into the table now (a round is under way, or one is
  // due); starts a round's clock when one is due.
  bool JournalFoldDue(Clock::time_point now);
  bool Commit();
  // The committed transaction's jobs: acknowledged now, or by the syncer (durability full).
  void Acknowledge(std::vector<Job*> jobs);
  void Finish(Job* job, bool ok);
  void FailAll(std::vector<Job*>& jobs);

  SharedState& shared_;
  std::unique_ptr<Db> db_;
  std::unique_ptr<RowStore> rows_;
  std::unique_ptr<JournaledRows> journaled_;  // after rows_, over it
  std::unique_ptr<WriteOps> ops_;
  std::unique_ptr<Checkpointer> checkpointer_;  // closes its connection before db_ closes
  const bool ack_before_commit_;
  Clock::time_point next_purge_;
  Clock::time_point next_fold_;
  std::size_t fold_left_ = 0;  // accesses the current fold round still folds in
  Clock::time_point next_journal_fold_;
  bool fold_journal_now_ = false;    // at close: fold everything
  bool journal_fold_due_ = false;    // a fold round is due or under way
  Clock::time_point fold_retry_at_;  // no fold step before this (after one failed)
  std::unique_ptr<Syncer> syncer_;   // durability full with a file only

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Job*> queue_;  // guarded by mu_
  bool stop_ = false;        // guarded by mu_
  std::thread thread_;       // last: starts once everything above is ready
};

}  // namespace mnemo::sqlite
