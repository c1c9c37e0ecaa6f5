// Connection reuse per server.
#include "server_pool.h"

namespace mnemo::client {

Result<std::unique_ptr<Connection>> ServerPool::Acquire(std::chrono::milliseconds connect_timeout,
                                                        const TlsOptions& tls) {
  while (true) {
    std::unique_ptr<Connection> connection;
    {
      std::lock_guard lock(mu_);
      if (idle_.empty()) break;
      connection = std::move(idle_.back());
      idle_.pop_back();
    }
    if (connection->LooksAlive()) return connection;
  }
  return Connection::Open(spec_, connect_timeout, tls);
}

void ServerPool::Release(std::unique_ptr<Connection> connection) {
  std::lock_guard lock(mu_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(connection));
}

void ServerPool::Clear() {
  std::vector<std::unique_ptr<Connection>> doomed;
  std::lock_guard lock(mu_);
  doomed.swap(idle_);
}

}  // namespace mnemo::client
