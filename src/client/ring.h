// Which servers take part in the distribution right now: auto-eject with libmemcached's
// semantics (see mnemo/client/client.h). Counts consecutive failures per server, ejects a server
// for the retry interval at the failure limit, puts it back when the interval ends, and keeps an
// immutable Distributor for the live set, rebuilt only when that set changes.
// Thread safety: all members may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "distribution.h"

namespace mnemo::client {

class Ring {
 public:
  using Clock = std::chrono::steady_clock;

  // REQUIRES: options.hash is set.
  explicit Ring(const Options& options);

  // The server that owns `key` now; nullopt when every server is ejected.
  std::optional<std::size_t> Pick(std::string_view key);
  // How long server `index` stays ejected; nullopt when it may be used.
  std::optional<std::chrono::milliseconds> EjectedFor(std::size_t index);

  void Failure(std::size_t index);
  void Success(std::size_t index);

 private:
  struct Health {
    std::uint32_t failures = 0;
    std::optional<Clock::time_point> ejected_until;
  };

  // Puts back servers whose interval has ended. REQUIRES: mu_ held.
  void Refresh(Clock::time_point now);
  void Rebuild();  // REQUIRES: mu_ held.

  const Options& options_;
  std::mutex mu_;
  std::vector<Health> health_;                  // GUARDED_BY(mu_)
  std::shared_ptr<const Distributor> current_;  // GUARDED_BY(mu_)
};

}  // namespace mnemo::client
