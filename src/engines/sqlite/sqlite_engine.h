// SqliteEngine: a persistent Engine on one SQLite database file in WAL mode, with memcached
// 1.6.18 item semantics (those of MapEngine, held to them by tests/engine_conformance/). The
// file's schema is documented in docs/sqlite-schema.md; a person can read it with the sqlite3
// shell while the engine is closed.
//
// Threads. One writer thread owns the only writer connection (writer.h: group commit,
// durability); plain reads run on the calling thread through one of a few read-only
// connections it checks out (reader_pool.h). Every Engine method but TryGet BLOCKS THE CALLING
// THREAD until its result is ready -- for a write with durability normal or full, until the
// transaction holding it has committed. A server must therefore call them from threads that
// may block (never from its network event loops), and run enough of them to keep the writer's
// batches full; TryGet is the one call for the event loops (it declines rather than wait).
//
// Which thread serves what: plain gets, peeks and ForEach go to the readers, which see the
// last committed state; everything that changes an item (stores, delete, incr/decr, touch,
// gat, flush_all, gets that win a recache token, vivify or find a dead row) and Stats go to
// the writer. A get's access bump (fetched bit, last access) is recorded in memory and folded
// into the table by the writer (access_overlay.h). With durability off, while acknowledged
// writes are not yet committed, reads go to the writer too, so a client always reads its own
// writes. A ":memory:" database has no readers: the writer serves everything.
//
// AsyncCalls (ForLoop): the same calls without a blocked caller. Writes go to the writer as
// jobs that report when the blocking call would have returned (after their commit); gets
// go to a few engine threads that read through the reader connections (or hand them to the
// writer as Get would). Same code, same group commits, same results and failure replies.
//
// Thread safety: every Engine method may be called concurrently from any number of threads.
// Visitors and stat sinks run on the calling thread, after the SQLite thread is done, on owned
// copies; they must not call back into the engine all the same (the Engine contract).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>

#include "engines/sqlite/sqlite_config.h"
#include "mnemo/engine.h"
#include "mnemo/pending_call.h"
#include "mnemo/result.h"

namespace asio {
class io_context;
}  // namespace asio

namespace mnemo {
namespace sqlite {
class FileLock;
class ReaderPool;
class RowStore;
class SharedState;
class TaskThreads;
class Writer;
struct GetOutcome;
}  // namespace sqlite

class SqliteEngine final : public Engine {
 public:
  // Opens (creating when absent) the database at config.path. Fails with one clear message --
  // "sqlite engine: PATH: ..." -- when the file is not a SQLite database, belongs to another
  // program, has a newer schema version, is corrupt, is read-only, or is locked by another
  // process. `clock` must outlive the engine.
  static Result<std::unique_ptr<SqliteEngine>> Open(const Clock& clock, SqliteEngineConfig config);

  // Commits what is queued and closes the database (the WAL is checkpointed into the file).
  // Calls submitted through AsyncCalls complete first (committed or failed), each reported
  // once. REQUIRES: no call or Submit in progress; every AsyncCalls destroyed.
  ~SqliteEngine() override;

  SqliteEngine(const SqliteEngine&) = delete;
  SqliteEngine& operator=(const SqliteEngine&) = delete;

  GetStatus Get(const GetRequest& request, ItemVisitor on_hit) override;
  // Answers from the memory cache, or from a reader connection that is free right now (a read
  // of the last committed state in WAL mode: it never waits for the writer, a commit or a
  // lock; it may read file pages, normally from the OS page cache). Declines whatever Get
  // would hand to the writer, and everything while durability off has uncommitted writes.
  std::optional<GetStatus> TryGet(const GetRequest& request, ItemVisitor on_hit) override;
  StoreResult Store(const StoreRequest& request) override;
  DeleteStatus Delete(const DeleteRequest& request) override;
  ArithResult Arithmetic(const ArithRequest& request) override;
  TouchStatus Touch(const HashedKey& key, std::int64_t exptime) override;
  void FlushAll(std::int64_t delay) override;
  void ForEach(FunctionRef<bool(const ItemView&)> visit) override;
  // Besides memcached's groups, the general group reports sqlite_commits (transactions
  // committed), sqlite_write_ops (operations the writer ran), sqlite_errors,
  // sqlite_file_bytes, sqlite_cache_hits (gets served from memory: the cache or a pending
  // change), the memory cache's sqlite_cache_items and _bytes, and the journal's.
  bool Stats(std::string_view group, StatSink sink) override;
  std::int64_t Now() const override { return clock_.Now(); }

  const SqliteEngineConfig& config() const;

  // The AsyncCalls for one network event loop. The loop is not used: every loop may share the
  // writer and the engine's read threads (started by the first call). Submit never blocks:
  // a write is queued for the writer, a batch of gets for a read thread (straight for the
  // writer when no reader may serve it), and CallsDone::Done runs on the engine thread that
  // finished the last call -- or on the submitting thread for an empty batch.
  // REQUIRES: the engine outlives the object.
  std::unique_ptr<AsyncCalls> ForLoop(asio::io_context& loop);

 private:
  class LoopCalls;
  SqliteEngine(const Clock& clock, std::unique_ptr<sqlite::FileLock> lock,
               std::unique_ptr<sqlite::SharedState> shared, std::unique_ptr<sqlite::Writer> writer,
               std::unique_ptr<sqlite::ReaderPool> readers);

  // True when a reader may serve this get (it may still hand it to the writer).
  bool ReadersMayServe(const GetRequest& request) const;
  // Get's first half: from the memory cache or a reader connection; nullopt when the writer
  // must serve it.
  std::optional<sqlite::GetOutcome> ReadOnlyGet(const GetRequest& request);
  // AsyncCalls::Submit (sqlite_engine_async.cc). ServeGets runs on a read thread.
  void Submit(std::span<PendingCall* const> calls, CallsDone& done);
  void ServeGets(std::span<PendingCall* const> calls, CallsDone& done);
  void PostToWriter(std::span<PendingCall* const> calls, CallsDone& done);
  sqlite::GetOutcome WriterGet(const GetRequest& request);
  // Reads one page of ForEach from a reader, or from the writer when readers cannot.
  template <class Page>
  bool ReadPage(std::string_view after, bool first, Page& page);

  const Clock& clock_;
  // Destroyed in reverse order: the read threads (which finish their tasks, some handing gets
  // to the writer), the readers, then the writer (which finishes its queue; the last
  // connection to close checkpoints the WAL), then the state they share, then the file lock.
  std::unique_ptr<sqlite::FileLock> lock_;
  std::unique_ptr<sqlite::SharedState> shared_;
  std::unique_ptr<sqlite::Writer> writer_;
  std::unique_ptr<sqlite::ReaderPool> readers_;
  std::once_flag read_threads_started_;
  std::unique_ptr<sqlite::TaskThreads> read_threads_;  // set once, by the first ForLoop
};

}  // namespace mnemo
