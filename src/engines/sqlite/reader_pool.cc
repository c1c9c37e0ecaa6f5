#include "engines/sqlite/reader_pool.h"

#include <utility>

namespace mnemo::sqlite {

ReaderPool::ReaderPool(std::vector<Connection> connections) : connections_(std::move(connections)) {
  free_.reserve(connections_.size());
  for (Connection& connection : connections_) free_.push_back(connection.rows.get());
}

void ReaderPool::Run(FunctionRef<void(RowStore&)> work) {
  // Returned even if work throws, or the pool would shrink for good.
  struct Lease {
    ReaderPool& pool;
    RowStore* rows;
    ~Lease() { pool.Return(rows); }
  } lease{*this, CheckOut()};
  work(*lease.rows);
}

RowStore* ReaderPool::CheckOut() {
  std::unique_lock lock(mu_);
  returned_.wait(lock, [this] { return !free_.empty(); });
  RowStore* rows = free_.back();  // the most recently used: its pages are the warmest
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
