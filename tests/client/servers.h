// Servers and commands for the client's integration tests: memcached 1.6.18, our map_server and mnemod
// on ports the OS hands out, a restart on a fixed port (failover tests), and running a command
// with given stdin, capturing stdout, stderr and its exit code, bounded in time (mclient tests).
// Thread safety: one test thread; each helper owns what it starts.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "process.h"

namespace mnemo::testing {

enum class ServerKind { kMemcached, kMapServer, kMnemod };

const char* ServerKindName(ServerKind kind);

// A running server; stopping is immediate (SIGKILL for memcached, which only notices SIGTERM
// at its next clock tick).
class TestServer {
 public:
  static Result<TestServer> Start(ServerKind kind);
  // Starts on `port` (after a kill, to bring "the same" server back).
  static Result<TestServer> StartOn(ServerKind kind, std::uint16_t port);

  TestServer() = default;
  TestServer(TestServer&&) = default;
  TestServer& operator=(TestServer&&) = default;
  ~TestServer() { Kill(); }

  std::uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  void Kill() { process_.Stop(std::chrono::milliseconds(0)); }

 private:
  Process process_;
  std::uint16_t port_ = 0;
};

struct CommandResult {
  int exit_code = -1;  // -1: killed (timeout) or not started
  std::string out;
  std::string err;
};

// Runs argv (argv[0] a path or found in PATH) with `input` on stdin and `env` added to the
// environment; kills it after `timeout`.
CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& input = "",
                         const std::map<std::string, std::string>& env = {},
                         std::chrono::milliseconds timeout = std::chrono::seconds(20));

}  // namespace mnemo::testing
