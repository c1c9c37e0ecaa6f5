// Checkpointer: folds the WAL into the database file on a thread and connection of its own, so
// that the writer never waits for a checkpoint. SQLite's automatic checkpoint runs inside the
// commit that crosses its threshold: the writer, and every write queued behind it, waited for
// the copy and the fsyncs -- ~60 ms under a write load, the p99.9 of every request.
//
// The writer's WAL hook (which replaces the automatic checkpoint) reports the WAL's size after
// each commit; once it reaches `pages`, the thread runs a PASSIVE checkpoint, which copies and
// syncs without blocking the writer, then a RESTART one for the pages committed meanwhile,
// which holds the writer back only for those, so that the WAL starts over. Should the thread
// fall behind, the writer checkpoints itself at four times `pages`.
//
// Thread safety: Attach() before the writer thread starts; the hook then runs on the writer
// thread, the checkpoints on the checkpointer's.
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

  // Takes over checkpoints from the writer connection: SQLite's automatic checkpoint (itself a
  // WAL hook) gives way to this one's. Call before the writer's first commit.
  void Attach(Db& writer);

 private:
  void Loop();
  // The writer's WAL hook, after each commit, with the pages the WAL holds.
  static int OnWal(void* self, sqlite3* db, const char* name, int frames);

  std::unique_ptr<Db> db_;
  const int pages_;
  std::atomic<std::uint64_t>& done_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool due_ = false;   // guarded by mu_
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;  // last: starts once everything above is ready
};

}  // namespace mnemo::sqlite
