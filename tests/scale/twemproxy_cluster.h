// A small sharded deployment for the scale-out tests: N mnemod on free loopback ports and one
// twemproxy (Debian's `nutcracker`) in front of them, started from a generated YAML file with
// any number of pools (each its own listen port, hash, weights and server-name form). Servers
// can be killed (SIGKILL, like a crash) and restarted on the same port. Also: the commands the
// tests use to look behind the proxy (each mnemod asked directly), run tools and read
// nutcracker's stats.
// Thread safety: one test thread; a Cluster owns and stops every process it started.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mnemo/client/client.h"
#include "mnemo/result.h"
#include "process.h"

namespace mnemo::scale {

// One nutcracker pool in front of every mnemod of the cluster.
struct PoolSpec {
  std::string name;                    // the YAML pool name, also the stats section
  std::string hash = "md5";            // twemproxy's `hash:`
  std::vector<std::uint32_t> weights;  // per server; empty = 1 each
  // true: "127.0.0.1:PORT:W serverN" (the ring hashes the names, not our random ports);
  // false: "127.0.0.1:PORT:W" (the ring hashes "127.0.0.1:PORT").
  bool named = true;
};

// The auto-eject settings every pool gets.
struct EjectPolicy {
  std::uint32_t failure_limit = 1;          // server_failure_limit
  std::chrono::milliseconds retry{1500};    // server_retry_timeout
  std::chrono::milliseconds timeout{1000};  // timeout (per server request)
};

class Cluster {
 public:
  static Result<std::unique_ptr<Cluster>> Start(int servers, std::vector<PoolSpec> pools,
                                                const EjectPolicy& policy = {});
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  int size() const { return static_cast<int>(servers_.size()); }
  std::uint16_t server_port(int i) const { return servers_[i].port; }
  std::uint16_t proxy_port(std::string_view pool) const;
  std::uint16_t stats_port() const { return stats_port_; }
  const EjectPolicy& policy() const { return policy_; }
  const std::string& config() const { return config_; }

  // The pool's servers as mnemo_client/mclient spell them: exactly the strings of the YAML
  // file, comma-separated. With `only`, just those servers (in that order), as a client that
  // has ejected the others would see them.
  std::string ServerList(std::string_view pool, const std::vector<int>& only = {}) const;
  // A mnemo_client on ServerList(pool, only) with twemproxy's ketama (ketama_weighted).
  std::unique_ptr<client::Client> PredictingClient(std::string_view pool,
                                                   const std::vector<int>& only = {}) const;
  // A mnemo_client that talks to the proxy (one server: the pool's listen address).
  std::unique_ptr<client::Client> ProxyClient(std::string_view pool) const;
  // A mnemo_client for mnemod `i` alone, to look behind the proxy.
  std::unique_ptr<client::Client> DirectClient(int i) const;

  // For each key, the index of the one mnemod that holds it (each live one asked directly),
  // -1 when none does and -2 when several do; an error when a mnemod did not answer.
  Result<std::vector<int>> Placement(const std::vector<std::string>& keys) const;
  // flush_all on every live mnemod, directly.
  Result<void> FlushServers() const;

  void KillServer(int i);             // SIGKILL, reaped
  Result<void> RestartServer(int i);  // same port, waits until it accepts connections
  bool ServerRunning(int i) { return servers_[i].process.Running(); }
  bool ProxyRunning() { return proxy_.Running(); }

  // nutcracker's stats JSON (from its stats port; aggregated every 100 ms).
  Result<std::string> ProxyStats() const;
  // The number after "name": in the pool's part of the stats JSON, or nullopt.
  std::optional<long long> PoolStat(std::string_view pool, std::string_view name) const;
  std::string ProxyLog() const;

  struct CommandOutput {
    int exit_code = -1;  // -1: killed at the deadline, or not started
    std::string output;  // stdout and stderr together
  };
  // Runs a tool (mclient, python3) to completion, at most `timeout`; stdin is /dev/null.
  CommandOutput Run(const std::vector<std::string>& argv,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

 private:
  struct Server {
    testing::Process process;
    std::uint16_t port = 0;
    bool killed = false;  // by KillServer, until RestartServer
  };
  Cluster() = default;
  Result<void> StartProxy();
  std::string ServerLine(const PoolSpec& pool, int i) const;
  const PoolSpec& Pool(std::string_view name) const;

  std::string dir_;  // config and logs; removed at destruction
  EjectPolicy policy_;
  std::vector<PoolSpec> pools_;
  std::map<std::string, std::uint16_t, std::less<>> proxy_ports_;
  std::vector<Server> servers_;
  testing::Process proxy_;
  std::uint16_t stats_port_ = 0;
  std::string config_;
};

// The command line that starts mnemod on `port` (with `-u root` when we are root).
std::vector<std::string> MnemodArgv(std::uint16_t port);

}  // namespace mnemo::scale
