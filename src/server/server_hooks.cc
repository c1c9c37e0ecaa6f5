#include "server/server_hooks.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <asio/version.hpp>
#include <cstdio>
#include <string>

namespace mnemo::server {
namespace {

constexpr std::uint64_t kMegabyte = 1024 * 1024;

std::string Seconds(const timeval& time) {
  char text[48];
  std::snprintf(text, sizeof(text), "%ld.%06ld", static_cast<long>(time.tv_sec),
                static_cast<long>(time.tv_usec));
  return text;
}

// memcached reports its event library here; ours is Asio.
std::string EventLibrary() {
  return "asio-" + std::to_string(ASIO_VERSION / 100000) + "." +
         std::to_string(ASIO_VERSION / 100 % 1000) + "." + std::to_string(ASIO_VERSION % 100);
}

void Emit(StatSink sink, std::string_view name, std::uint64_t value) {
  sink(name, std::to_string(value));
}

}  // namespace

ServerHooks::ServerHooks(ServerParts parts)
    : parts_(std::move(parts)),
      started_(std::chrono::steady_clock::now()),
      started_seconds_(MonotonicSeconds()),
      max_bytes_(parts_.config.max_bytes) {}

bool ServerHooks::Stats(std::string_view group, StatSink sink) {
  if (group.empty()) {
    GeneralStats(sink);
    return true;
  }
  if (group == "settings") {
    RuntimeSettings now = InitialRuntimeSettings(parts_.config);
    now.verbosity = parts_.log.level();
    now.max_bytes = max_bytes_.load();
    EmitSettings(parts_.config, now, sink);
    return true;
  }
  if (group == "conns") {
    ConnectionStats(sink);
    return true;
  }
  return false;
}

void ServerHooks::GeneralStats(StatSink sink) const {
  const auto uptime = std::chrono::steady_clock::now() - started_;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const ConnectionCounts& connections = parts_.connections;
  const std::uint64_t listeners = parts_.listeners.size();
  Emit(sink, "pid", static_cast<std::uint64_t>(getpid()));
  Emit(
      sink, "uptime",
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(uptime).count()));
  Emit(sink, "time", static_cast<std::uint64_t>(std::time(nullptr)));
  sink("version", kCompatibleVersion);
  sink("libevent", EventLibrary());
  Emit(sink, "pointer_size", sizeof(void*) * 8);
  sink("rusage_user", Seconds(usage.ru_utime));
  sink("rusage_system", Seconds(usage.ru_stime));
  Emit(sink, "max_connections", static_cast<std::uint64_t>(parts_.config.max_connections));
  Emit(sink, "curr_connections", connections.current.load());
  Emit(sink, "total_connections", connections.total.load());
  Emit(sink, "rejected_connections", connections.rejected.load());
  // memcached keeps a connection structure per listener as well.
  Emit(sink, "connection_structures", connections.peak.load() + listeners);
  // memcached's read buffers are a pool of 16 KiB ones; ours are the grown ones (a small one
  // per connection is free), and none are kept free.
  const ReadBufferBudget& read_buffers = connections.read_buffers;
  Emit(sink, "read_buf_count", read_buffers.buffers());
  Emit(sink, "read_buf_bytes", read_buffers.bytes());
  Emit(sink, "read_buf_bytes_free", 0);
  Emit(sink, "read_buf_oom", read_buffers.oom());
}

void ServerHooks::StatsAfterCounters(StatSink sink) {
  std::uint64_t yields = 0;
  for (const auto& worker : parts_.workers) yields += worker->conn_yields();
  // The engine reports limit_maxbytes too; memcached prints it here, and this one wins.
  Emit(sink, "limit_maxbytes", max_bytes_.load());
  Emit(sink, "accepting_conns", parts_.accepting() ? 1 : 0);
  Emit(sink, "listen_disabled_num", parts_.connections.listen_disabled.load());
  Emit(sink, "time_in_listen_disabled_us", 0);
  Emit(sink, "threads", parts_.workers.size());
  Emit(sink, "conn_yields", yields);
  // memcached prints these (after its logger fields, which we do not have) only under -Z.
  if (const TlsContexts* tls = parts_.tls) {
    Emit(sink, "ssl_handshake_errors", tls->handshake_errors());
    Emit(sink, "time_since_server_cert_refresh",
         static_cast<std::uint64_t>(std::max<std::int64_t>(tls->SecondsSinceRefresh(), 0)));
  }
}

std::string ServerHooks::RefreshCerts() {
  if (parts_.tls == nullptr) return SessionHooks::RefreshCerts();
  Result<void> refreshed = parts_.tls->Refresh();
  if (refreshed) return "";
  parts_.log.Log(kLogWarnings, "refresh_certs: " + refreshed.error().message);
  return refreshed.error().message;
}

void ServerHooks::ConnectionStats(StatSink sink) const {
  std::vector<ConnectionSnapshot> all;
  const std::int64_t now = MonotonicSeconds();
  for (const auto& listener : parts_.listeners) {
    all.push_back({listener->fd, listener->name, "", ConnectionState::kNew, started_seconds_});
  }
  const std::size_t listener_count = all.size();
  if (parts_.udp != nullptr) {
    for (const UdpListeners::Listed& socket : parts_.udp->listed()) {
      all.push_back({socket.fd, "udp:" + socket.name, "", ConnectionState::kNew, started_seconds_});
    }
  }
  const std::size_t udp_end = all.size();
  for (const auto& worker : parts_.workers) worker->Snapshot(all);
  // memcached walks its connection table, so the lines come in fd order.
  std::vector<std::size_t> order(all.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return all[a].fd < all[b].fd; });
  for (std::size_t i : order) {
    const ConnectionSnapshot& c = all[i];
    const std::string prefix = std::to_string(c.fd) + ":";
    const bool listening = i < listener_count;
    const bool udp = !listening && i < udp_end;  // memcached: always reading, no listener
    if (udp) sink(prefix + "UDP", "UDP");
    sink(prefix + "addr", c.peer);
    if (!listening && !udp) sink(prefix + "listen_addr", c.listen_name);
    sink(prefix + "state", listening ? "conn_listening" : udp ? "conn_read" : StateName(c.state));
    Emit(sink, prefix + "secs_since_last_cmd",
         static_cast<std::uint64_t>(std::max<std::int64_t>(now - c.last_command, 0)));
  }
}

CommandCounters ServerHooks::TotalCounters(const CommandCounters& own) {
  CommandCounters total;
  bool own_counted = false;
  for (const auto& worker : parts_.workers) {
    total.Add(worker->counters());
    own_counted = own_counted || &own == &worker->counters();
  }
  // A session on an offloading engine counts into its connection's counters until its call
  // returns to the worker (connection.cc); its own requests so far belong in its `stats`.
  if (!own_counted) total.Add(own);
  return total;
}

void ServerHooks::ResetStats() {
  // Each worker resets its own counters on its own thread: a Counter has a single writer.
  for (const auto& worker : parts_.workers) worker->ResetCounters();
  parts_.connections.total = 0;
  parts_.connections.rejected = 0;
  parts_.connections.listen_disabled = 0;
}

void ServerHooks::Verbosity(int level) { parts_.log.set_level(level); }

void ServerHooks::Shutdown(bool graceful) {
  parts_.log.Log(kLogWarnings, graceful ? "shutdown graceful requested" : "shutdown requested");
  parts_.request_stop();
}

bool ServerHooks::SetMemoryLimit(std::uint64_t megabytes) {
  if (!parts_.set_memory_limit) return false;
  parts_.set_memory_limit(megabytes * kMegabyte);
  max_bytes_ = megabytes * kMegabyte;
  return true;
}

WatchStart ServerHooks::StartWatch(std::uint32_t /*flags*/) {
  if (parts_.watch == nullptr) return WatchStart::kNoStream;
  return parts_.watch->Reserve();
}

}  // namespace mnemo::server
