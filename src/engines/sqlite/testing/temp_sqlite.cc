#include "engines/sqlite/testing/temp_sqlite.h"

#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <system_error>
#include <utility>
#include <vector>

#include "engines/sqlite/sqlite_engine.h"

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
