#include "server/connection.h"

#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <memory>
#include <optional>

#include "mnemo/session.h"
#include "server/offload_pool.h"
#include "server/request_log.h"
#include "server/tls.h"
#include "server/worker.h"

namespace mnemo::server {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;

using TlsStream = asio::ssl::stream<Stream::socket>;

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

// `S` is the stream the connection speaks over: Stream::socket, or TlsStream under -Z.
template <class S>
struct Served {
  Worker& worker;
  Session& session;
  S& socket;
  Registration& registration;
  const WorkerEnv& env;
  CommandCounters& own;  // the session's counters when env.offload is set (see Execute)
  bool announced = false;  // "Client using the ... protocol" logged
};

// `replies`: what the session appended for `requests` (-vv shows both, as memcached).
template <class S>
void LogProcessed(Served<S>& served, std::string_view requests, std::string_view replies) {
  const Logger& log = served.env.log;
  if (!log.enabled(kLogEvents) || requests.empty()) return;
  const Protocol protocol = served.session.protocol();
  const int fd = served.registration.record().fd;
  if (!served.announced) {
    served.announced = true;
    log.Log(kLogEvents, std::to_string(fd) + (protocol == Protocol::kBinary
                                                  ? ": Client using the binary protocol"
                                                  : ": Client using the ascii protocol"));
  }
  LogExchange(log, fd, protocol, requests, replies, served.env.session_config.item_size_max);
}

// Sends what the socket buffer takes now, without suspending: the reply to a request usually
// fits whole, and then no Asio operation, coroutine frame or trip through the scheduler is
// needed (they cost about as much as the rest of the request in user space). REQUIRES: the
// socket is in non-blocking mode. Returns the bytes sent; `error` is set only for a real failure.
std::size_t SendNow(Stream::socket& socket, std::string_view bytes, asio::error_code& error) {
  const std::size_t sent = socket.write_some(asio::buffer(bytes), error);
  if (error == asio::error::would_block || error == asio::error::try_again) {
    error.clear();
    return 0;
  }
  return error ? 0 : sent;
}

// OpenSSL may take bytes into a record and still report "would block", so a TLS reply is
// always written by async_write. Returns 0: nothing sent yet.
std::size_t SendNow(TlsStream& /*stream*/, std::string_view /*bytes*/,
                    asio::error_code& /*error*/) {
  return 0;
}

// Executes the complete requests in `data`, sending the replies whenever the session pauses
// at its high-water mark, and once at the end. After every -R requests it lets the worker's
// other connections run first (their handlers are queued behind this one); the replies so far
// stay buffered, so pipelined replies still go out together. Returns the bytes consumed, or
// nullopt when a write failed (the client is gone).
//
// With a blocking engine (env.offload set) the session runs on the offload pool and this
// coroutine resumes on the worker's thread after it. Two connections of one worker may then
// run at once on two pool threads, but a Counter has one writer: so such a session counts into
// counters of its own connection (one thread at a time runs a connection), folded into the
// worker's here on the worker's thread, their only writer. `stats` sums the workers' counters
// and the asking session's own (ServerHooks::TotalCounters); other connections' counts of the
// call in flight show once it returns.
template <class S>
asio::awaitable<std::optional<std::size_t>> Execute(Served<S>& served, std::string_view data,
                                                    std::string& output) {
  ConnectionRecord& record = served.registration.record();
  std::size_t start = 0;
  for (;;) {
    std::size_t consumed = 0;
    const std::size_t replies_from = output.size();  // replies of earlier calls may wait in it
    // Bytes sent before signing in may carry a password: never logged (nor by memcached).
    const bool signing_in = served.session.signing_in();
    if (served.env.offload == nullptr) {
      consumed = served.session.Process(data.substr(start), output);
    } else {
      consumed = co_await served.env.offload->Run(
          [&] { return served.session.Process(data.substr(start), output); });
      served.worker.counters().Add(served.own);
      served.own.Reset();
    }
    if (!signing_in) {
      LogProcessed(served, data.substr(start, consumed),
                   std::string_view(output).substr(replies_from));
    }
    record.protocol.store(served.session.protocol(), std::memory_order_relaxed);
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
    record.state.store(ConnectionState::kWriting, std::memory_order_relaxed);
    asio::error_code error;
    const std::size_t sent = SendNow(served.socket, output, error);
    if (!error && sent < output.size()) {
      co_await asio::async_write(served.socket,
                                 asio::buffer(output.data() + sent, output.size() - sent),
                                 asio::redirect_error(asio::use_awaitable, error));
    }
    output.clear();
    if (error) co_return std::nullopt;
    record.state.store(ConnectionState::kProcessing, std::memory_order_relaxed);
  }
  co_return start;
}

// Serves requests on `socket` until the connection ends (see the header).
template <class S>
asio::awaitable<void> Serve(Worker& worker, S& socket, Registration& registration) {
  const WorkerEnv& env = worker.env();
  ConnectionRecord& record = registration.record();
  CommandCounters own;
  Session session(env.engine, env.session_config,
                  env.offload != nullptr ? own : worker.counters(), &env.hooks);
  Served<S> served{worker, session, socket, registration, env, own};
  std::string pending;  // the start of a request still incomplete
  std::string output;
  auto chunk = std::make_unique<char[]>(kReadChunk);
  while (!worker.stopping()) {
    asio::error_code error;
    const std::size_t n = co_await socket.async_read_some(
        asio::buffer(chunk.get(), kReadChunk), asio::redirect_error(asio::use_awaitable, error));
    if (error) break;  // closed by the client, or cancelled by a stop or the idle sweep
    record.last_command.store(MonotonicSeconds(), std::memory_order_relaxed);
    record.state.store(ConnectionState::kProcessing, std::memory_order_relaxed);
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
    record.state.store(ConnectionState::kWaiting, std::memory_order_relaxed);
  }
}

}  // namespace

asio::awaitable<void> ServeConnection(Worker& worker, Stream::socket socket, std::string peer,
                                      const std::string& listen_name) {
  Registration registration(worker, socket, std::move(peer), listen_name);
  asio::error_code mode_error;
  socket.non_blocking(true, mode_error);  // for SendNow
  if (mode_error) co_return;
  co_await Serve(worker, socket, registration);
}

asio::awaitable<void> ServeTlsConnection(Worker& worker, Stream::socket socket,
                                         std::shared_ptr<asio::ssl::context> context,
                                         std::string peer, const std::string& listen_name) {
  TlsStream stream(std::move(socket), *context);
  Registration registration(worker, stream.next_layer(), std::move(peer), listen_name);
  asio::error_code error;
  // Plain text, a bad certificate or a client that gives up: counted, and only this
  // connection ends. The idle sweep (-o idle_timeout) and a stop cancel a silent one.
  co_await stream.async_handshake(asio::ssl::stream_base::server,
                                  asio::redirect_error(asio::use_awaitable, error));
  if (error) {
    // A stop or the idle sweep cancelling a silent client is not the client's failure.
    TlsContexts* tls = worker.env().tls;
    if (tls != nullptr && error != asio::error::operation_aborted) tls->CountHandshakeError();
    registration.Log("SSL handshake failed: " + error.message());
    co_return;
  }
  co_await Serve(worker, stream, registration);
}

}  // namespace mnemo::server
