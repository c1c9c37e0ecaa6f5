// Helpers for the mnemod integration tests: start the real binary on OS-chosen ports (-p 0,
// reading the "mnemod listening on ADDR" lines it prints), talk to it over TCP (IPv4 or IPv6)
// or a Unix socket, and parse `stats` replies. Every wait is bounded, so a broken server fails
// a test instead of hanging it.
//
// Thread safety: none needed; each test uses its own objects on one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mnemo/result.h"
#include "process.h"

namespace mnemo::integration {

inline constexpr std::chrono::milliseconds kTimeout{5000};

// A directory of its own under /tmp, removed with everything in it.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::string Path(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// A blocking client; every call returns within its timeout.
class Client {
 public:
  static Result<Client> Tcp(const std::string& host, std::uint16_t port);
  static Result<Client> Unix(const std::string& path);

  Client(Client&& other) noexcept;
  Client& operator=(Client&& other) = delete;
  Client(const Client&) = delete;
  ~Client();

  bool Send(std::string_view bytes);
  // Reads until what arrived ends with `end`, the peer closes, or `timeout` passes.
  std::string ReadUntil(std::string_view end, std::chrono::milliseconds timeout = kTimeout);
  // Reads until the peer closes; nullopt if it did not within `timeout`.
  std::optional<std::string> ReadToClose(std::chrono::milliseconds timeout = kTimeout);
  // Send + ReadUntil.
  std::string Ask(std::string_view request, std::string_view end = "\r\n");

 private:
  explicit Client(int fd) : fd_(fd) {}
  static Result<Client> Open(int domain, const void* address, unsigned length);
  int fd_ = -1;
};

// A running mnemod; stopped (SIGTERM, then SIGKILL) when destroyed.
struct Mnemod {
  testing::Process process;
  std::string log_path;
  std::vector<std::string> listening;  // as printed: "127.0.0.1:1234", "[::1]:1234", "/path"
  std::uint16_t port = 0;              // of the first TCP listener

  std::string Log() const;
  Result<Client> Connect() const { return Client::Tcp("127.0.0.1", port); }
};

// The binary under test: $MNEMOD_BINARY when set (a sanitizer build, say), else the one built
// with the tests.
std::string MnemodBinary();

// The command line prefix every test uses: the binary, and `-u` with the current user (mnemod,
// like memcached, refuses to run as root without it; other users ignore it).
std::vector<std::string> MnemodCommand(std::vector<std::string> args);

// Starts mnemod with `args` (after MnemodCommand) and waits for `listeners` listening lines.
// Adds "-p 0" unless the arguments name a port or a Unix socket.
Result<Mnemod> StartMnemod(const ScratchDir& dir, std::vector<std::string> args,
                           std::size_t listeners = 1);

// Runs mnemod to its end (for flags that print and exit, or errors): the wait status and
// everything it wrote on stdout and stderr.
struct Finished {
  int status = -1;
  std::string output;
};
Finished RunToExit(const ScratchDir& dir, std::vector<std::string> argv);

// Waits for an exiting child; returns its wait status, or nullopt if it still runs at `timeout`.
std::optional<int> WaitForExit(testing::Process& process,
                               std::chrono::milliseconds timeout = kTimeout);

// "STAT name value" lines up to END, by name.
std::map<std::string, std::string> ParseStats(std::string_view reply);
// Names of the STAT lines in order.
std::vector<std::string> StatNames(std::string_view reply);

}  // namespace mnemo::integration
