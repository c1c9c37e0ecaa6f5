#include "server/connection.h"

#include <sys/socket.h>

#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <openssl/ssl.h>
#include <cerrno>
#include <chrono>
#include <memory>
#include <optional>
#include <type_traits>

#include "mnemo/session.h"
#include "server/async_make_calls.h"
#include "server/command_latency.h"
#include "server/offload_pool.h"
#include "server/read_buffers.h"
#include "server/request_log.h"
#include "server/tls.h"
#include "server/watch_stream.h"
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
  // -v: a connection that fails (a reset, a broken pipe) gets one line naming its peer. The
  // client closing, a stop or the idle sweep cancelling a read are no failures.
  void LogError(std::string_view during, const asio::error_code& error) const {
    const Logger& log = worker_.env().log;
    if (!log.enabled(kLogWarnings) || error == asio::error::eof ||
        error == asio::error::operation_aborted || error == asio::ssl::error::stream_truncated) {
      return;
    }
    log.Log(kLogWarnings,
            Prefix() + record_->peer + ": " + std::string(during) + ": " + error.message());
  }
  // -vvv: memcached's "FD: going from conn_X to conn_Y" at every change. Only the
  // connection's coroutine writes its state, so the load sees the last store.
  void SetState(ConnectionState next) {
    const Logger& log = worker_.env().log;
    const ConnectionState previous = record_->state.load(std::memory_order_relaxed);
    if (previous != next && log.enabled(kLogDetail)) {
      log.Log(kLogDetail, std::to_string(record_->fd) + ": going from " +
                              std::string(StateName(previous)) + " to " +
                              std::string(StateName(next)));
    }
    record_->state.store(next, std::memory_order_relaxed);
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
  // --metrics (null without): this worker's histograms, what the requests were, and when the
  // read that completed them returned.
  CommandLatency* latency = nullptr;
  CommandScanner scanner;
  std::chrono::steady_clock::time_point read_at;
  // Set once the session started a `watch`; the connection then only streams.
  std::unique_ptr<WatchSubscription> watch;
};

// --metrics: counts the requests in `executed` (what one Process call consumed) as having
// taken the time since their read. One clock read per call, none without --metrics.
template <class S>
void RecordLatency(Served<S>& served, std::string_view executed) {
  if (served.latency == nullptr || executed.empty()) return;
  CommandMix mix{};
  served.scanner.Scan(served.session.protocol(), executed, mix);
  served.latency->Record(mix, std::chrono::steady_clock::now() - served.read_at);
}

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
// needed (they cost about as much as the rest of the request in user space). MSG_DONTWAIT
// instead of a non-blocking socket leaves the socket's mode to Asio's backend (io_uring reads
// a blocking socket in one operation). Returns the bytes sent; `error` is set only for a real
// failure.
std::size_t SendNow(Stream::socket& socket, std::string_view bytes, asio::error_code& error) {
  const ssize_t sent =
      ::send(socket.native_handle(), bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  if (sent >= 0) return static_cast<std::size_t>(sent);
  if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
    error = asio::error_code(errno, asio::system_category());
  }
  return 0;
}

// OpenSSL may take bytes into a record and still report "would block", so a TLS reply is
// always written by async_write. Returns 0: nothing sent yet.
std::size_t SendNow(TlsStream& /*stream*/, std::string_view /*bytes*/,
                    asio::error_code& /*error*/) {
  return 0;
}

// One Session::Process for an engine whose calls wait (env.offload set, or async calls).
// What the engine answers without blocking (Engine::TryGet: e.g. sqlite gets from its memory
// cache) runs here on the worker, which costs no thread hand-off. With the worker's
// AsyncCalls (EngineHandle::async_calls_for), the calls the session captures instead are
// submitted there while the worker serves other connections, and the session replays its
// requests with their results, round after round. What is never captured (flush_all, stats,
// a watched session), or everything when the engine has no AsyncCalls: from that request on,
// the rest of this call runs on the offload pool, so the replies stay in request order.
// Returns the bytes consumed.
template <class S>
asio::awaitable<std::size_t> ProcessOffloading(Served<S>& served, std::string_view data,
                                               std::string& output) {
  Session& session = served.session;
  AsyncCalls* async_calls = served.worker.async_calls();
  // Without AsyncCalls nobody would make the captures: the session stops at the first
  // request TryGet cannot serve, having done no work that the pool would repeat.
  std::size_t consumed = session.Process(
      data, output, async_calls != nullptr ? EngineCalls::kNonBlocking : EngineCalls::kTryOnly);
  while (session.blocked() && !session.pending_calls().empty() && async_calls != nullptr) {
    co_await AsyncMakeCalls(*async_calls, session.pending_calls(), served.socket.get_executor(),
                            served.worker.resume_queue(), asio::use_awaitable);
    consumed += session.Process(data.substr(consumed), output, EngineCalls::kNonBlocking);
  }
  if (session.blocked()) {
    const std::string_view rest = data.substr(consumed);
    if (served.env.offload != nullptr) {
      consumed += co_await served.env.offload->Run([&] { return session.Process(rest, output); });
    } else {
      consumed += session.Process(rest, output);  // an engine that set no pool: it may block
    }
  }
  served.worker.counters().Add(served.own);
  served.own.Reset();
  co_return consumed;
}

// Writes `bytes` whole. ssl_wbuf_size: a TLS connection hands OpenSSL at most that many bytes
// per write, as memcached copies a reply into its TLS write buffer of that size per
// SSL_write, so no TLS record is larger. Plain sockets take the rest in one call.
template <class S>
asio::awaitable<asio::error_code> WriteRest(Served<S>& served, std::string_view bytes) {
  std::size_t slice = bytes.size();
  if constexpr (std::is_same_v<S, TlsStream>) {
    const std::size_t bound = served.env.tls->write_buffer_size();
    if (bound != 0) slice = bound;
  }
  asio::error_code error;
  for (std::size_t at = 0; at < bytes.size() && !error; at += slice) {
    co_await asio::async_write(served.socket, asio::buffer(bytes.substr(at, slice)),
                               asio::redirect_error(asio::use_awaitable, error));
  }
  co_return error;
}

// Executes the complete requests in `data`, sending the replies whenever the session pauses
// at its high-water mark, and once at the end. After every -R requests it lets the worker's
// other connections run first (their handlers are queued behind this one); the replies so far
// stay buffered, so pipelined replies still go out together. Returns the bytes consumed, or
// nullopt when a write failed (the client is gone).
//
// With an engine whose calls wait (env.offload set, or the worker's AsyncCalls) the session
// hands what the engine cannot answer at once to its AsyncCalls or the offload pool
// (ProcessOffloading), and this coroutine resumes on the worker's thread after it. Two
// connections of one worker may then
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
    if (served.env.offload == nullptr && served.worker.async_calls() == nullptr) {
      consumed = served.session.Process(data.substr(start), output);
    } else {
      consumed = co_await ProcessOffloading(served, data.substr(start), output);
    }
    if (!signing_in) {
      LogProcessed(served, data.substr(start, consumed),
                   std::string_view(output).substr(replies_from));
    }
    RecordLatency(served, data.substr(start, consumed));
    if (served.session.watch_flags() != 0 && !served.watch && served.env.watch != nullptr) {
      served.watch = std::make_unique<WatchSubscription>(
          *served.env.watch, served.socket.get_executor(), served.session.watch_flags());
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
    served.registration.SetState(ConnectionState::kWriting);
    asio::error_code error;
    const std::size_t sent = SendNow(served.socket, output, error);
    if (!error && sent < output.size()) {
      error = co_await WriteRest(served, std::string_view(output).substr(sent));
    }
    output.clear();
    if (error) {
      served.registration.LogError("write", error);
      co_return std::nullopt;
    }
    served.registration.SetState(ConnectionState::kProcessing);
  }
  co_return start;
}

// -o read_buf_mem_limit: the read buffers of all connections are full, so the request that
// starts with `pending` cannot be read. memcached's answer when its read buffer cannot grow;
// the caller then closes.
template <class S>
asio::awaitable<void> RefuseOutOfMemory(Served<S>& served, std::string_view pending) {
  served.registration.Log("out of memory reading request, closing");
  const std::string reply = OutOfMemoryReply(served.session.protocol(), pending);
  asio::error_code ignored;
  co_await asio::async_write(served.socket, asio::buffer(reply),
                             asio::redirect_error(asio::use_awaitable, ignored));
}

// After `watch`: the connection streams log lines until the client goes away or the server
// stops (watch_stream.h).
template <class S>
asio::awaitable<void> StreamAsWatcher(Served<S>& served) {
  served.registration.SetState(ConnectionState::kWatch);
  co_await StreamWatch(served.socket, *served.watch);
}

// Serves requests on `socket` until the connection ends (see the header).
template <class S>
asio::awaitable<void> Serve(Worker& worker, S& socket, Registration& registration) {
  const WorkerEnv& env = worker.env();
  ConnectionRecord& record = registration.record();
  CommandCounters own;
  Session session(env.engine, env.session_config,
                  env.offload != nullptr ? own : worker.counters(), &env.hooks);
  session.set_client_fd(record.fd);
  Served<S> served{worker, session, socket, registration, env, own};
  if (env.latency != nullptr) served.latency = &env.latency->at(worker.id());
  PendingInput pending(env.connections.read_buffers);  // the start of an incomplete request
  std::string output;
  auto chunk = std::make_unique<char[]>(kReadChunk);
  while (!worker.stopping()) {
    asio::error_code error;
    const std::size_t n = co_await socket.async_read_some(
        asio::buffer(chunk.get(), kReadChunk), asio::redirect_error(asio::use_awaitable, error));
    if (error) {  // closed by the client, cancelled by a stop or the idle sweep, or failed
      registration.LogError("read", error);
      break;
    }
    if (served.latency != nullptr) served.read_at = std::chrono::steady_clock::now();
    record.last_command.store(MonotonicSeconds(), std::memory_order_relaxed);
    registration.SetState(ConnectionState::kProcessing);
    // The common case, a read holding whole requests, is executed in place without a copy.
    std::string_view data(chunk.get(), n);
    const bool joined = !pending.empty();
    if (joined && !pending.Append(data)) {
      co_await RefuseOutOfMemory(served, pending.view());
      break;
    }
    if (joined) data = pending.view();
    const std::optional<std::size_t> used = co_await Execute(served, data, output);
    if (!used) break;
    if (served.watch) {
      co_await StreamAsWatcher(served);
      break;
    }
    if (joined) {
      pending.Consume(*used);
    } else if (!pending.Append(data.substr(*used))) {
      co_await RefuseOutOfMemory(served, data.substr(*used));
      break;
    }
    // Like a grown read buffer, a large reply's buffer is not kept while the client is idle.
    if (output.capacity() > kSmallReadBuffer) std::string().swap(output);
    if (session.closing()) break;
    registration.SetState(ConnectionState::kWaiting);
  }
}

// Ends a TLS connection the way memcached does: one close_notify alert, without waiting for
// the client's (a client that never answers must not hold the connection). Marking the
// client's alert as received makes SSL_shutdown complete once ours is queued. A client that
// closed first, or a failed connection, makes the write fail: nothing to do then.
asio::awaitable<void> CloseNotify(TlsStream& stream) {
  SSL* ssl = stream.native_handle();
  SSL_set_shutdown(ssl, SSL_get_shutdown(ssl) | SSL_RECEIVED_SHUTDOWN);
  asio::error_code ignored;
  co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ignored));
}

}  // namespace

asio::awaitable<void> ServeConnection(Worker& worker, Stream::socket socket, std::string peer,
                                      const std::string& listen_name) {
  Registration registration(worker, socket, std::move(peer), listen_name);
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
  // Waiting for the client to take the alert: a stop or the idle sweep may cut that short.
  registration.record().state.store(ConnectionState::kWaiting, std::memory_order_relaxed);
  co_await CloseNotify(stream);
}

}  // namespace mnemo::server
