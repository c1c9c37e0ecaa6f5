#include "engines/sqlite/reader_pool.h"

#include <utility>

#include "engines/sqlite/completion.h"

namespace mnemo::sqlite {

struct ReaderPool::Job {
  explicit Job(FunctionRef<void(RowStore&)> run) : work(run) {}
  FunctionRef<void(RowStore&)> work;
  Completion done;
};

ReaderPool::ReaderPool(std::vector<Connection> connections) : connections_(std::move(connections)) {
  threads_.reserve(connections_.size());
  for (Connection& connection : connections_) {
    RowStore* rows = connection.rows.get();
    threads_.emplace_back([this, rows] { Loop(*rows); });
  }
}

ReaderPool::~ReaderPool() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

void ReaderPool::Run(FunctionRef<void(RowStore&)> work) {
  Job job(work);
  {
    std::lock_guard lock(mu_);
    queue_.push_back(&job);
  }
  cv_.notify_one();
  job.done.Wait();
}

void ReaderPool::Loop(RowStore& rows) {
  for (;;) {
    Job* job = nullptr;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping
      job = queue_.front();
      queue_.pop_front();
    }
    job->work(rows);
    job->done.Signal();
  }
}

}  // namespace mnemo::sqlite
