// Syncer: with durability full, acknowledges the writer's commits once the WAL file holding
// them is on disk, from a thread of its own. The writer commits with synchronous=NORMAL (SQLite
// writes the WAL frames but does not sync them) and hands the transaction's operations here;
// while one fdatasync runs, the writer goes on with the next batches, and the next sync covers
// all of them. Inside SQLite's COMMIT (synchronous=FULL) the writer waited for every sync
// itself, so a batch could only gather what arrived during one.
//
// Checkpoints need nothing from here: with synchronous=NORMAL SQLite still syncs the WAL before
// copying it into the database and the database before the WAL is reused.
//
// Thread safety: Hand() and Flush() may be called from any thread; `sync` and `finish` run on
// the syncer's thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace mnemo::sqlite {

class WriteJob;

class Syncer {
 public:
  // Makes the WAL durable; false when it could not.
  using SyncFn = std::function<bool()>;
  // Acknowledges jobs whose commit is durable (`synced`) or reports that it may not be.
  using FinishFn = std::function<void(std::vector<WriteJob*>& jobs, bool synced)>;

  Syncer(SyncFn sync, FinishFn finish);
  // Syncs and finishes everything handed over, then joins the thread.
  ~Syncer();

  Syncer(const Syncer&) = delete;
  Syncer& operator=(const Syncer&) = delete;

  // The jobs of a transaction that has committed: finished after a sync that starts after this
  // call.
  void Hand(std::vector<WriteJob*> jobs);
  // Returns once every job handed over so far is finished.
  void Flush();

 private:
  void Loop();

  SyncFn sync_;
  FinishFn finish_;
  std::mutex mu_;
  std::condition_variable work_;     // jobs handed over, or stop
  std::condition_variable drained_;  // a round of jobs finished
  std::vector<WriteJob*> queue_;     // guarded by mu_
  std::uint64_t handed_ = 0;         // rounds of Hand(); guarded by mu_
  std::uint64_t finished_ = 0;       // Hand() rounds whose jobs are finished; guarded by mu_
  bool stop_ = false;                // guarded by mu_
  std::thread thread_;               // last: starts once everything above is ready
};

}  // namespace mnemo::sqlite
