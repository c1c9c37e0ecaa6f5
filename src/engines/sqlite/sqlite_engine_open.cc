// SqliteEngine::Open: checks the file, opens the writer and reader connections, validates or
// creates the schema and restores the engine state.
#include <algorithm>
#include <utility>
#include <vector>

#include "engines/sqlite/checkpointer.h"
#include "engines/sqlite/engine_state.h"
#include "engines/sqlite/reader_pool.h"
#include "engines/sqlite/row_store.h"
#include "engines/sqlite/schema.h"
#include "engines/sqlite/sqlite_engine.h"
#include "engines/sqlite/statement.h"
#include "engines/sqlite/write_ops.h"
#include "engines/sqlite/writer.h"

namespace mnemo {
namespace {

using sqlite::Db;

constexpr char kMemoryPath[] = ":memory:";
// Only the sqlite3 shell or a backup tool can hold a lock we wait for; give it a moment.
constexpr char kBusyTimeout[] = "PRAGMA busy_timeout = 5000";

// The writer connection and what was read through it.
struct OpenedFile {
  std::unique_ptr<sqlite::FileLock> lock;  // first: released after the connection closes
  std::unique_ptr<Db> db;
  std::unique_ptr<sqlite::RowStore> rows;
  sqlite::StoredState state;
  sqlite::Totals totals;
};

Result<void> LimitFileSize(Db& db, std::size_t max_file_bytes) {
  if (max_file_bytes == 0) return {};
  Result<std::int64_t> page_size = db.QueryInt("PRAGMA page_size");
  if (!page_size.ok()) return page_size.error();
  const auto pages =
      std::max<std::int64_t>(1, static_cast<std::int64_t>(max_file_bytes) / *page_size);
  return db.Exec(("PRAGMA max_page_count = " + std::to_string(pages)).c_str());
}

// How a read-write connection syncs: for every durability the commits themselves do not, and
// checkpoints do; with durability full the writer's Syncer syncs the WAL after each commit
// instead (syncer.h), which is what synchronous=FULL would do inside the COMMIT.
constexpr const char* kSynchronous = "PRAGMA synchronous = NORMAL";

Result<void> Configure(Db& db, const SqliteEngineConfig& config) {
  if (sqlite3_db_readonly(db.get(), "main") == 1) return Error{"the file is read-only"};
  Result<void> done = db.Exec(kBusyTimeout);
  if (!done.ok()) return done;
  if (config.path != kMemoryPath) {
    Result<std::string> mode = db.QueryText("PRAGMA journal_mode = WAL");
    if (!mode.ok()) return mode.error();
    if (*mode != "wal") return Error{"cannot switch to WAL mode (journal_mode is " + *mode + ")"};
  }
  done = db.Exec(kSynchronous);
  if (!done.ok()) return done;
  // No wal_autocheckpoint: the Checkpointer's WAL hook replaces SQLite's automatic checkpoint.
  const std::string cache =
      "PRAGMA cache_size = " + std::to_string(-1024 * std::int64_t{config.writer_cache_mb});
  done = db.Exec(cache.c_str());
  if (!done.ok()) return done;
  done = LimitFileSize(db, config.max_file_bytes);
  if (!done.ok()) return done;
  done = sqlite::EnsureSchema(db);
  if (!done.ok() || !config.check_on_open || config.path == kMemoryPath) return done;
  Result<std::string> check = db.QueryText("PRAGMA quick_check(1)");
  if (!check.ok()) return check.error();
  if (*check != "ok") return Error{"the database is corrupt (" + *check + ")"};
  return {};
}

Result<void> ReadState(OpenedFile& file) {
  Result<sqlite::StoredState> state = sqlite::LoadState(*file.db);
  if (!state.ok()) return state.error();
  Result<sqlite::Totals> totals = file.rows->Count();
  if (!totals.ok()) return totals.error();
  Result<std::int64_t> max_seq = file.db->QueryInt("SELECT coalesce(max(seq), 0) FROM items");
  if (!max_seq.ok()) return max_seq.error();
  file.state = *state;
  file.totals = *totals;
  // A new row must never look flushed, whatever the meta table says.
  file.state.last_seq =
      std::max({state->last_seq, *max_seq, state->flushed_seq, state->flush_bound});
  return {};
}

Result<OpenedFile> OpenWriter(const SqliteEngineConfig& config) {
  OpenedFile file;
  file.lock = std::make_unique<sqlite::FileLock>();
  if (config.path != kMemoryPath) {
    Result<void> header = sqlite::CheckFileHeader(config.path);
    if (!header.ok()) return header.error();
    Result<sqlite::FileLock> lock = sqlite::FileLock::Acquire(config.path);
    if (!lock.ok()) return lock.error();
    *file.lock = std::move(lock).value();
  }
  Result<std::unique_ptr<Db>> db =
      Db::Open(config.path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!db.ok()) return db.error();
  file.db = std::move(db).value();
  Result<void> ready = Configure(*file.db, config);
  if (ready.ok()) {
    Result<std::unique_ptr<sqlite::RowStore>> rows = sqlite::RowStore::Prepare(*file.db);
    if (rows.ok()) file.rows = std::move(rows).value();
    ready = rows.ok() ? sqlite::ReplayJournal(*file.db, *file.rows) : Result<void>(rows.error());
    if (ready.ok()) ready = ReadState(file);
  }
  if (ready.ok()) return file;
  // SQLite notices most damage on the first read of a page: say so plainly.
  if (file.db->LastErrorIsCorruption()) {
    return Error{"the database is corrupt (" + ready.error().message + ")"};
  }
  return ready.error();
}

// One line, whatever SQLite's messages hold (quick_check reports one problem per line).
std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

Result<std::vector<sqlite::Connection>> OpenReaders(const SqliteEngineConfig& config) {
  std::vector<sqlite::Connection> readers;
  if (config.path == kMemoryPath) return readers;
  for (int i = 0; i < config.reader_connections; ++i) {
    Result<std::unique_ptr<Db>> db = Db::Open(config.path, SQLITE_OPEN_READONLY);
    if (!db.ok()) return db.error();
    Result<void> configured = (*db)->Exec(kBusyTimeout);
    if (!configured.ok()) return configured.error();
    Result<std::unique_ptr<sqlite::RowStore>> rows = sqlite::RowStore::Prepare(**db);
    if (!rows.ok()) return rows.error();
    readers.push_back(sqlite::Connection{std::move(db).value(), std::move(rows).value()});
  }
  return readers;
}

// The checkpointer's read-write connection, syncing as the writer's does; none for :memory:.
Result<std::unique_ptr<Db>> OpenCheckpointer(const SqliteEngineConfig& config) {
  if (config.path == kMemoryPath) return std::unique_ptr<Db>();
  Result<std::unique_ptr<Db>> db = Db::Open(config.path, SQLITE_OPEN_READWRITE);
  if (!db.ok()) return db.error();
  Result<void> configured = (*db)->Exec(kBusyTimeout);
  if (configured.ok()) {
    configured = (*db)->Exec(kSynchronous);
  }
  if (!configured.ok()) return configured.error();
  return db;
}

}  // namespace

Result<std::unique_ptr<SqliteEngine>> SqliteEngine::Open(const Clock& clock,
                                                         SqliteEngineConfig config) {
  if (config.path.empty()) return Error{"sqlite engine: no database path given"};
  auto fail = [&](const Error& error) {
    return Error{"sqlite engine: " + config.path + ": " + OneLine(error.message)};
  };
  Result<OpenedFile> file = OpenWriter(config);
  if (!file.ok()) return fail(file.error());
  Result<std::vector<sqlite::Connection>> readers = OpenReaders(config);
  if (!readers.ok()) return fail(readers.error());
  Result<std::unique_ptr<Db>> checkpoints = OpenCheckpointer(config);
  if (!checkpoints.ok()) return fail(checkpoints.error());
  OpenedFile& opened = *file;
  auto shared = std::make_unique<sqlite::SharedState>(clock, std::move(config));
  std::unique_ptr<sqlite::Checkpointer> checkpointer;
  if (*checkpoints) {
    checkpointer = std::make_unique<sqlite::Checkpointer>(std::move(checkpoints).value(),
                                                          shared->config().wal_checkpoint_pages,
                                                          shared->counters.checkpoints);
    checkpointer->Attach(*opened.db);
  }
  // The journal is empty once replayed.
  Result<std::unique_ptr<sqlite::JournaledRows>> journaled =
      sqlite::JournaledRows::Prepare(*opened.rows, shared->pending);
  if (!journaled.ok()) return fail(journaled.error());
  auto ops = std::make_unique<sqlite::WriteOps>(*shared, **journaled, opened.totals, opened.state);
  auto writer = std::make_unique<sqlite::Writer>(
      *shared, std::move(opened.db), std::move(opened.rows), std::move(journaled).value(),
      std::move(ops), std::move(checkpointer));
  auto pool = std::make_unique<sqlite::ReaderPool>(std::move(readers).value());
  return std::unique_ptr<SqliteEngine>(new SqliteEngine(
      clock, std::move(opened.lock), std::move(shared), std::move(writer), std::move(pool)));
}

}  // namespace mnemo
