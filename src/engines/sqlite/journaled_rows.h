// JournaledRows: the items table as the writer sees it -- the table, the committed changes not
// yet folded into it (PendingRows) and the changes of the current transaction, newest first.
// Changes are not written to the table: they are staged here and appended to the journal
// table at the commit (journal.h); WriteOps folds them into the table later (FoldJournal).
//
// Thread safety: none; only the writer thread uses it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engines/sqlite/journal.h"
#include "engines/sqlite/keyed_shards.h"
#include "engines/sqlite/row_store.h"
#include "engines/sqlite/statement.h"
#include "mnemo/result.h"

namespace mnemo::sqlite {

class JournaledRows {
 public:
  // REQUIRES: the journal table is empty (ReplayJournal has run).
  static Result<std::unique_ptr<JournaledRows>> Prepare(RowStore& table, PendingRows& pending);

  RowStore& table() { return table_; }
  Db& db() { return table_.db(); }
  std::int64_t last_journal_id() const { return last_journal_id_; }
  // The last journal row of a committed transaction: rows after it hold this transaction's
  // records (appended before the COMMIT when they pass 1 MiB).
  std::int64_t committed_journal_id() const {
    return first_journal_id_ != 0 ? first_journal_id_ - 1 : last_journal_id_;
  }

  // As RowStore's methods, over the table with the pending and staged changes on top.
  Result<std::optional<Row>> Find(std::string_view key);
  Result<void> Put(std::string_view key, Row row);
  Result<void> UpdateMeta(std::string_view key, const Row& row);
  Result<bool> Erase(std::string_view key, std::int64_t seq);
  Result<std::optional<Removed>> EraseKey(std::string_view key);
  Result<std::vector<Removed>> PurgeExpired(std::int64_t now, int limit);
  Result<void> Absorb(std::string_view key, std::int64_t seq, std::int64_t last_access,
                      bool fetched);
  // key's change staged in this transaction or pending, newest first: true and its row (nullopt
  // for a deletion), or false when the table's row is key's row.
  bool FindChange(std::string_view key, std::optional<Row>* row) const;
  // The keys this transaction changed.
  std::vector<std::string> StagedKeys() const;
  // Whether key has a change pending or staged: then its row in the table (what RowStore's
  // Window shows) is not its row.
  bool Changing(std::string_view key) const;

  // Before the COMMIT: appends this transaction's changes to the journal table.
  Result<void> WriteJournal();
  // After the COMMIT: the staged changes become pending (readers see them from now on).
  void Publish();
  // After a ROLLBACK: the staged changes are dropped.
  void Discard();
  // Deletes the oldest journal rows, up to `limit` of them and none after `journal_id`: all
  // of their changes are in the table. Returns how many it deleted.
  Result<std::size_t> DeleteJournal(std::int64_t journal_id, std::size_t limit);
  // Bytes of records appended to the journal so far.
  std::uint64_t appended_bytes() const { return appended_bytes_; }

 private:
  JournaledRows(RowStore& table, PendingRows& pending, Statement append, Statement remove);
  void Stage(std::string_view key, std::optional<Row> row);
  // Find, and whether the row came from the table (nothing newer is staged or pending).
  Result<std::optional<Row>> Locate(std::string_view key, bool* in_table);
  // Stages key's deletion; `in_table`: its row is the table's.
  Result<void> Delete(std::string_view key, bool in_table);
  // Appends the records gathered so far as one journal row.
  Result<void> AppendRecords();

  RowStore& table_;
  PendingRows& pending_;
  Statement append_;
  Statement remove_;
  std::int64_t last_journal_id_ = 0;
  // This transaction's changes, by key, and their records not yet in the journal table.
  KeyMap<std::optional<Row>> staged_;
  std::string records_;
  std::int64_t first_journal_id_ = 0;  // this transaction's first journal row; 0 = none yet
  std::uint64_t appended_bytes_ = 0;
  std::uint64_t transaction_bytes_ = 0;  // of appended_bytes_, this transaction's
};

}  // namespace mnemo::sqlite
