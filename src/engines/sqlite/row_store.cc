#include "engines/sqlite/row_store.h"

#include <utility>

#include "mnemo/item_rules.h"

namespace mnemo::sqlite {
namespace {

// The value column comes last so that metadata reads never touch a large value's overflow
// pages.
constexpr std::string_view kColumns =
    "seq, flags, exptime, cas, last_access, stored_at, state, value";

std::int64_t StateBits(const Row& row) {
  return (row.fetched ? kStateFetched : 0) | (row.stale ? kStateStale : 0) |
         (row.token_sent ? kStateToken : 0) | (row.binary_key ? kStateBinary : 0);
}

// Reads the columns of kColumns starting at column 0.
Row ReadRow(const Statement& s) {
  Row row;
  row.seq = s.Int(0);
  row.client_flags = static_cast<std::uint32_t>(s.Int(1));
  row.deadline = s.Int(2);
  row.cas = static_cast<std::uint64_t>(s.Int(3));  // stored as the same 64 bits, signed
  row.last_access = s.Int(4);
  row.stored_at = s.Int(5);
  const std::int64_t state = s.Int(6);
  row.fetched = (state & kStateFetched) != 0;
  row.stale = (state & kStateStale) != 0;
  row.token_sent = (state & kStateToken) != 0;
  row.binary_key = (state & kStateBinary) != 0;
  row.value = std::string(s.Blob(7));
  return row;
}

// Reads "length(key), length(value), flags, state" starting at `column`.
Removed ReadRemoved(const Statement& s, int column) {
  return Removed{MemcachedItemSize(static_cast<std::size_t>(s.Int(column)),
                                   static_cast<std::size_t>(s.Int(column + 1)),
                                   static_cast<std::uint32_t>(s.Int(column + 2))),
                 (s.Int(column + 3) & kStateFetched) != 0, std::string()};
}

}  // namespace

struct RowStore::Statements {
  Statement find, page_first, page_after, put, update_meta, erase, erase_key, expired, window_first,
      window_after, absorb, count, oldest_access, put_meta;
};

Result<std::unique_ptr<RowStore>> RowStore::Prepare(Db& db) {
  const std::string columns(kColumns);
  constexpr std::string_view kRemoved = " RETURNING length(key), length(value), flags, state, key";
  constexpr std::string_view kWindow =
      "SELECT seq, key, last_access, length(key), length(value), flags, state FROM items";
  const std::pair<Statement Statements::*, std::string> sql[] = {
      {&Statements::find, "SELECT " + columns + " FROM items WHERE key = ?1"},
      {&Statements::page_first, "SELECT " + columns + ", key FROM items ORDER BY key LIMIT ?2"},
      {&Statements::page_after,
       "SELECT " + columns + ", key FROM items WHERE key > ?1 ORDER BY key LIMIT ?2"},
      // An upsert rather than INSERT OR REPLACE, which deletes the old row and inserts anew.
      {&Statements::put,
       "INSERT INTO items(" + columns +
           ", key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (key) DO UPDATE SET "
           "seq = excluded.seq, flags = excluded.flags, exptime = excluded.exptime, "
           "cas = excluded.cas, last_access = excluded.last_access, "
           "stored_at = excluded.stored_at, state = excluded.state, value = excluded.value"},
      {&Statements::update_meta,
       "UPDATE items SET exptime = ?2, cas = ?3, last_access = ?4, state = ?5 "
       "WHERE key = ?6 AND seq = ?1"},
      {&Statements::erase, "DELETE FROM items WHERE key = ?1 AND seq = ?2"},
      {&Statements::erase_key, "DELETE FROM items WHERE key = ?1" + std::string(kRemoved)},
      {&Statements::expired,
       std::string(kWindow) + " WHERE exptime != 0 AND exptime <= ?1 LIMIT ?2"},
      {&Statements::window_first, std::string(kWindow) + " ORDER BY key LIMIT ?2"},
      {&Statements::window_after, std::string(kWindow) + " WHERE key > ?1 ORDER BY key LIMIT ?2"},
      {&Statements::absorb,
       "UPDATE items SET last_access = max(last_access, ?2), state = state | ?3 "
       "WHERE key = ?4 AND seq = ?1"},
      {&Statements::count,
       "SELECT count(*), coalesce(sum(length(key)), 0), coalesce(sum(length(value)), 0), "
       "coalesce(sum(flags != 0), 0) FROM items"},
      {&Statements::oldest_access,
       "SELECT coalesce(min(last_access), 9223372036854775807) FROM items"},
      {&Statements::put_meta, "INSERT OR REPLACE INTO meta(name, value) VALUES (?1, ?2)"},
  };
  auto statements = std::make_unique<Statements>();
  for (const auto& [member, text] : sql) {
    Result<Statement> prepared = db.Prepare(text);
    if (!prepared.ok()) return prepared.error();
    (*statements).*member = std::move(prepared).value();
  }
  return std::unique_ptr<RowStore>(new RowStore(db, std::move(statements)));
}

RowStore::RowStore(Db& db, std::unique_ptr<Statements> statements)
    : db_(db), s_(std::move(statements)) {}

RowStore::~RowStore() = default;

Result<std::optional<Row>> RowStore::Find(std::string_view key) {
  ScopedReset reset(s_->find);
  s_->find.BindBlob(1, key);
  const int rc = s_->find.Step();
  if (rc == SQLITE_DONE) return std::optional<Row>();
  if (rc != SQLITE_ROW) return db_.Fail("reading an item");
  return std::optional<Row>(ReadRow(s_->find));
}

Result<std::vector<KeyedRow>> RowStore::Page(std::string_view after, bool first, int limit) {
  Statement& s = first ? s_->page_first : s_->page_after;
  ScopedReset reset(s);
  if (!first) s.BindBlob(1, after);
  s.Bind(2, limit);
  std::vector<KeyedRow> rows;
  int rc = SQLITE_ROW;
  while ((rc = s.Step()) == SQLITE_ROW) {
    rows.push_back(KeyedRow{std::string(s.Blob(8)), ReadRow(s)});
  }
  if (rc != SQLITE_DONE) return db_.Fail("listing items");
  return rows;
}

Result<void> RowStore::Put(std::string_view key, const Row& row) {
  Statement& s = s_->put;
  ScopedReset reset(s);
  s.Bind(1, row.seq);
  s.Bind(2, row.client_flags);
  s.Bind(3, row.deadline);
  s.Bind(4, static_cast<std::int64_t>(row.cas));
  s.Bind(5, row.last_access);
  s.Bind(6, row.stored_at);
  s.Bind(7, StateBits(row));
  s.BindBlob(8, row.value);
  s.BindBlob(9, key);
  return Done(db_, s.Step(), "storing an item");
}

Result<void> RowStore::UpdateMeta(std::string_view key, const Row& row) {
  Statement& s = s_->update_meta;
  ScopedReset reset(s);
  s.BindBlob(6, key);
  s.Bind(1, row.seq);
  s.Bind(2, row.deadline);
  s.Bind(3, static_cast<std::int64_t>(row.cas));
  s.Bind(4, row.last_access);
  s.Bind(5, StateBits(row));
  return Done(db_, s.Step(), "updating an item");
}

Result<bool> RowStore::Erase(std::string_view key, std::int64_t seq) {
  ScopedReset reset(s_->erase);
  s_->erase.BindBlob(1, key);
  s_->erase.Bind(2, seq);
  Result<void> done = Done(db_, s_->erase.Step(), "deleting an item");
  if (!done.ok()) return done.error();
  return sqlite3_changes(db_.get()) > 0;
}

Result<std::optional<Removed>> RowStore::EraseKey(std::string_view key) {
  s_->erase_key.BindBlob(1, key);
  Result<std::vector<Removed>> removed = CollectRemoved(s_->erase_key, "deleting an item");
  if (!removed.ok()) return removed.error();
  if (removed->empty()) return std::optional<Removed>();
  return std::optional<Removed>(removed->front());
}

Result<std::vector<Candidate>> RowStore::Expired(std::int64_t now, int limit) {
  s_->expired.Bind(1, now);
  return Candidates(s_->expired, limit, "finding expired items");
}

Result<std::vector<Removed>> RowStore::CollectRemoved(Statement& s, std::string_view what) {
  ScopedReset reset(s);
  std::vector<Removed> removed;
  int rc = SQLITE_ROW;
  while ((rc = s.Step()) == SQLITE_ROW) {
    removed.push_back(ReadRemoved(s, 0));
    removed.back().key = std::string(s.Blob(4));
  }
  if (rc != SQLITE_DONE) return db_.Fail(what);
  return removed;
}

Result<std::vector<Candidate>> RowStore::Window(std::string_view after, bool first, int limit) {
  Statement& s = first ? s_->window_first : s_->window_after;
  if (!first) s.BindBlob(1, after);
  return Candidates(s, limit, "scanning items");
}

Result<std::vector<Candidate>> RowStore::Candidates(Statement& s, int limit,
                                                    std::string_view what) {
  ScopedReset reset(s);
  s.Bind(2, limit);
  std::vector<Candidate> candidates;
  int rc = SQLITE_ROW;
  while ((rc = s.Step()) == SQLITE_ROW) {
    candidates.push_back(Candidate{s.Int(0), std::string(s.Blob(1)), s.Int(2), ReadRemoved(s, 3)});
  }
  if (rc != SQLITE_DONE) return db_.Fail(what);
  return candidates;
}

Result<void> RowStore::Absorb(std::string_view key, std::int64_t seq, std::int64_t last_access,
                              bool fetched) {
  Statement& s = s_->absorb;
  ScopedReset reset(s);
  s.BindBlob(4, key);
  s.Bind(1, seq);
  s.Bind(2, last_access);
  s.Bind(3, fetched ? kStateFetched : 0);
  return Done(db_, s.Step(), "recording item accesses");
}

Result<Totals> RowStore::Count() {
  Statement& s = s_->count;
  ScopedReset reset(s);
  if (s.Step() != SQLITE_ROW) return db_.Fail("counting items");
  // MemcachedItemSize() is a fixed header plus the key and value lengths, plus a suffix for
  // nonzero flags, so the sum over rows follows from four aggregates.
  const auto items = static_cast<std::uint64_t>(s.Int(0));
  const std::uint64_t header = MemcachedItemSize(0, 0);
  const std::uint64_t flags_suffix = MemcachedItemSize(0, 0, 1) - header;
  const std::uint64_t bytes = items * header + static_cast<std::uint64_t>(s.Int(1)) +
                              static_cast<std::uint64_t>(s.Int(2)) +
                              static_cast<std::uint64_t>(s.Int(3)) * flags_suffix;
  return Totals{items, bytes};
}

Result<std::int64_t> RowStore::OldestAccess() {
  ScopedReset reset(s_->oldest_access);
  if (s_->oldest_access.Step() != SQLITE_ROW) return db_.Fail("reading item ages");
  return s_->oldest_access.Int(0);
}

Result<void> RowStore::PutMeta(std::string_view name, std::int64_t value) {
  Statement& s = s_->put_meta;
  ScopedReset reset(s);
  s.BindText(1, name);
  s.Bind(2, value);
  return Done(db_, s.Step(), "saving engine state");
}

}  // namespace mnemo::sqlite
