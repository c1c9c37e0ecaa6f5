// Checkpointer: folds the WAL into the database file on a thread and connection of its own, so
// that the writer never waits for a checkpoint. SQLite's automatic checkpoint runs inside the
// commit that crosses its threshold: the writer, and every write queued behind it, waited for
// the copy and the fsyncs -- ~60 ms under a write load, the p99.9 of every request.
//
// The writer's WAL hook (which replaces the automatic checkpoint) reports the WAL's size after
// each commit; once it reaches `pages`, the thread runs a PASSIVE checkpoint, which copies and
// syncs without blocking the writer. The WAL starts over only once a checkpoint has caught up
// with every commit, which one running beside the commits rarely does; so the writer, between
// two batches, then checkpoints the few pages committed meanwhile itself (Restart). Should the
// thread fall behind, the writer waits for its pass to end at four times `pages` and
// checkpoints everything itself.
//
// Thread safety: Attach() before the writer thread starts; the hook and Restart() then run on
// the writer thread, the PASSIVE checkpoints on the checkpointer's.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "engines/sqlite/statement.h"

namespace mnemo::sqlite {

class Checkpointer {
 public:
  // Takes a read-write connection to the database file and starts the thread; counts each
  // checkpoint it completes in `done`, which must outlive it.
  Checkpointer(std::unique_ptr<Db> db, int pages, std::atomic<std::uint64_t>& done);
  // Stops and joins the thread; a checkpoint in progress finishes first.
  ~Checkpointer();

  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Takes over checkpoints from the writer connection, which must outlive it: SQLite's
  // automatic checkpoint (itself a WAL hook) gives way to this one's. Call before the writer's
  // first commit.
  void Attach(Db& writer);
  // For the writer between batches: after a checkpoint of the thread's, checkpoints what was
  // committed meanwhile (briefly holding back other writes) so that the WAL starts over.
  void Restart();

 private:
  void Loop();
  // The writer's WAL hook, after each commit, with the pages the WAL holds.
  static int OnWal(void* self, sqlite3* db, const char* name, int frames);

  std::unique_ptr<Db> db_;
  Db* writer_ = nullptr;  // set by Attach; used on the writer thread only
  const int pages_;
  std::atomic<std::uint64_t>& done_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool due_ = false;      // guarded by mu_
  bool running_ = false;  // a pass is under way; guarded by mu_
  // A pass is done and the writer is to fold what was committed meanwhile; guarded by mu_.
  bool restart_due_ = false;
  bool stop_ = false;   // guarded by mu_
  std::thread thread_;  // last: starts once everything above is ready
};

}  // namespace mnemo::sqlite
