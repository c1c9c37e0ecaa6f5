// Server: composes mnemod at run time. It owns the engine, the listeners, the acceptor loop and
// signal handling on the main thread's io_context, and the workers (-t) that serve the
// connections. Accepted connections are dealt to the workers round-robin; above -c a client
// gets memcached's "ERROR Too many open connections" and is closed (or, with
// -o no_maxconns_fast, waits in the backlog until a connection ends).
//
// Life: Create() binds (errors are reported before anything runs, and before -d forks), Run()
// starts the workers and serves until SIGTERM, SIGINT, SIGUSR1 or `shutdown` (with -A). It
// then stops accepting, lets every request already read finish and its reply go out, and
// returns; a client that does not read its replies is cut off after a few seconds. SIGHUP
// runs the HangupHandlers: it re-reads the password file of -Y / -S (memcached re-reads -Y's).
//
// Thread safety: Create and Run on the main thread; RequestStop from any thread.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <atomic>
#include <memory>
#include <vector>

#include "mnemo/result.h"
#include "mnemo/session.h"
#include "server/auth.h"
#include "server/command_latency.h"
#include "server/config.h"
#include "server/domains.h"
#include "server/engine_factory.h"
#include "server/listener.h"
#include "server/logger.h"
#include "server/metrics_server.h"
#include "server/process_setup.h"
#include "server/server_hooks.h"
#include "server/tls.h"
#include "server/udp_listener.h"
#include "server/worker.h"

namespace mnemo::server {

class Server {
 public:
  // `config` and `log` must outlive the server.
  static Result<std::unique_ptr<Server>> Create(const ServerConfig& config, Logger& log,
                                                EngineHandle engine);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  const Listeners& listeners() const { return listeners_; }
  // -U: the UDP sockets (none without -U).
  const UdpListeners& udp() const { return *udp_; }
  // For fork(): asio wants to be told around it (see Daemonize).
  asio::io_context& main_context() { return io_; }

  // Serves until stopped; returns once every worker has ended.
  void Run();
  void RequestStop();

 private:
  Server(const ServerConfig& config, Logger& log, EngineHandle engine);

  asio::awaitable<void> Accept(Listener& listener);
  asio::awaitable<void> WaitForRoom();
  void Reject(Stream::socket& socket);
  void HandOver(Stream::socket& socket, const Listener& listener);
  void WatchSignals();
  void WatchHangups();
  void StopAccepting();
  void StopWorkers();

  const ServerConfig& config_;
  // What `stats settings` reports: the configuration, with the port the OS chose for -p 0.
  ServerConfig reported_config_;
  Logger& log_;
  EngineHandle engine_;
  SessionConfig session_config_;  // set up in Create, read-only once workers run
  std::unique_ptr<FileAuthenticator> authenticator_;  // -S or -Y; null without
  std::unique_ptr<TlsContexts> tls_;                  // -Z; null without
  HangupHandlers hangup_handlers_;  // what SIGHUP re-reads (process_setup.h)
  ConnectionCounts connections_;
  asio::io_context io_{1};
  Listeners listeners_;
  std::unique_ptr<MetricsServer> metrics_;  // --metrics; on io_ like the listeners
  std::unique_ptr<LatencyTable> latency_;   // --metrics: one histogram set per worker
  asio::signal_set stop_signals_;
  asio::signal_set hangup_signal_;
  std::atomic<bool> stopping_{false};
  std::size_t next_worker_ = 0;  // main thread only
  DomainStore domain_store_;      // loaded in the constructor (docs/domains.md)
  ServerDomains domain_hooks_;
  WatchBus watch_bus_;  // before the hooks and workers that report to it
  ServerHooks hooks_;
  // Before the workers: its sockets' coroutines, on the workers' threads, report to it.
  std::unique_ptr<UdpListeners> udp_;
  // Last: destroyed first, while everything their connections use still exists.
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace mnemo::server
