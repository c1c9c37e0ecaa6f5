#include "engines/sqlite/journaled_rows.h"

#include <algorithm>
#include <utility>

#include "mnemo/item_rules.h"

namespace mnemo::sqlite {
namespace {

// A transaction's records go to the journal table in rows of about this size, so that a batch
// of large values never builds one huge BLOB.
constexpr std::size_t kJournalRowBytes = std::size_t{1} << 20;
// Expired rows of the table looked at per purge, for each one to purge: some may be pending.
constexpr int kExpiredLookAhead = 4;

Removed SizeOf(std::string_view key, const Row& row) {
  return Removed{MemcachedItemSize(key.size(), row.value.size(), row.client_flags), row.fetched,
                 std::string(key)};
}

}  // namespace

Result<std::unique_ptr<JournaledRows>> JournaledRows::Prepare(RowStore& table,
                                                              PendingRows& pending) {
  Result<Statement> append = table.db().Prepare("INSERT INTO journal(records) VALUES (?1)");
  if (!append.ok()) return append.error();
  Result<Statement> remove = table.db().Prepare(
      "DELETE FROM journal WHERE id IN (SELECT id FROM journal WHERE id <= ?1 ORDER BY id "
      "LIMIT ?2)");
  if (!remove.ok()) return remove.error();
  return std::unique_ptr<JournaledRows>(
      new JournaledRows(table, pending, std::move(append).value(), std::move(remove).value()));
}

JournaledRows::JournaledRows(RowStore& table, PendingRows& pending, Statement append,
                             Statement remove)
    : table_(table), pending_(pending), append_(std::move(append)), remove_(std::move(remove)) {}

Result<std::optional<Row>> JournaledRows::Find(std::string_view key) {
  bool in_table = false;
  return Locate(key, &in_table);
}

bool JournaledRows::FindChange(std::string_view key, std::optional<Row>* row) const {
  auto staged = staged_.find(key);
  if (staged != staged_.end()) {
    *row = staged->second;
    return true;
  }
  return pending_.Find(key, row);
}

Result<std::optional<Row>> JournaledRows::Locate(std::string_view key, bool* in_table) {
  std::optional<Row> changed;
  *in_table = !FindChange(key, &changed);
  if (!*in_table) return changed;
  return table_.Find(key);
}

Result<void> JournaledRows::Delete(std::string_view key, bool in_table) {
  // The table's row goes at once too: its space is free for this transaction's journal row,
  // which a full disk may need (and the deletion journaled keeps older records of the key in
  // the journal from bringing it back at a replay).
  if (in_table) {
    Result<std::optional<Removed>> erased = table_.EraseKey(key);
    if (!erased.ok()) return erased.error();
  }
  Stage(key, std::nullopt);
  return {};
}

std::vector<std::string> JournaledRows::StagedKeys() const {
  std::vector<std::string> keys;
  keys.reserve(staged_.size());
  for (const auto& [key, row] : staged_) keys.push_back(key);
  return keys;
}

bool JournaledRows::Changing(std::string_view key) const {
  return staged_.contains(key) || pending_.Contains(key);
}

void JournaledRows::Stage(std::string_view key, std::optional<Row> row) {
  EncodeRecord(records_, key, row);
  auto it = staged_.find(key);
  if (it == staged_.end()) {
    staged_.emplace(std::string(key), std::move(row));
  } else {
    it->second = std::move(row);
  }
}

Result<void> JournaledRows::Put(std::string_view key, Row row) {
  Stage(key, std::move(row));
  if (records_.size() >= kJournalRowBytes) return AppendRecords();
  return {};
}

Result<void> JournaledRows::UpdateMeta(std::string_view key, const Row& row) {
  Result<std::optional<Row>> current = Find(key);
  if (!current.ok()) return current.error();
  if (!*current || (*current)->seq != row.seq) return {};
  Row updated = std::move(**current);
  updated.deadline = row.deadline;
  updated.cas = row.cas;
  updated.last_access = row.last_access;
  updated.fetched = row.fetched;
  updated.stale = row.stale;
  updated.token_sent = row.token_sent;
  updated.binary_key = row.binary_key;
  return Put(key, std::move(updated));
}

Result<bool> JournaledRows::Erase(std::string_view key, std::int64_t seq) {
  bool in_table = false;
  Result<std::optional<Row>> current = Locate(key, &in_table);
  if (!current.ok()) return current.error();
  if (!*current || (*current)->seq != seq) return false;
  Result<void> deleted = Delete(key, in_table);
  if (!deleted.ok()) return deleted.error();
  return true;
}

Result<std::optional<Removed>> JournaledRows::EraseKey(std::string_view key) {
  bool in_table = false;
  Result<std::optional<Row>> current = Locate(key, &in_table);
  if (!current.ok()) return current.error();
  if (!*current) return std::optional<Removed>();
  Result<void> deleted = Delete(key, in_table);
  if (!deleted.ok()) return deleted.error();
  return std::optional<Removed>(SizeOf(key, **current));
}

Result<std::vector<Removed>> JournaledRows::PurgeExpired(std::int64_t now, int limit) {
  Result<std::vector<Candidate>> expired = table_.Expired(now, limit * kExpiredLookAhead);
  if (!expired.ok()) return expired.error();
  std::vector<Removed> removed;
  for (Candidate& candidate : *expired) {
    if (removed.size() >= static_cast<std::size_t>(limit)) break;
    if (Changing(candidate.key)) continue;  // the pending change decides, when folded
    Result<void> deleted = Delete(candidate.key, true);
    if (!deleted.ok()) return deleted.error();
    removed.push_back(std::move(candidate.size));
    removed.back().key = std::move(candidate.key);
  }
  return removed;
}

Result<void> JournaledRows::Absorb(std::string_view key, std::int64_t seq, std::int64_t last_access,
                                   bool fetched) {
  std::optional<Row> row;
  auto staged = staged_.find(key);
  if (staged != staged_.end()) {
    row = staged->second;
  } else if (!pending_.Find(key, &row)) {
    return table_.Absorb(key, seq, last_access, fetched);
  }
  if (!row || row->seq != seq) return {};
  // Journaled like any change, so that it is committed with this transaction.
  row->last_access = std::max(row->last_access, last_access);
  row->fetched = row->fetched || fetched;
  return Put(key, std::move(*row));
}

Result<void> JournaledRows::AppendRecords() {
  if (records_.empty()) return {};
  ScopedReset reset(append_);
  append_.BindBlob(1, records_);
  Result<void> done = Done(table_.db(), append_.Step(), "writing the journal");
  if (!done.ok()) return done;
  last_journal_id_ = sqlite3_last_insert_rowid(table_.db().get());
  appended_bytes_ += records_.size();
  transaction_bytes_ += records_.size();
  if (first_journal_id_ == 0) first_journal_id_ = last_journal_id_;
  records_.clear();
  return {};
}

Result<void> JournaledRows::WriteJournal() { return AppendRecords(); }

void JournaledRows::Publish() {
  // Every change of the transaction counts as held in its first journal row: a fold that
  // deletes the journal up to a row folds every change counted there first (see FoldJournal).
  for (auto& [key, row] : staged_) pending_.Publish(key, std::move(row), first_journal_id_);
  staged_.clear();
  records_.clear();
  first_journal_id_ = 0;
  transaction_bytes_ = 0;
}

void JournaledRows::Discard() {
  staged_.clear();
  records_.clear();
  if (first_journal_id_ != 0) last_journal_id_ = first_journal_id_ - 1;
  first_journal_id_ = 0;
  appended_bytes_ -= transaction_bytes_;
  transaction_bytes_ = 0;
}

Result<std::size_t> JournaledRows::DeleteJournal(std::int64_t journal_id, std::size_t limit) {
  ScopedReset reset(remove_);
  remove_.Bind(1, journal_id);
  remove_.Bind(2, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
  Result<void> done = Done(table_.db(), remove_.Step(), "deleting folded journal rows");
  if (!done.ok()) return done.error();
  return static_cast<std::size_t>(sqlite3_changes64(table_.db().get()));
}

}  // namespace mnemo::sqlite
