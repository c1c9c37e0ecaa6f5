// SqliteEngine's AsyncCalls: the Engine calls made without a caller thread that waits. A
// write becomes a writer job whose Finish runs exactly when the blocking call would return
// (after the commit that holds it; with durability off, once it has run). A batch of gets goes
// to a read thread, which serves what the cache or a reader connection can, as Get does, and
// hands the rest to the writer. Results are recorded in the PendingCalls; the engine thread
// that finishes the last call of a batch tells the host.
#include <atomic>
#include <string>
#include <utility>
#include <vector>

#include "engines/sqlite/engine_calls.h"
#include "engines/sqlite/engine_state.h"
#include "engines/sqlite/reader_pool.h"
#include "engines/sqlite/sqlite_engine.h"
#include "engines/sqlite/task_threads.h"
#include "engines/sqlite/writer.h"

namespace mnemo {
namespace {

using sqlite::GetOutcome;
using Kind = PendingCall::Kind;

// The calls of one Submit still with the writer. Heap-allocated; the last call to finish
// deletes it and tells the host, so Done runs once, after every result is recorded.
class Batch {
 public:
  Batch(std::size_t calls, CallsDone& done) : remaining_(calls), done_(done) {}

  void CallFinished() {
    if (remaining_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    CallsDone& done = done_;
    delete this;
    done.Done();
  }

 private:
  std::atomic<std::size_t> remaining_;
  CallsDone& done_;
};

void RecordGet(PendingCall& call, GetOutcome outcome) {
  if (!outcome.item) {
    call.SetGet(outcome.status);
    return;
  }
  // The row's copy becomes the call's: the value moves, nothing is copied twice.
  sqlite::FetchedItem& fetched = *outcome.item;
  std::string value = std::move(fetched.value);
  OwnedItem item = OwnedItem::From(fetched.View(call.key()));
  item.value = std::move(value);
  call.SetGet(outcome.status, std::move(item));
}

// One PendingCall as a writer job: the operation the blocking method runs (engine_calls.h),
// and on Finish the result that method would return.
class CallJob final : public sqlite::WriteJob {
 public:
  CallJob(PendingCall& call, Batch& batch) : call_(call), batch_(batch) {}

  bool Run(sqlite::WriteOps& ops) override {
    switch (call_.kind()) {
      case Kind::kGet:
        return sqlite::Record(ops.Get(call_.get()), get_);
      case Kind::kStore:
        return sqlite::Record(ops.Store(call_.store()), store_);
      case Kind::kDelete:
        return sqlite::Record(ops.Delete(call_.del()), delete_);
      case Kind::kArithmetic:
        return sqlite::Record(ops.Arithmetic(call_.arithmetic()), arith_);
      case Kind::kTouch:
        return sqlite::Record(ops.Touch(call_.hashed_key(), call_.touch_exptime()), touch_);
    }
    return false;
  }

  void Finish(bool ok) override {
    Report(ok);
    Batch& batch = batch_;
    delete this;  // the writer is done with the job, and the host may free the call next
    batch.CallFinished();
  }

 private:
  void Report(bool ok) {
    switch (call_.kind()) {
      case Kind::kGet:
        RecordGet(call_, ok ? std::move(get_) : GetOutcome{sqlite::kGetFailed, std::nullopt});
        return;
      case Kind::kStore:
        call_.SetStore(ok ? store_ : sqlite::kStoreFailed);
        return;
      case Kind::kDelete:
        call_.SetDelete(ok ? delete_ : sqlite::kDeleteFailed);
        return;
      case Kind::kArithmetic:
        call_.SetArithmetic(ok ? arith_ : sqlite::kArithFailed);
        return;
      case Kind::kTouch:
        call_.SetTouch(ok ? touch_ : sqlite::kTouchFailed);
        return;
    }
  }

  PendingCall& call_;
  Batch& batch_;
  GetOutcome get_;
  StoreResult store_ = sqlite::kStoreFailed;
  DeleteStatus delete_ = sqlite::kDeleteFailed;
  ArithResult arith_ = sqlite::kArithFailed;
  TouchStatus touch_ = sqlite::kTouchFailed;
};

}  // namespace

class SqliteEngine::LoopCalls final : public AsyncCalls {
 public:
  explicit LoopCalls(SqliteEngine& engine) : engine_(engine) {}
  void Submit(std::span<PendingCall* const> calls, CallsDone& done) override {
    engine_.Submit(calls, done);
  }

 private:
  SqliteEngine& engine_;
};

std::unique_ptr<AsyncCalls> SqliteEngine::ForLoop(asio::io_context& /*loop*/) {
  std::call_once(read_threads_started_, [this] {
    if (!readers_->empty()) {
      read_threads_ =
          std::make_unique<sqlite::TaskThreads>(config().reader_connections, "sqlite-reader");
    }
  });
  return std::make_unique<LoopCalls>(*this);
}

void SqliteEngine::Submit(std::span<PendingCall* const> calls, CallsDone& done) {
  if (calls.empty()) {
    done.Done();
    return;
  }
  // A write (alone in its batch), or gets no reader may serve now (gat, ":memory:", durability
  // off with writes not yet committed): the writer, in order, with no read thread between.
  const PendingCall& first = *calls.front();
  if (first.kind() != Kind::kGet || !read_threads_ || !ReadersMayServe(first.get())) {
    PostToWriter(calls, done);
    return;
  }
  // The span may not outlive Submit; the calls do, until Done.
  read_threads_->Post([this, owned = std::vector<PendingCall*>(calls.begin(), calls.end()), &done] {
    ServeGets(owned, done);
  });
}

void SqliteEngine::ServeGets(std::span<PendingCall* const> calls, CallsDone& done) {
  std::size_t served = 0;
  for (; served < calls.size(); ++served) {
    PendingCall& call = *calls[served];
    std::optional<GetOutcome> outcome = ReadOnlyGet(call.get());
    // The writer serves this one, and every later one too: a get after a gat of the same key
    // must see the touch, as in the blocking path, where they run one after another.
    if (!outcome) break;
    RecordGet(call, std::move(*outcome));
  }
  if (served == calls.size()) {
    done.Done();
    return;
  }
  PostToWriter(calls.subspan(served), done);
}

void SqliteEngine::PostToWriter(std::span<PendingCall* const> calls, CallsDone& done) {
  auto* batch = new Batch(calls.size(), done);  // deleted by its last call's Finish
  std::vector<sqlite::WriteJob*> jobs;
  jobs.reserve(calls.size());
  for (PendingCall* call : calls) jobs.push_back(new CallJob(*call, *batch));
  writer_->Post(jobs);
}

}  // namespace mnemo
