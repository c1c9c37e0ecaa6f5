#include "server/connection.h"

#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <memory>
#include <optional>

#include "mnemo/session.h"
#include "server/request_log.h"
#include "server/worker.h"

namespace mnemo::server {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;

// Keeps the connection in its worker's registry (`stats conns`, idle sweep) and counted in
// curr_connections for exactly as long as the coroutine exists, however it ends: returning,
// throwing, or being destroyed suspended when a stop is forced.
class Registration {
 public:
  Registration(Worker& worker, Stream::socket& socket, std::string peer,
               const std::string& listen_name)
      : worker_(worker),
        record_(worker.Register(socket.native_handle(), std::move(peer), listen_name, socket)) {
    Log("new auto-negotiating client connection");
  }
  ~Registration() {
    Log("connection closed.");
    worker_.Unregister(record_);
    --worker_.env().connections.current;
  }
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;

  ConnectionRecord& record() { return *record_; }
  void Log(std::string_view event) const {
    const Logger& log = worker_.env().log;
    if (log.enabled(kLogEvents)) log.Log(kLogEvents, Prefix() + std::string(event));
  }

 private:
  std::string Prefix() const { return "<" + std::to_string(record_->fd) + " "; }

  Worker& worker_;
  std::list<ConnectionRecord>::iterator record_;
};

struct Served {
  Worker& worker;
  Session& session;
  Stream::socket& socket;
  Registration& registration;
  const WorkerEnv& env;
  bool announced = false;  // "Client using the ... protocol" logged
};

void LogProcessed(Served& served, std::string_view requests) {
  const Logger& log = served.env.log;
  if (!log.enabled(kLogEvents) || requests.empty()) return;
  const Protocol protocol = served.session.protocol();
  if (!served.announced) {
    served.announced = true;
    served.registration.Log(protocol == Protocol::kBinary ? "client using the binary protocol"
                                                          : "client using the ascii protocol");
  }
  LogRequests(log, served.registration.record().fd, protocol, requests,
              served.env.session_config.item_size_max);
}

// Executes the complete requests in `data`, sending the replies whenever the session pauses
// at its high-water mark, and once at the end. After every -R requests it lets the worker's
// other connections run first (their handlers are queued behind this one); the replies so far
// stay buffered, so pipelined replies still go out together. Returns the bytes consumed, or
// nullopt when a write failed (the client is gone).
asio::awaitable<std::optional<std::size_t>> Execute(Served& served, std::string_view data,
                                                    std::string& output) {
  ConnectionRecord& record = served.registration.record();
  std::size_t start = 0;
  for (;;) {
    const std::size_t consumed = served.session.Process(data.substr(start), output);
    LogProcessed(served, data.substr(start, consumed));
    start += consumed;
    if (served.session.at_request_limit()) {
      served.worker.CountYield();
      co_await asio::post(served.socket.get_executor(), asio::use_awaitable);
      continue;
    }
    if (output.empty()) {
      if (consumed == 0) break;  // nothing complete is left
      continue;                  // noreply requests: there may be more
    }
    record.state = ConnectionState::kWriting;
    asio::error_code error;
    co_await asio::async_write(served.socket, asio::buffer(output),
                               asio::redirect_error(asio::use_awaitable, error));
    output.clear();
    if (error) co_return std::nullopt;
    record.state = ConnectionState::kProcessing;
  }
  co_return start;
}

}  // namespace

asio::awaitable<void> ServeConnection(Worker& worker, Stream::socket socket, std::string peer,
                                      const std::string& listen_name) {
  const WorkerEnv& env = worker.env();
  Registration registration(worker, socket, std::move(peer), listen_name);
  ConnectionRecord& record = registration.record();
  Session session(env.engine, env.session_config, worker.counters(), &env.hooks);
  Served served{worker, session, socket, registration, env};
  std::string pending;  // the start of a request still incomplete
  std::string output;
  auto chunk = std::make_unique<char[]>(kReadChunk);
  while (!worker.stopping()) {
    asio::error_code error;
    const std::size_t n = co_await socket.async_read_some(
        asio::buffer(chunk.get(), kReadChunk), asio::redirect_error(asio::use_awaitable, error));
    if (error) break;  // closed by the client, or cancelled by a stop or the idle sweep
    record.last_command = MonotonicSeconds();
    record.state = ConnectionState::kProcessing;
    // The common case, a read holding whole requests, is executed in place without a copy.
    std::string_view data(chunk.get(), n);
    if (!pending.empty()) {
      pending.append(data);
      data = pending;
    }
    const std::optional<std::size_t> used = co_await Execute(served, data, output);
    if (!used) break;
    if (pending.empty()) {
      pending.assign(data.substr(*used));
    } else {
      pending.erase(0, *used);
    }
    if (session.closing()) break;
    record.state = ConnectionState::kWaiting;
  }
}

}  // namespace mnemo::server
