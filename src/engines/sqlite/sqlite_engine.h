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
// Thread safety: every Engine method may be called concurrently from any number of threads.
// Visitors and stat sinks run on the calling thread, after the SQLite thread is done, on owned
// copies; they must not call back into the engine all the same (the Engine contract).
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "engines/sqlite/sqlite_config.h"
#include "mnemo/engine.h"
#include "mnemo/result.h"

namespace mnemo {
namespace sqlite {
class FileLock;
class ReaderPool;
class RowStore;
class SharedState;
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
  // REQUIRES: no call in progress.
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
  // sqlite_file_bytes, and the memory cache's sqlite_cache_hits, _items and _bytes.
  bool Stats(std::string_view group, StatSink sink) override;
  std::int64_t Now() const override { return clock_.Now(); }

  const SqliteEngineConfig& config() const;

 private:
  SqliteEngine(const Clock& clock, std::unique_ptr<sqlite::FileLock> lock,
               std::unique_ptr<sqlite::SharedState> shared, std::unique_ptr<sqlite::Writer> writer,
               std::unique_ptr<sqlite::ReaderPool> readers);

  // True when a reader may serve this get (it may still hand it to the writer).
  bool ReadersMayServe(const GetRequest& request) const;
  sqlite::GetOutcome WriterGet(const GetRequest& request);
  // Reads one page of ForEach from a reader, or from the writer when readers cannot.
  template <class Page>
  bool ReadPage(std::string_view after, bool first, Page& page);

  const Clock& clock_;
  // Destroyed in reverse order: readers, then the writer (the last connection to close
  // checkpoints the WAL), then the state they share, then the file lock.
  std::unique_ptr<sqlite::FileLock> lock_;
  std::unique_ptr<sqlite::SharedState> shared_;
  std::unique_ptr<sqlite::Writer> writer_;
  std::unique_ptr<sqlite::ReaderPool> readers_;
};

}  // namespace mnemo
