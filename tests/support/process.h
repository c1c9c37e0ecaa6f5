// Child processes on loopback ports, for tests that run real servers (our own, or memcached as
// the reference). A Process owns its child: destroying it sends SIGTERM, waits a bounded time and
// then sends SIGKILL, so a failing test never leaves a server behind. Ports come from the OS
// (bind 127.0.0.1:0), never from a fixed list; StartServer retries with a new port when another
// process took the port between our probe and the child's bind.
// Thread safety: a Process is used by one thread at a time; the free functions are reentrant.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "mnemo/result.h"

namespace mnemo::testing {

class Process {
 public:
  // Starts argv[0] (searched in PATH when it has no '/') with `argv`. The child's stdout and
  // stderr go to `log_path` (appended) or to /dev/null when it is empty; stdin is /dev/null.
  static Result<Process> Spawn(const std::vector<std::string>& argv,
                               const std::string& log_path = "");

  Process() = default;
  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process() { Stop(); }

  // -1 once stopped or when default-constructed.
  pid_t pid() const { return pid_; }

  // False once the child has exited (it is reaped here, so the pid is never reused under us).
  bool Running();

  // Sends SIGTERM without waiting, so that several children can shut down in parallel before
  // Stop() collects them.
  void Terminate();

  // SIGTERM, up to `grace` for the child to exit, then SIGKILL. Returns the wait status, or -1
  // when there was no child. Idempotent.
  int Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));

 private:
  explicit Process(pid_t pid) : pid_(pid) {}

  pid_t pid_ = -1;
  int status_ = -1;
};

// A port that was free on 127.0.0.1 a moment ago, or 0 when none could be had. Another process
// may take it before the caller binds it; StartServer copes with that.
std::uint16_t FreeLoopbackPort();

// True once 127.0.0.1:`port` answers and the listening socket is `process`'s own (not another
// test's that took the port first); false when `process` exits or after `timeout`. The server
// must listen itself, not through a child of its own.
bool WaitForListener(Process& process, std::uint16_t port, std::chrono::milliseconds timeout);

struct RunningServer {
  Process process;
  std::uint16_t port = 0;
};

struct ServerOptions {
  int attempts = 5;
  std::chrono::milliseconds start_timeout{5000};  // per attempt
  std::string log_path;                           // child's stdout + stderr; empty = discard
};

// Starts the server whose command line `make_argv(port)` returns, on a free loopback port, and
// waits until it accepts connections. When the child exits before listening (for example the
// port was taken in between) it tries again with another port, up to `options.attempts` times.
Result<RunningServer> StartServer(
    const std::function<std::vector<std::string>(std::uint16_t port)>& make_argv,
    const ServerOptions& options = {});

}  // namespace mnemo::testing
