// One socket to one memcached server (TCP or unix), non-blocking, with the bytes received but
// not yet parsed. Opening is bounded by a connect timeout; reading and writing are driven by the
// exchange layer with poll(). Connections are reused through the pool.
// Thread safety: one thread at a time (the pool hands each to one operation).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "mnemo/client/options.h"
#include "mnemo/result.h"

namespace mnemo::client {

class Connection {
 public:
  // Resolves the host (every address in turn) and connects within `timeout` overall.
  // Errors read "connect: <reason>".
  static Result<std::unique_ptr<Connection>> Open(const ServerSpec& server,
                                                  std::chrono::milliseconds timeout);

  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd() const { return fd_; }
  // Bytes received and not yet consumed by a reply parser.
  std::string& input() { return input_; }

  // For an idle connection: false when the server closed it (or sent bytes nobody asked for),
  // as after a restart, so that the pool drops it instead of failing the next operation.
  bool LooksAlive() const;

 private:
  explicit Connection(int fd) : fd_(fd) {}

  int fd_;
  std::string input_;
};

}  // namespace mnemo::client
