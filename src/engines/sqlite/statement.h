// Thin RAII wrappers over the SQLite C API: a connection (Db) and a prepared statement
// (Statement). They exist so that engine code never leaks a handle, never leaves a statement
// un-reset (an un-reset read statement would keep a WAL snapshot open and stall checkpoints),
// and turns every SQLite failure into a Result with the connection's own message.
//
// Thread safety: none. A Db and its statements belong to one thread at a time; the engine
// hands each connection to exactly one SQLite thread (see writer.h, reader_pool.h).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "mnemo/result.h"

namespace mnemo::sqlite {

class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Statement();
  Statement(Statement&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based. BindBlob does not copy: `bytes` must stay valid until Reset().
  // An empty view binds a zero-length BLOB, never NULL.
  void Bind(int index, std::int64_t value);
  void BindBlob(int index, std::string_view bytes);
  void BindText(int index, std::string_view text);

  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(stmt_); }
  // Ends the statement's use (and its read snapshot) and clears the bindings.
  void Reset();

  // Column accessors for the current row; a blob view lives until the next Step() or Reset().
  std::int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::string_view Blob(int column) const;
  std::string_view Text(int column) const;

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a statement when the scope ends, whatever path leaves it.
class ScopedReset {
 public:
  explicit ScopedReset(Statement& statement) : statement_(statement) {}
  ~ScopedReset() { statement_.Reset(); }
  ScopedReset(const ScopedReset&) = delete;
  ScopedReset& operator=(const ScopedReset&) = delete;

 private:
  Statement& statement_;
};

class Db {
 public:
  // Opens `path` with SQLITE_OPEN_* `flags` (NOMUTEX is always added: one thread at a time).
  static Result<std::unique_ptr<Db>> Open(const std::string& path, int flags);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  sqlite3* get() const { return db_; }
  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

  // Runs one or more statements that return no rows we need.
  Result<void> Exec(const char* sql);
  Result<Statement> Prepare(std::string_view sql);
  // Runs a single-value query such as a PRAGMA and returns its first column as text ("" when
  // there is no row).
  Result<std::string> QueryText(const char* sql);
  Result<std::int64_t> QueryInt(const char* sql);

  // "<what>: <SQLite's message for the last error>".
  Error Fail(std::string_view what) const;
  // True when the last error means the file is not a database or is damaged.
  bool LastErrorIsCorruption() const;

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

// Checks a Step() result that should have produced SQLITE_DONE.
inline Result<void> Done(const Db& db, int rc, std::string_view what) {
  if (rc == SQLITE_DONE) return {};
  return db.Fail(what);
}

}  // namespace mnemo::sqlite
