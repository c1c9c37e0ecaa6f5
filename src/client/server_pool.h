// The idle connections to one server. Operations borrow a connection and give it back when its
// stream is still in a known state; at most `max_idle` are kept, more are opened on demand.
// Thread safety: all members may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "connection.h"

namespace mnemo::client {

class ServerPool {
 public:
  ServerPool(ServerSpec spec, std::size_t max_idle) : spec_(std::move(spec)), max_idle_(max_idle) {}

  const ServerSpec& spec() const { return spec_; }

  // An idle connection that still looks alive, else a new one.
  Result<std::unique_ptr<Connection>> Acquire(std::chrono::milliseconds connect_timeout,
                                              const TlsOptions& tls);
  // Keeps `connection` for reuse, or closes it when enough are idle.
  void Release(std::unique_ptr<Connection> connection);
  // Closes every idle connection: after a failure they are likely dead too.
  void Clear();

 private:
  const ServerSpec spec_;
  const std::size_t max_idle_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;  // GUARDED_BY(mu_)
};

}  // namespace mnemo::client
