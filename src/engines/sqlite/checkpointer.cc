#include "engines/sqlite/checkpointer.h"

#include <pthread.h>

#include <utility>

namespace mnemo::sqlite {

Checkpointer::Checkpointer(std::unique_ptr<Db> db, int pages, std::atomic<std::uint64_t>& done)
    : db_(std::move(db)), pages_(pages), done_(done), thread_([this] { Loop(); }) {
  pthread_setname_np(thread_.native_handle(), "sqlite-ckpt");  // for top -H and perf
}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Checkpointer::Attach(Db& writer) {
  writer_ = &writer;
  sqlite3_wal_hook(writer.get(), &Checkpointer::OnWal, this);
}

namespace {

// A RESTART checkpoint through the writer connection that does not wait for readers on an
// older snapshot (a long ForEach, say): the writer would wait with it. If one is there, the
// WAL goes on growing and the next commit past the threshold starts another pass.
void RestartWal(Db& writer) {
  Result<std::int64_t> timeout = writer.QueryInt("PRAGMA busy_timeout");
  if (!timeout.ok()) return;
  sqlite3_busy_timeout(writer.get(), 0);
  (void)sqlite3_wal_checkpoint_v2(writer.get(), nullptr, SQLITE_CHECKPOINT_RESTART, nullptr,
                                  nullptr);
  sqlite3_busy_timeout(writer.get(), static_cast<int>(*timeout));
}

}  // namespace

void Checkpointer::Restart() {
  {
    std::lock_guard lock(mu_);
    if (!restart_due_) return;
    restart_due_ = false;
  }
  RestartWal(*writer_);
}

int Checkpointer::OnWal(void* self, sqlite3* /*db*/, const char* /*name*/, int frames) {
  auto& checkpointer = *static_cast<Checkpointer*>(self);
  if (frames < checkpointer.pages_) return SQLITE_OK;
  if (frames >= 4 * checkpointer.pages_) {
    // Far behind (the thread got no CPU): wait for its pass to end, then fold the WAL here, so
    // that it starts over.
    std::unique_lock lock(checkpointer.mu_);
    checkpointer.cv_.wait(lock, [&] { return !checkpointer.running_; });
    RestartWal(*checkpointer.writer_);
    return SQLITE_OK;
  }
  {
    std::lock_guard lock(checkpointer.mu_);
    // A pass under way, or one done whose tail the writer has yet to fold: nothing to ask.
    if (checkpointer.due_ || checkpointer.running_ || checkpointer.restart_due_) return SQLITE_OK;
    checkpointer.due_ = true;
  }
  checkpointer.cv_.notify_all();
  return SQLITE_OK;
}

void Checkpointer::Loop() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stop_ || due_; });
      if (stop_) return;
      due_ = false;
      running_ = true;
    }
    // The bulk, beside the writer's commits. Busy or failed: the next commit past the
    // threshold asks again.
    const int rc =
        sqlite3_wal_checkpoint_v2(db_->get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    if (rc == SQLITE_OK) done_.fetch_add(1, std::memory_order_relaxed);
    {
      std::lock_guard lock(mu_);
      running_ = false;
      restart_due_ = rc == SQLITE_OK;
    }
    cv_.notify_all();  // a writer may wait for the pass to end
  }
}

}  // namespace mnemo::sqlite
