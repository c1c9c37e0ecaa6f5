// ServerHooks: what mnemod adds to every session. The server's own `stats` fields (process,
// connections, threads), the command counters summed over every worker, `stats settings`,
// `stats conns`, `stats reset`, `verbosity`, `shutdown` and `cache_memlimit`.
//
// Field order is memcached's: the process and connection fields before the command counters,
// limit_maxbytes ... threads, conn_yields after them (StatsAfterCounters), then the engine's.
// Fields of memcached internals we do not have (response objects, reserved fds, hash table,
// slab mover, logger) are left out rather than faked; read_buf_* report read_buffers.h.
//
// Thread safety: one ServerHooks is shared by every session of every worker; each method may
// run on any worker thread at any time.
#pragma once

#include <atomic>
#include <chrono>
#include <ctime>
#include <functional>
#include <memory>
#include <vector>

#include "mnemo/session.h"
#include "server/config.h"
#include "server/listener.h"
#include "server/logger.h"
#include "server/tls.h"
#include "server/udp_listener.h"
#include "server/watch_bus.h"
#include "server/worker.h"

namespace mnemo::server {

// The parts of the server the hooks read; every reference outlives the hooks' use.
struct ServerParts {
  const ServerConfig& config;
  const Listeners& listeners;
  const std::vector<std::unique_ptr<Worker>>& workers;  // filled before any session runs
  ConnectionCounts& connections;
  Logger& log;
  std::function<void(std::uint64_t bytes)> set_memory_limit;  // empty: fixed limit
  std::function<void()> request_stop;
  std::function<bool()> accepting;  // false once the server stops taking connections
  domains::DomainHooks* domains = nullptr;  // servers, domain_update, clients
  TlsContexts* tls = nullptr;  // -Z: refresh_certs and the ssl_* stats; null without
  const UdpListeners* udp = nullptr;  // -U: its sockets are listed in `stats conns`
  WatchBus* watch = nullptr;  // `watch` streams; null: watch is acknowledged, streams nothing
};

class ServerHooks final : public SessionHooks {
 public:
  explicit ServerHooks(ServerParts parts);

  bool Stats(std::string_view group, StatSink sink) override;
  void StatsAfterCounters(StatSink sink) override;
  CommandCounters TotalCounters(const CommandCounters& own) override;
  void ResetStats() override;
  void Verbosity(int level) override;
  void Shutdown(bool graceful) override;
  bool SetMemoryLimit(std::uint64_t megabytes) override;
  domains::DomainHooks* Domains() override { return parts_.domains; }
  std::string RefreshCerts() override;
  WatchSink* Watching() override {
    return parts_.watch != nullptr ? parts_.watch->Active() : nullptr;
  }
  WatchStart StartWatch(std::uint32_t flags) override;
  // Set once at startup, before any session runs.
  void set_tls(TlsContexts* tls) { parts_.tls = tls; }
  void set_udp(const UdpListeners* udp) { parts_.udp = udp; }

 private:
  void GeneralStats(StatSink sink) const;
  void ConnectionStats(StatSink sink) const;

  ServerParts parts_;
  const std::chrono::steady_clock::time_point started_;
  const std::int64_t started_seconds_;    // MonotonicSeconds() at start, the listeners' idle base
  std::atomic<std::uint64_t> max_bytes_;  // -m, then cache_memlimit
};

}  // namespace mnemo::server
