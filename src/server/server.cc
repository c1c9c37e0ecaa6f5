#include "server/server.h"

#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "server/metrics_format.h"
#include "server/process_setup.h"

namespace mnemo::server {
namespace {

// How long requests in flight get to finish once a stop is requested.
constexpr std::chrono::seconds kDrainTimeout(5);
// How long accepting pauses after accept() fails (out of file descriptors, say), and how often
// a full server looks for room with -o no_maxconns_fast.
constexpr std::chrono::milliseconds kAcceptPause(10);
constexpr std::string_view kTooManyConnections = "ERROR Too many open connections\r\n";

}  // namespace

Result<std::unique_ptr<Server>> Server::Create(const ServerConfig& config, Logger& log,
                                               EngineHandle engine) {
  std::unique_ptr<Server> server(new Server(config, log, std::move(engine)));
  Result<std::unique_ptr<FileAuthenticator>> authenticator = OpenAuthenticator(config);
  if (!authenticator) return authenticator.error();
  server->authenticator_ = std::move(*authenticator);
  server->session_config_.authenticator = server->authenticator_.get();
  if (FileAuthenticator* file = server->authenticator_.get()) {
    server->hangup_handlers_.Add("password file " + file->path(),
                                 [file] { return file->Reload(); });
  }
  server->connections_.read_buffers.set_limit(config.read_buf_mem_limit);
  if (config.tls.enabled) {
    Result<std::unique_ptr<TlsContexts>> tls = TlsContexts::Create(config.tls);
    if (!tls) return tls.error();
    server->tls_ = std::move(*tls);
    server->hooks_.set_tls(server->tls_.get());
  }
  Result<Listeners> bound = BindListeners(server->io_, config);
  if (!bound) return bound.error();
  server->listeners_ = std::move(*bound);
  Result<std::unique_ptr<UdpListeners>> udp = UdpListeners::Bind(config, config.threads);
  if (!udp) return udp.error();
  server->udp_ = std::move(*udp);
  server->hooks_.set_udp(server->udp_.get());
  for (const auto& listener : server->listeners_) {
    if (listener->port == 0) continue;
    server->reported_config_.port = listener->port;
    break;
  }
  if (config.metrics) {
    Server* self = server.get();
    server->latency_ = std::make_unique<LatencyTable>(config.threads);
    Result<std::unique_ptr<MetricsServer>> metrics =
        MetricsServer::Bind(server->io_, *config.metrics, [self] {
          return RenderExposition(CollectGeneralStats(*self->engine_.engine, self->session_config_,
                                                      self->hooks_)) +
                 RenderLatency(self->latency_->Sum());
        });
    if (!metrics) return metrics.error();
    server->metrics_ = std::move(*metrics);
    // Like the listening lines: scripts learn an OS-chosen port from it, so no buffering.
    std::printf("mnemod metrics on %s\n", server->metrics_->printable().c_str());
    std::fflush(stdout);
  }
  return server;
}

Server::Server(const ServerConfig& config, Logger& log, EngineHandle engine)
    : config_(config),
      reported_config_(config),
      log_(log),
      engine_(std::move(engine)),
      session_config_(ToSessionConfig(config)),
      stop_signals_(io_, SIGINT, SIGTERM, SIGUSR1),
      hangup_signal_(io_, SIGHUP),
      domain_store_(DomainStatePath(config), log),
      domain_hooks_(domain_store_, workers_),
      watch_bus_(config.watch_enabled, config.watcher_logbuf_size),
      hooks_(ServerParts{reported_config_, listeners_, workers_, connections_, log_,
                         engine_.set_memory_limit, [this] { RequestStop(); },
                         [this] { return !stopping_.load(); }, &domain_hooks_, nullptr, nullptr,
                         &watch_bus_}) {}

Server::~Server() {
  if (engine_.engine) engine_.engine->SetEvictionListener(nullptr);  // the bus dies first
  for (const auto& listener : listeners_) {
    if (!listener->unix_path.empty()) unlink(listener->unix_path.c_str());
  }
}

void Server::Run() {
  const WorkerEnv env{.engine = *engine_.engine,
                      .session_config = session_config_,
                      .hooks = hooks_,
                      .log = log_,
                      .connections = connections_,
                      .idle_timeout = config_.idle_timeout,
                      .offload = engine_.offload.get(),
                      .async_calls_for = engine_.async_calls_for,
                      .tls = tls_.get(),
                      .latency = latency_.get(),
                      .watch = &watch_bus_};
  engine_.engine->SetEvictionListener(&watch_bus_);  // `watch evictions`
  for (int i = 0; i < config_.threads; ++i) workers_.push_back(std::make_unique<Worker>(i, env));
  for (const auto& worker : workers_) worker->Start();
  udp_->Start(workers_, connections_);
  for (const auto& listener : listeners_) {
    asio::co_spawn(io_, Accept(*listener), asio::detached);
  }
  if (metrics_) metrics_->Start();
  WatchSignals();
  WatchHangups();
  io_.run();
  StopWorkers();
  // A forced stop can leave sessions running on the pool; they must end before the workers
  // (and the connections they serve) are destroyed.
  if (engine_.offload) engine_.offload->Join();
}

void Server::RequestStop() {
  asio::post(io_, [this] { StopAccepting(); });
}

void Server::StopAccepting() {
  if (stopping_.exchange(true)) return;
  log_.Log(kLogWarnings, "stopping: no new connections, finishing requests in flight");
  for (const auto& listener : listeners_) {
    asio::error_code ignored;
    listener->acceptor.close(ignored);
  }
  udp_->Stop();
  stop_signals_.cancel();
  hangup_signal_.cancel();
  if (metrics_) metrics_->Stop();
}

void Server::StopWorkers() {
  for (const auto& worker : workers_) worker->BeginStop();
  const auto deadline = std::chrono::steady_clock::now() + kDrainTimeout;
  for (const auto& worker : workers_) {
    if (worker->WaitStopped(deadline)) continue;
    log_.Log(kLogWarnings, "worker " + std::to_string(worker->id()) +
                               ": clients still busy after the drain timeout, closing them");
    worker->ForceStop();
  }
  for (const auto& worker : workers_) worker->Join();
}

void Server::WatchSignals() {
  stop_signals_.async_wait([this](const asio::error_code& error, int signal) {
    if (error) return;
    log_.Log(kLogWarnings, std::string("Signal handled: ") + strsignal(signal) + ".");
    StopAccepting();
  });
}

void Server::WatchHangups() {
  hangup_signal_.async_wait([this](const asio::error_code& error, int /*signal*/) {
    if (error) return;
    for (const HangupHandlers::Outcome& outcome : hangup_handlers_.RunAll()) {
      log_.Log(outcome.level, outcome.line);
    }
    WatchHangups();
  });
}

asio::awaitable<void> Server::Accept(Listener& listener) {
  for (;;) {
    if (!config_.maxconns_fast) co_await WaitForRoom();
    asio::error_code error;
    Stream::socket socket =
        co_await listener.acceptor.async_accept(asio::redirect_error(asio::use_awaitable, error));
    if (stopping_) co_return;
    if (error == asio::error::operation_aborted) co_return;
    if (error) {
      // Typically out of file descriptors: the listener stays readable, so retrying at once
      // would spin. Pause, as memcached disables its listener for a while.
      log_.Log(kLogWarnings, "accept(): " + error.message());
      ++connections_.listen_disabled;
      asio::steady_timer pause(io_, kAcceptPause);
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, error));
      continue;
    }
    if (connections_.current >= static_cast<std::uint64_t>(config_.max_connections)) {
      Reject(socket);
      continue;
    }
    HandOver(socket, listener);
  }
}

asio::awaitable<void> Server::WaitForRoom() {
  const auto limit = static_cast<std::uint64_t>(config_.max_connections);
  if (connections_.current < limit) co_return;
  ++connections_.listen_disabled;
  asio::steady_timer pause(io_);
  while (connections_.current >= limit && !stopping_) {
    pause.expires_after(kAcceptPause);
    asio::error_code ignored;
    co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
}

void Server::Reject(Stream::socket& socket) {
  ++connections_.rejected;
  log_.Log(kLogWarnings, "Too many open connections");
  // A fresh socket's send buffer is empty: this short write completes at once.
  asio::error_code ignored;
  asio::write(socket, asio::buffer(kTooManyConnections), ignored);
}

void Server::HandOver(Stream::socket& socket, const Listener& listener) {
  asio::error_code error;
  const Stream::endpoint peer = socket.remote_endpoint(error);
  std::string peer_name = error ? "unknown" : DescribeEndpoint(peer);
  const int fd = socket.release(error);
  if (error) return;
  const std::uint64_t now = ++connections_.current;
  ++connections_.total;
  std::uint64_t peak = connections_.peak;
  while (now > peak && !connections_.peak.compare_exchange_weak(peak, now)) {
  }
  workers_[next_worker_]->Adopt(fd, listener, std::move(peer_name));
  next_worker_ = (next_worker_ + 1) % workers_.size();
}

}  // namespace mnemo::server
