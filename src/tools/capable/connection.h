// A blocking TCP connection for the script runner: connect to a host name or address (IPv4 or
// IPv6), send everything, and read until a condition, EOF, idle time or a deadline. Every call
// is bounded in time, so a server that stops answering fails a script instead of hanging the
// run. Reads report how they ended, because for protocol checks "the server closed the
// connection" is an answer, not an error.
//
// Thread safety: one Connection per thread; distinct connections are independent.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "mnemo/function_ref.h"
#include "mnemo/result.h"

namespace mnemo::compat {

enum class ReadEnd {
  kDone,     // the caller's condition became true
  kClosed,   // the peer closed (FIN or RST)
  kIdle,     // nothing arrived for the idle interval
  kTimeout,  // the overall deadline passed first
};

class Connection {
 public:
  // Resolves `host` (a name, an IPv4 address or an IPv6 address without brackets) and connects
  // to the first address that answers within `timeout`, with Nagle off so that each Send leaves
  // as its own segment (scripts split commands across writes on purpose).
  static Result<Connection> Open(const std::string& host, std::uint16_t port,
                                 std::chrono::milliseconds timeout);

  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) = delete;
  Connection(const Connection&) = delete;
  ~Connection();

  // Writes all of `bytes` within `timeout`. Fails if the peer has gone (no SIGPIPE is raised).
  Result<void> Send(std::string_view bytes, std::chrono::milliseconds timeout);

  // Appends to `*out` whatever arrives until `done(*out)` is true, the peer closes, `timeout`
  // passes or -- when `idle` is positive -- nothing arrives for `idle`. `done` is checked once
  // before the first read as well, so data already in `*out` counts.
  ReadEnd ReadUntil(std::string* out, FunctionRef<bool(std::string_view)> done,
                    std::chrono::milliseconds timeout,
                    std::chrono::milliseconds idle = std::chrono::milliseconds(0));

 private:
  explicit Connection(int fd) : fd_(fd) {}

  int fd_ = -1;
};

}  // namespace mnemo::compat
