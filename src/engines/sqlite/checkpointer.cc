#include "engines/sqlite/checkpointer.h"

#include <utility>

namespace mnemo::sqlite {

Checkpointer::Checkpointer(std::unique_ptr<Db> db, int pages, std::atomic<std::uint64_t>& done)
    : db_(std::move(db)), pages_(pages), done_(done), thread_([this] { Loop(); }) {}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void Checkpointer::Attach(Db& writer) { sqlite3_wal_hook(writer.get(), &Checkpointer::OnWal, this); }

int Checkpointer::OnWal(void* self, sqlite3* db, const char* name, int frames) {
  auto& checkpointer = *static_cast<Checkpointer*>(self);
  if (frames < checkpointer.pages_) return SQLITE_OK;
  if (frames >= 4 * checkpointer.pages_) {
    // Far behind: fold the WAL here, as SQLite's own checkpoint would have.
    (void)sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    return SQLITE_OK;
  }
  {
    std::lock_guard lock(checkpointer.mu_);
    if (checkpointer.due_) return SQLITE_OK;
    checkpointer.due_ = true;
  }
  checkpointer.cv_.notify_one();
  return SQLITE_OK;
}

void Checkpointer::Loop() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stop_ || due_; });
      if (stop_) return;
      due_ = false;
    }
    // First the bulk, beside the writer's commits; then what they added meanwhile, holding the
    // writer back only for that, so that the next commit starts the WAL over instead of
    // growing it. Busy or failed: the next commit past the threshold asks again.
    if (sqlite3_wal_checkpoint_v2(db_->get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                  nullptr) == SQLITE_OK &&
        sqlite3_wal_checkpoint_v2(db_->get(), nullptr, SQLITE_CHECKPOINT_RESTART, nullptr,
                                  nullptr) == SQLITE_OK) {
      done_.fetch_add(1, std::memory_order_relaxed);
    }
  }
}

}  // namespace mnemo::sqlite
