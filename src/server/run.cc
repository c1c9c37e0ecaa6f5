#include "server/run.h"

#include <sysexits.h>

#include <csignal>
#include <cstdio>
#include <optional>
#include <string>

#include "server/engine_factory.h"
#include "server/process_setup.h"
#include "server/server.h"

namespace mnemo::server {
namespace {

int Fail(const Logger& log, const Error& error, int status) {
  log.Log(0, error.message);
  return status;
}

void PrintListeners(const Server& server) {
  for (const auto& listener : server.listeners()) {
    std::printf("mnemod listening on %s\n", listener->printable.c_str());
  }
  // After the TCP lines, so that the first line still names the TCP port.
  for (const std::string& address : server.udp().printable()) {
    std::printf("mnemod listening on udp %s\n", address.c_str());
  }
  // Scripts wait for these lines to learn an OS-chosen port: they must not sit in a buffer.
  std::fflush(stdout);
}

// --snapshot FILE; memcached's -e FILE asks for the same (a cache that survives a restart).
// Absolute, because -d changes to "/".
std::string SnapshotPath(const ServerConfig& config) {
  return AbsolutePath(config.snapshot_file.empty() ? config.memory_file : config.snapshot_file);
}

// Fails only for an engine that has no snapshots. Whatever happens to the file, one line says
// so: an operator must see why a restart came up cold, and a bad file never stops the start.
Result<void> LoadSnapshot(const EngineHandle& engine, const std::string& path, const Logger& log) {
  if (path.empty()) return {};
  if (!engine.load_snapshot) return Error{"--snapshot: this engine keeps its items itself"};
  Result<SnapshotSummary> loaded = engine.load_snapshot(path);
  if (!loaded) {
    log.Log(0, "snapshot " + path + ": not loaded, starting empty: " + loaded.error().message);
    return {};
  }
  log.Log(0, "snapshot " + path + ": loaded " + std::to_string(loaded->items) + " items (" +
                 std::to_string(loaded->expired) + " expired, " + std::to_string(loaded->refused) +
                 " refused)");
  return {};
}

int SaveSnapshot(const EngineHandle::SnapshotIo& save, const std::string& path, const Logger& log) {
  Result<SnapshotSummary> saved = save(path);
  if (!saved) {
    return Fail(log, Error{"snapshot " + path + ": not saved: " + saved.error().message}, EX_IOERR);
  }
  log.Log(0, "snapshot " + path + ": saved " + std::to_string(saved->items) + " items");
  return 0;
}

}  // namespace

int RunMnemod(const ServerConfig& config) {
  Logger log(config.verbosity);
  std::optional<UserIdentity> user;
  if (RunningAsRoot()) {
    if (config.user.empty()) {
      return Fail(log, Error{"can't run as root without the -u switch"}, EX_USAGE);
    }
    Result<UserIdentity> found = LookUpUser(config.user);
    if (!found) return Fail(log, found.error(), EX_NOUSER);
    user = *found;
  }
  // Sockets report a vanished peer as an error; the signal would end the process.
  std::signal(SIGPIPE, SIG_IGN);
  if (config.enable_coredumps) EnableCoreDumps(log);
  FitFileLimit(config.max_connections, log);

  // Before the engine and the workers start their threads, which inherit it: measured under
  // the set-heavy load on one core, 0.6 -> 0.09 context switches per request, +15 % throughput,
  // no change in latency percentiles (docs/BENCHMARKS.md, section 5).
  if (config.engine.kind == EngineKind::kSqlite) UseBatchScheduling(log);
  Result<EngineHandle> engine = CreateEngine(config);
  if (!engine) return Fail(log, engine.error(), EX_USAGE);
  const std::string snapshot = SnapshotPath(config);
  if (Result<void> loaded = LoadSnapshot(*engine, snapshot, log); !loaded) {
    return Fail(log, loaded.error(), EX_USAGE);
  }
  // The server takes the engine; this stays usable while the server exists.
  const EngineHandle::SnapshotIo save_snapshot = engine->save_snapshot;
  Result<std::unique_ptr<Server>> created = Server::Create(config, log, std::move(*engine));
  if (!created) return Fail(log, created.error(), EX_OSERR);
  Server& server = **created;
  if (user) {
    Result<void> switched = SwitchToUser(*user);
    if (!switched) return Fail(log, switched.error(), EX_OSERR);
  }
  PrintListeners(server);

  const std::string pid_path = AbsolutePath(config.pid_file);
  if (config.daemonize) {
    Result<void> forked =
        Daemonize(server.main_context(), config.enable_coredumps, config.verbosity > 0);
    if (!forked) return Fail(log, forked.error(), EX_OSERR);
  }
  if (config.lock_memory) LockMemory(log);
  PidFile pid_file;
  Result<void> written = pid_file.Write(pid_path);
  if (!written) log.Log(0, written.error().message);  // memcached carries on as well
  server.Run();
  return snapshot.empty() ? 0 : SaveSnapshot(save_snapshot, snapshot, log);
}

}  // namespace mnemo::server
