#include "engines/sqlite/reader_pool.h"

#include <utility>

namespace mnemo::sqlite {

ReaderPool::ReaderPool(std::vector<Connection> connections) : connections_(std::move(connections)) {
  free_.reserve(connections_.size());
  for (Connection& connection : connections_) free_.push_back(connection.rows.get());
}

// Returns a checked-out connection even if work throws, or the pool would shrink for good.
struct ReaderPool::Lease {
  ReaderPool& pool;
  RowStore* rows;
  ~Lease() { pool.Return(rows); }
};

void ReaderPool::Run(FunctionRef<void(RowStore&)> work) {
  Lease lease{*this, CheckOut()};
  work(*lease.rows);
}

bool ReaderPool::TryRun(FunctionRef<void(RowStore&)> work) {
  RowStore* rows = TryCheckOut();
  if (rows == nullptr) return false;
  Lease lease{*this, rows};
  work(*lease.rows);
  return true;
}

RowStore* ReaderPool::CheckOut() {
  std::unique_lock lock(mu_);
  returned_.wait(lock, [this] { return !free_.empty(); });
  RowStore* rows = free_.back();  // the most recently used: its pages are the warmest
  free_.pop_back();
  return rows;
}

RowStore* ReaderPool::TryCheckOut() {
  std::lock_guard lock(mu_);
  if (free_.empty()) return nullptr;
  RowStore* rows = free_.back();
  free_.pop_back();
  return rows;
}

void ReaderPool::Return(RowStore* rows) {
  {
    std::lock_guard lock(mu_);
    free_.push_back(rows);
  }
  returned_.notify_one();
}

}  // namespace mnemo::sqlite
