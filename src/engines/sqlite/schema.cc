#include "engines/sqlite/schema.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <initializer_list>
#include <string_view>
#include <utility>
#include <vector>

#include "engines/sqlite/journal.h"

namespace mnemo::sqlite {
namespace {

// Version 2: the key is the table's primary key (WITHOUT ROWID) and there is no index on
// last_access, so a store writes one B-tree (two with an exptime), not four; eviction samples
// rows instead (docs/sqlite-schema.md).
constexpr char kCreateItems[] = R"sql(
CREATE TABLE items (
  key         BLOB PRIMARY KEY,
  seq         INTEGER NOT NULL,
  flags       INTEGER NOT NULL,
  exptime     INTEGER NOT NULL,
  cas         INTEGER NOT NULL,
  last_access INTEGER NOT NULL,
  stored_at   INTEGER NOT NULL,
  state       INTEGER NOT NULL,
  value       BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX items_exptime ON items(exptime) WHERE exptime != 0;
)sql";

// Version 3: changes reach the table through the journal (journal.h): one row per writer
// transaction, its records encoded in `records`.
constexpr char kCreateJournal[] = R"sql(
CREATE TABLE journal (
  id      INTEGER PRIMARY KEY,
  records BLOB NOT NULL
);
)sql";

constexpr char kCreateMeta[] = R"sql(
CREATE TABLE meta (
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
)sql";

// Version 1 kept rows under a rowid (seq) with separate key and last_access indexes: the rows
// move to the version 2 table, in one transaction.
constexpr char kMigrateFrom1[] = R"sql(
ALTER TABLE items RENAME TO items_v1;
DROP INDEX IF EXISTS items_key;
DROP INDEX IF EXISTS items_exptime;
DROP INDEX IF EXISTS items_lru;
)sql";
constexpr char kCopyFrom1[] = R"sql(
INSERT INTO items (key, seq, flags, exptime, cas, last_access, stored_at, state, value)
  SELECT key, seq, flags, exptime, cas, last_access, stored_at, state, value FROM items_v1;
DROP TABLE items_v1;
)sql";

std::string Errno(std::string_view what) { return std::string(what) + ": " + std::strerror(errno); }

// Runs `steps` in one transaction and stamps the file with this build's version.
Result<void> InTransaction(Db& db, std::initializer_list<const char*> steps) {
  Result<void> done = db.Exec("BEGIN IMMEDIATE");
  if (!done.ok()) return done;
  for (const char* step : steps) {
    if (done.ok()) done = db.Exec(step);
  }
  if (done.ok()) {
    const std::string pragmas = "PRAGMA application_id = " + std::to_string(kApplicationId) +
                                "; PRAGMA user_version = " + std::to_string(kSchemaVersion);
    done = db.Exec(pragmas.c_str());
  }
  if (done.ok()) done = db.Exec("COMMIT");
  if (!done.ok()) (void)db.Exec("ROLLBACK");
  return done;
}

}  // namespace

Result<void> CheckFileHeader(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return {};  // SQLite creates it
    return Error{Errno("cannot inspect the file")};
  }
  if (!S_ISREG(info.st_mode)) return Error{"not a regular file"};
  if (info.st_size == 0) return {};  // SQLite treats an empty file as a new database
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{Errno("cannot read the file")};
  char header[16] = {};
  const ssize_t got = read(fd, header, sizeof header);
  close(fd);
  static constexpr char kMagic[] = "SQLite format 3";  // 15 characters and the NUL
  if (got != static_cast<ssize_t>(sizeof header) || std::memcmp(header, kMagic, 16) != 0) {
    return Error{"not a SQLite database (the file does not start with SQLite's header)"};
  }
  return {};
}

Result<void> EnsureSchema(Db& db) {
  Result<std::int64_t> tables = db.QueryInt("SELECT count(*) FROM sqlite_schema");
  if (!tables.ok()) return tables.error();
  Result<std::int64_t> app = db.QueryInt("PRAGMA application_id");
  if (!app.ok()) return app.error();
  Result<std::int64_t> version = db.QueryInt("PRAGMA user_version");
  if (!version.ok()) return version.error();
  if (*tables == 0 && *app == 0 && *version == 0) {
    return InTransaction(db, {kCreateItems, kCreateMeta, kCreateJournal});
  }
  if (*app != kApplicationId) {
    return Error{
        "a SQLite database of another application, not a mnemo database "
        "(application_id " +
        std::to_string(*app) + ")"};
  }
  if (*version > kSchemaVersion) {
    return Error{"schema version " + std::to_string(*version) +
                 " is newer than this build "
                 "reads (" +
                 std::to_string(kSchemaVersion) + "); use the mnemod that wrote it"};
  }
  if (*version < 1) return Error{"unknown schema version " + std::to_string(*version)};
  Result<void> migrated;
  if (*version == 1) {
    migrated = InTransaction(db, {kMigrateFrom1, kCreateItems, kCopyFrom1, kCreateJournal});
  } else if (*version == 2) {
    migrated = InTransaction(db, {kCreateJournal});
  }
  if (!migrated.ok()) {
    return Error{"cannot migrate schema version " + std::to_string(*version) + " to " +
                 std::to_string(kSchemaVersion) + ": " + migrated.error().message};
  }
  return {};
}

Result<StoredState> LoadState(Db& db) {
  Result<Statement> select = db.Prepare("SELECT name, value FROM meta");
  if (!select.ok()) return select.error();
  const std::pair<std::string_view, std::int64_t StoredState::*> fields[] = {
      {"last_seq", &StoredState::last_seq},
      {"flushed_seq", &StoredState::flushed_seq},
      {"flush_moment", &StoredState::flush_moment},
      {"flush_bound", &StoredState::flush_bound},
  };
  StoredState state;
  int rc = SQLITE_ROW;
  while ((rc = select->Step()) == SQLITE_ROW) {
    const std::string_view name = select->Text(0);
    if (name == "last_cas") state.last_cas = static_cast<std::uint64_t>(select->Int(1));
    for (const auto& [field, member] : fields) {
      if (name == field) state.*member = select->Int(1);
    }
  }
  if (rc != SQLITE_DONE) return db.Fail("reading the meta table");
  return state;
}

Result<void> ReplayJournal(Db& db, RowStore& rows) {
  Result<std::int64_t> count = db.QueryInt("SELECT count(*) FROM journal");
  if (!count.ok() || *count == 0) return count.ok() ? Result<void>() : count.error();
  Result<Statement> select = db.Prepare("SELECT records FROM journal ORDER BY id");
  if (!select.ok()) return select.error();
  Result<void> done = db.Exec("BEGIN IMMEDIATE");
  int rc = SQLITE_ROW;
  while (done.ok() && (rc = select->Step()) == SQLITE_ROW) {
    Result<std::vector<JournalRecord>> records = DecodeRecords(select->Blob(0));
    if (!records.ok()) done = records.error();
    for (std::size_t i = 0; done.ok() && i < records->size(); ++i) {
      const JournalRecord& record = (*records)[i];
      if (record.row) {
        done = rows.Put(record.key, *record.row);
      } else {
        Result<std::optional<Removed>> erased = rows.EraseKey(record.key);
        if (!erased.ok()) done = erased.error();
      }
    }
  }
  if (done.ok() && rc != SQLITE_DONE) done = db.Fail("reading the journal");
  select->Reset();
  if (done.ok()) done = db.Exec("DELETE FROM journal");
  if (done.ok()) done = db.Exec("COMMIT");
  if (!done.ok() && db.in_transaction()) (void)db.Exec("ROLLBACK");
  if (!done.ok()) return Error{"cannot fold in the journal: " + done.error().message};
  return {};
}

Result<FileLock> FileLock::Acquire(const std::string& path) {
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Error{Errno("cannot open the file for writing")};
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const bool busy = errno == EWOULDBLOCK;
    std::string message = busy ? "in use by another process (locked)" : Errno("cannot lock");
    close(fd);
    return Error{std::move(message)};
  }
  return FileLock(fd);
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

FileLock::~FileLock() {
  if (fd_ >= 0) close(fd_);
}

}  // namespace mnemo::sqlite
