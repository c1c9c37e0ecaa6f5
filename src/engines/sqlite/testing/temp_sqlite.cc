#include "engines/sqlite/testing/temp_sqlite.h"

#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <system_error>
#include <utility>
#include <vector>

#include "engines/sqlite/journal.h"
#include "engines/sqlite/sqlite_engine.h"
#include "engines/sqlite/statement.h"

namespace mnemo::sqlite::testing {
namespace {

// Owns the directory and the engine on a file in it; the engine closes first.
class ScratchEngine final : public Engine {
 public:
  ScratchEngine(std::unique_ptr<TempDir> dir, std::unique_ptr<SqliteEngine> engine)
      : dir_(std::move(dir)), engine_(std::move(engine)) {}

  GetStatus Get(const GetRequest& request, ItemVisitor on_hit) override {
    return engine_->Get(request, on_hit);
  }
  std::optional<GetStatus> TryGet(const GetRequest& request, ItemVisitor on_hit) override {
    return engine_->TryGet(request, on_hit);
  }
  StoreResult Store(const StoreRequest& request) override { return engine_->Store(request); }
  DeleteStatus Delete(const DeleteRequest& request) override { return engine_->Delete(request); }
  ArithResult Arithmetic(const ArithRequest& request) override {
    return engine_->Arithmetic(request);
  }
  TouchStatus Touch(const HashedKey& key, std::int64_t exptime) override {
    return engine_->Touch(key, exptime);
  }
  void FlushAll(std::int64_t delay) override { engine_->FlushAll(delay); }
  void ForEach(FunctionRef<bool(const ItemView&)> visit) override { engine_->ForEach(visit); }
  bool Stats(std::string_view group, StatSink sink) override { return engine_->Stats(group, sink); }
  std::int64_t Now() const override { return engine_->Now(); }

 private:
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<SqliteEngine> engine_;
};

}  // namespace

std::map<std::string, Row> CommittedRows(const std::string& path) {
  std::map<std::string, Row> rows;
  Result<std::unique_ptr<Db>> db = Db::Open(path, SQLITE_OPEN_READONLY);
  if (!db.ok()) return rows;
  Result<std::unique_ptr<RowStore>> table = RowStore::Prepare(**db);
  Result<Statement> journal = (*db)->Prepare("SELECT records FROM journal ORDER BY id");
  // One read transaction: the table and the journal of the same moment.
  if (!table.ok() || !journal.ok() || !(*db)->Exec("BEGIN").ok()) return rows;
  std::string after;
  for (bool first = true;; first = false) {
    Result<std::vector<KeyedRow>> page = (*table)->Page(after, first, 256);
    if (!page.ok() || page->empty()) break;
    after = page->back().key;
    for (KeyedRow& keyed : *page) rows[keyed.key] = std::move(keyed.row);
  }
  while (journal->Step() == SQLITE_ROW) {
    Result<std::vector<JournalRecord>> records = DecodeRecords(journal->Blob(0));
    if (!records.ok()) return {};
    for (JournalRecord& record : *records) {
      if (record.row) {
        rows[record.key] = std::move(*record.row);
      } else {
        rows.erase(record.key);
      }
    }
  }
  journal->Reset();
  (void)(*db)->Exec("COMMIT");
  return rows;
}

TempDir::TempDir() {
  std::error_code error;
  std::string pattern = (std::filesystem::temp_directory_path(error) / "mnemo-sqlite-XXXXXX");
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) != nullptr) path_ = buffer.data();
}

TempDir::~TempDir() {
  std::error_code ignored;
  if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
}

SqliteEngineConfig ConformanceConfig(std::string path) {
  SqliteEngineConfig config;
  config.path = std::move(path);
  config.purge_interval = std::chrono::milliseconds(0);
  return config;
}

std::unique_ptr<Engine> OpenScratchEngine(const Clock& clock, Scratch kind) {
  auto dir = std::make_unique<TempDir>();
  SqliteEngineConfig config =
      ConformanceConfig(kind == Scratch::kMemory ? ":memory:" : dir->File("items.db"));
  if (kind == Scratch::kFileCache) config.cache_mb = 4;
  Result<std::unique_ptr<SqliteEngine>> engine = SqliteEngine::Open(clock, config);
  if (!engine.ok()) {
    std::fprintf(stderr, "%s\n", engine.error().message.c_str());
    return nullptr;
  }
  return std::make_unique<ScratchEngine>(std::move(dir), std::move(engine).value());
}

}  // namespace mnemo::sqlite::testing
