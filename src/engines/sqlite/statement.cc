#include "engines/sqlite/statement.h"

#include <utility>

namespace mnemo::sqlite {

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

void Statement::Bind(int index, std::int64_t value) { sqlite3_bind_int64(stmt_, index, value); }

void Statement::BindBlob(int index, std::string_view bytes) {
  // sqlite3_bind_blob binds NULL for a null pointer, and an empty string_view may have one.
  if (bytes.empty()) {
    sqlite3_bind_zeroblob(stmt_, index, 0);
    return;
  }
  sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_STATIC);
}

void Statement::BindText(int index, std::string_view text) {
  sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string_view Statement::Blob(int column) const {
  const void* data = sqlite3_column_blob(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (data == nullptr || size <= 0) return {};
  return {static_cast<const char*>(data), static_cast<std::size_t>(size)};
}

std::string_view Statement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (text == nullptr || size <= 0) return {};
  return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(size)};
}

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<Db> db(new Db(raw));
  if (rc != SQLITE_OK) {
    if (raw == nullptr) return Error{"cannot open " + path + ": out of memory"};
    return db->Fail("cannot open " + path);
  }
  sqlite3_extended_result_codes(raw, 1);
  return db;
}

Db::~Db() { sqlite3_close_v2(db_); }

Result<void> Db::Exec(const char* sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK) return {};
  return Fail(sql);
}

Result<Statement> Db::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return Fail("cannot prepare \"" + std::string(sql) + "\"");
  return Statement(stmt);
}

Result<std::string> Db::QueryText(const char* sql) {
  Result<Statement> statement = Prepare(sql);
  if (!statement.ok()) return statement.error();
  const int rc = statement->Step();
  if (rc == SQLITE_DONE) return std::string();
  if (rc != SQLITE_ROW) return Fail(sql);
  return std::string(statement->Text(0));
}

Result<std::int64_t> Db::QueryInt(const char* sql) {
  Result<Statement> statement = Prepare(sql);
  if (!statement.ok()) return statement.error();
  const int rc = statement->Step();
  if (rc == SQLITE_DONE) return std::int64_t{0};
  if (rc != SQLITE_ROW) return Fail(sql);
  return statement->Int(0);
}

Error Db::Fail(std::string_view what) const {
  return Error{std::string(what) + ": " + sqlite3_errmsg(db_)};
}

bool Db::LastErrorIsCorruption() const {
  const int code = sqlite3_errcode(db_) & 0xff;
  return code == SQLITE_CORRUPT || code == SQLITE_NOTADB;
}

}  // namespace mnemo::sqlite
