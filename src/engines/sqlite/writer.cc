#include "engines/sqlite/writer.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "engines/sqlite/completion.h"

namespace mnemo::sqlite {
namespace {

using std::chrono::milliseconds;

// How often an idle writer wakes to see whether recorded accesses are due to be folded in.
constexpr milliseconds kTick{100};
// Recorded accesses folded into the table per transaction.
constexpr std::size_t kAbsorbBatch = 1024;
// Batches smaller than this wait for one yield of the CPU before they run.
constexpr std::size_t kGatherBelow = 8;
// Dead rows the background purge deletes per transaction.
constexpr int kPurgeBatch = 256;
// Pending changes folded into the table per transaction.
constexpr std::size_t kJournalFoldBatch = 1024;
// How long a fold that failed waits before it is tried again.
constexpr milliseconds kFoldRetry{1000};

// The WAL's sync for the Syncer: opened on the first sync (SQLite creates the file with the
// first transaction), kept open; an fdatasync through any descriptor syncs the file.
class WalSync {
 public:
  explicit WalSync(std::string path) : path_(std::move(path)) {}
  ~WalSync() {
    if (fd_ >= 0) ::close(fd_);
  }
  WalSync(const WalSync&) = delete;
  WalSync& operator=(const WalSync&) = delete;

  bool operator()() {
    if (fd_ < 0) fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    return fd_ >= 0 && ::fdatasync(fd_) == 0;
  }

 private:
  const std::string path_;
  int fd_ = -1;
};

}  // namespace

// Run()'s job: lives on the caller's stack, which waits for Finish().
struct Writer::BlockingJob final : WriteJob {
  explicit BlockingJob(FunctionRef<bool(WriteOps&)> run) : op(run) {}
  bool Run(WriteOps& ops) override { return op(ops); }
  void Finish(bool result) override {
    ok = result;
    done.Signal();  // last: the caller may destroy this job as soon as it is signalled
  }

  FunctionRef<bool(WriteOps&)> op;
  bool ok = false;
  Completion done;
};

Writer::Writer(SharedState& shared, std::unique_ptr<Db> db, std::unique_ptr<RowStore> rows,
               std::unique_ptr<JournaledRows> journaled, std::unique_ptr<WriteOps> ops,
               std::unique_ptr<Checkpointer> checkpointer)
    : shared_(shared),
      db_(std::move(db)),
      rows_(std::move(rows)),
      journaled_(std::move(journaled)),
      ops_(std::move(ops)),
      checkpointer_(std::move(checkpointer)),
      ack_before_commit_(shared.config().durability == Durability::kOff),
      next_purge_(Clock::now() + shared.config().purge_interval),
      next_fold_(Clock::now() + shared.config().access_fold_interval),
      next_journal_fold_(Clock::now() + shared.config().journal_fold_interval),
      syncer_(MakeSyncer()),
      thread_([this] { Loop(); }) {
  pthread_setname_np(thread_.native_handle(), "sqlite-writer");  // for top -H and perf
}

std::unique_ptr<Syncer> Writer::MakeSyncer() {
  if (shared_.config().durability != Durability::kFull) return nullptr;
  // An in-memory database has no file name, and then no WAL name to ask for.
  const char* file = sqlite3_db_filename(db_->get(), "main");
  if (file == nullptr || *file == '\0') return nullptr;
  const char* wal = sqlite3_filename_wal(file);
  if (wal == nullptr || *wal == '\0') return nullptr;
  auto sync = std::make_shared<WalSync>(wal);
  return std::make_unique<Syncer>(
      [this, sync] {
        const bool synced = (*sync)();
        Add(shared_.counters.wal_syncs);
        if (!synced) Add(shared_.counters.errors);
        return synced;
      },
      [this](std::vector<Job*>& jobs, bool synced) {
        for (Job* job : jobs) Finish(job, synced && job->ok_);
      });
}

Writer::~Writer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

bool Writer::Run(FunctionRef<bool(WriteOps&)> op) {
  BlockingJob job(op);
  WriteJob* const jobs[] = {&job};
  Post(jobs);
  job.done.Wait();
  return job.ok;
}

void Writer::Post(std::span<WriteJob* const> jobs) {
  {
    std::lock_guard lock(mu_);
    queue_.insert(queue_.end(), jobs.begin(), jobs.end());
  }
  cv_.notify_one();
}

void Writer::Loop() {
  const milliseconds interval = shared_.config().purge_interval;
  const auto max_batch = static_cast<std::size_t>(std::max(1, shared_.config().max_batch));
  std::vector<Job*> batch;
  for (bool stopping = false; !stopping;) {
    {
      std::unique_lock lock(mu_);
      Clock::time_point wake = Clock::now() + kTick;
      if (interval.count() > 0) wake = std::min(wake, next_purge_);
      if (shared_.overlay.size() > 0) wake = std::min(wake, next_fold_);
      if (ops_->JournalDirty()) wake = std::min(wake, next_journal_fold_);
      cv_.wait_until(lock, wake, [this] { return stop_ || !queue_.empty(); });
      if (!stop_ && !queue_.empty() && queue_.size() < kGatherBelow) {
        // A small batch: let request threads that are ready to run add their writes first
        // (a commit delay of one yield). On a busy core this made batches ~10x larger.
        lock.unlock();
        sched_yield();
        lock.lock();
      }
      const std::size_t n = std::min(queue_.size(), max_batch);
      batch.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      stopping = stop_ && queue_.empty();
    }
    const Clock::time_point now = Clock::now();
    const bool purge = interval.count() > 0 && now >= next_purge_;
    if (purge) next_purge_ = now + interval;
    if (!batch.empty() || purge || FoldDue(now)) RunBatch(batch, purge, false);
    // A fold step has a transaction of its own: should it fail (a full disk: the table grows
    // before the journal shrinks), no client write fails with it.
    if (JournalFoldDue(Clock::now())) RunBatch({}, false, true);
    if (checkpointer_) checkpointer_->Restart();
  }
  // Fold in everything the readers recorded, so that access times and fetched bits survive a
  // restart. The readers are gone by now, so the overlay only shrinks.
  const std::size_t rounds = shared_.overlay.size() / kAbsorbBatch + 2;
  for (std::size_t round = 0; round < rounds && shared_.overlay.size() > 0; ++round) {
    fold_left_ = shared_.overlay.size();
    RunBatch({}, false, false);
  }
  // Then the journal, so that the table alone holds every item (what the sqlite3 shell reads).
  fold_journal_now_ = true;
  const std::size_t batches = shared_.pending.size() / kJournalFoldBatch + 3;
  for (std::size_t i = 0; i < batches && ops_->JournalDirty(); ++i) RunBatch({}, false, true);
  if (syncer_) syncer_->Flush();
}

bool Writer::JournalFoldDue(Clock::time_point now) {
  if (!ops_->JournalDirty()) return journal_fold_due_ = false;
  if (fold_journal_now_) return true;
  if (now < fold_retry_at_) return false;  // the last step failed
  if (journal_fold_due_ || ops_->FoldRoundUnderway()) return true;
  const SqliteEngineConfig& config = shared_.config();
  // Bounds the memory the pending changes hold, eviction's blind spot (see the config) and
  // the journal's size in the file.
  const std::size_t bytes = std::min(config.journal_fold_bytes, config.size_limit_bytes / 4);
  if (now < next_journal_fold_ && shared_.pending.bytes() < bytes &&
      ops_->JournalBytesSinceRound() < config.journal_fold_bytes) {
    return false;
  }
  next_journal_fold_ = now + config.journal_fold_interval;
  return journal_fold_due_ = true;
}

bool Writer::FoldDue(Clock::time_point now) {
  const std::size_t recorded = shared_.overlay.size();
  if (recorded == 0) {
    fold_left_ = 0;
    return false;
  }
  if (fold_left_ == 0 && now >= next_fold_) {
    fold_left_ = recorded;
    next_fold_ = now + shared_.config().access_fold_interval;
  }
  return fold_left_ > 0 || recorded > shared_.config().access_fold_above;
}

void Writer::RunBatch(const std::vector<Job*>& batch, bool purge, bool fold) {
  WriteOps::TxnState before = ops_->Save();
  const sqlite3_int64 changes = sqlite3_total_changes64(db_->get());
  if (!db_->Exec("BEGIN IMMEDIATE").ok()) {
    Add(shared_.counters.errors);
    for (Job* job : batch) Finish(job, false);
    return;
  }
  // With durability off, readers stay away from the moment the batch starts: its writes are
  // acknowledged before they are committed (see SharedState::uncommitted).
  if (ack_before_commit_ && !batch.empty()) shared_.uncommitted.store(true);
  std::optional<std::vector<Job*>> waiting = RunJobs(batch, before);
  if (!waiting) {
    ops_->InvalidateChanged();
    shared_.uncommitted.store(false);
    return;
  }
  std::vector<AccessOverlay::Entry> absorbed = Maintain(purge, fold);
  const bool wrote = !batch.empty() || sqlite3_total_changes64(db_->get()) != changes;
  if (!Commit()) {
    ops_->Restore(before);
    ops_->InvalidateChanged();
    FailAll(*waiting);
    return;
  }
  if (wrote) Add(shared_.counters.commits);
  // In this order: a get that read a cached row or an old snapshot before the commit and
  // then misses a forgotten overlay entry sees the epoch move, and reads again.
  ops_->InvalidateChanged(/*committed=*/true);
  if (!absorbed.empty()) {
    for (const AccessOverlay::Entry& entry : absorbed) {
      const AccessOverlay::Access& access = entry.access;
      shared_.cache.Refresh(entry.key, access.seq, access.last_access, access.fetched);
    }
    shared_.absorb_epoch.fetch_add(1);
    shared_.overlay.Forget(absorbed);
  }
  Acknowledge(std::move(*waiting));
}

void Writer::Acknowledge(std::vector<Job*> jobs) {
  if (syncer_ && !jobs.empty()) {
    syncer_->Hand(std::move(jobs));
    return;
  }
  for (Job* job : jobs) Finish(job, job->ok_);
}

std::optional<std::vector<Writer::Job*>> Writer::RunJobs(const std::vector<Job*>& batch,
                                                         WriteOps::TxnState& before) {
  std::vector<Job*> waiting;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    Job* job = batch[i];
    job->ok_ = job->Run(*ops_);
    Add(shared_.counters.write_ops);
    if (!job->ok_) Add(shared_.counters.errors);
    if (!job->ok_ && !db_->in_transaction()) {
      // SQLite rolled the whole transaction back (a full disk, an I/O error): nothing of it
      // holds, so neither does anything waiting for its commit.
      ops_->Restore(before);
      ops_->InvalidateChanged();
      FailAll(waiting);
      Finish(job, false);
      if (!db_->Exec("BEGIN IMMEDIATE").ok()) {
        for (std::size_t j = i + 1; j < batch.size(); ++j) Finish(batch[j], false);
        return std::nullopt;
      }
      before = ops_->Save();
      continue;
    }
    if (ack_before_commit_) {
      shared_.uncommitted.store(true);
      Finish(job, job->ok_);
    } else {
      waiting.push_back(job);
    }
  }
  return waiting;
}

std::vector<AccessOverlay::Entry> Writer::Maintain(bool purge, bool fold) {
  std::vector<AccessOverlay::Entry> absorbed;
  if (FoldDue(Clock::now())) {
    Result<std::vector<AccessOverlay::Entry>> taken = ops_->AbsorbAccesses(kAbsorbBatch);
    if (!taken.ok()) {
      // The transaction may be gone; nothing more may run outside it. The commit decides.
      Add(shared_.counters.errors);
      return absorbed;
    }
    absorbed = std::move(taken).value();
    fold_left_ -= std::min(fold_left_, absorbed.size());
  }
  if (fold) {
    const std::size_t limit = fold_journal_now_ ? SIZE_MAX : kJournalFoldBatch;
    Result<bool> round_done = ops_->FoldJournal(limit);
    if (!round_done.ok()) {
      // Tried again after kFoldRetry; meanwhile the journal and the memory hold everything.
      Add(shared_.counters.errors);
      fold_retry_at_ = Clock::now() + kFoldRetry;
      return absorbed;
    }
    if (*round_done) journal_fold_due_ = false;
  }
  if (purge) {
    Result<bool> more = ops_->PurgeDead(kPurgeBatch);
    if (!more.ok()) {
      Add(shared_.counters.errors);
    } else if (*more) {
      next_purge_ = Clock::now();  // more to purge: next round, after the queued requests
    }
  }
  return absorbed;
}

bool Writer::Commit() {
  Result<void> committed = ops_->SaveState();
  if (committed.ok()) committed = db_->Exec("COMMIT");
  // Readers see the changes from here on: before anything is acknowledged, and before they
  // may serve again with durability off.
  if (committed.ok()) ops_->Publish();
  shared_.uncommitted.store(false);
  if (committed.ok()) return true;
  Add(shared_.counters.errors);
  if (db_->in_transaction()) (void)db_->Exec("ROLLBACK");
  return false;
}

void Writer::Finish(Job* job, bool ok) { job->Finish(ok); }

void Writer::FailAll(std::vector<Job*>& jobs) {
  for (Job* job : jobs) Finish(job, false);
  jobs.clear();
}

}  // namespace mnemo::sqlite
