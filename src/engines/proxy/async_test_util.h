// Helpers of the tests of ProxyAsyncCalls: a CallsDone that counts, running the test thread's
// io_context until a batch is done, reading one of the engine's stats, and an upstream that
// never answers.
// Thread safety: used on the test thread only.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engines/proxy/async_calls.h"
#include "engines/proxy/proxy_engine.h"
#include "mnemo/pending_call.h"

namespace mnemo::proxy::testing {

class CountingDone final : public CallsDone {
 public:
  void Done() override { ++count; }
  int count = 0;
};

// Runs `io` on this thread until `finished()` holds or the loop has nothing left to do (no
// socket, timer or resolve pending: the test then fails on what it checks next).
inline void RunUntil(asio::io_context& io, const std::function<bool()>& finished) {
  io.restart();
  while (!finished() && io.run_one() > 0) {
  }
}

// Submits `calls` as one batch and runs `io` until its Done. Returns how often Done came.
inline int SubmitAndRun(asio::io_context& io, AsyncCalls& async,
                        const std::vector<PendingCall*>& calls) {
  CountingDone done;
  async.Submit(calls, done);
  RunUntil(io, [&] { return done.count > 0; });
  return done.count;
}

inline std::vector<PendingCall*> Pointers(const std::vector<std::unique_ptr<PendingCall>>& calls) {
  std::vector<PendingCall*> pointers;
  for (const auto& call : calls) pointers.push_back(call.get());
  return pointers;
}

// The value of the engine's stat `name` ("" when it has none). Asks the upstreams (stats).
inline std::string StatOf(ProxyEngine& engine, std::string_view name) {
  std::string found;
  engine.Stats("", [&](std::string_view stat, std::string_view value) {
    if (stat == name) found = value;
  });
  return found;
}

// A server that accepts connections (the kernel does, from the backlog) and never reads or
// answers: requests stay in flight until a timeout or the caller gives up.
class SilentUpstream {
 public:
  SilentUpstream() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    ::listen(fd_, 8);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~SilentUpstream() { ::close(fd_); }
  SilentUpstream(const SilentUpstream&) = delete;
  SilentUpstream& operator=(const SilentUpstream&) = delete;

  std::uint16_t port() const { return port_; }

 private:
  int fd_;
  std::uint16_t port_ = 0;
};

}  // namespace mnemo::proxy::testing
