// Session: the sans-I/O driver of one client connection. Bytes in, engine calls, reply bytes
// out; it owns no socket, thread or timer, so the same code runs in mnemod, in the examples and
// in tests. It detects the protocol from the first byte (0x80 = binary), handles pipelining
// (every complete request in the input is executed, replies appended in order) and gives every
// request exactly one reply, or none where noreply/quiet says so.
//
// Thread safety: a Session is used by one thread at a time. The Engine it drives must be safe
// for the number of sessions sharing it; CommandCounters may be shared by the sessions of one
// thread only (the server keeps one per worker and sums them on read).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mnemo/auth.h"
#include "mnemo/engine.h"
#include "mnemo/pending_call.h"
#include "mnemo/protocol/request.h"
#include "mnemo/watch.h"

namespace mnemo {

namespace domains {
class DomainHooks;
}
class DomainSubscriptions;
class DeferringEngine;
struct SessionContext;

enum class ProtocolMode : std::uint8_t { kAuto, kAscii, kBinary };

struct SessionConfig {
  ProtocolMode protocol = ProtocolMode::kAuto;
  std::string version = "1.6.18";  // what `version` answers
  std::size_t item_size_max = 1024 * 1024;  // -I
  bool cas_enabled = true;        // -C turns it off: every CAS reads as 0
  bool flush_enabled = true;      // -F turns it off
  bool dump_enabled = true;       // -X turns off cachedump and metadump
  bool watch_enabled = true;      // -W turns off watch (refused before its arguments are read)
  bool shutdown_enabled = false;  // -A
  bool sasl_required = false;     // -S: binary only, every command after auth
  bool ascii_auth_required = false;  // -Y: text only, the first command must sign in
  // Checks the passwords of -S and -Y; null: every attempt fails. Must outlive the sessions.
  const Authenticator* authenticator = nullptr;
  // Process stops taking requests once `output` holds this many bytes, so a client pipelining
  // many large gets cannot make a server buffer without bound. The caller sends the output and
  // calls Process again before reading more.
  std::size_t output_high_water = 1024 * 1024;
  // memcached -R: Process returns after executing this many requests, so that one client
  // pipelining thousands cannot hold the thread; the caller lets other connections run, then
  // calls Process again (at_request_limit() tells it so). 0 = no limit.
  std::size_t max_requests_per_call = 0;
};

// A counter with one writer thread and any number of reader threads: increments are a plain
// load and store (no locked instruction on the hot path), reads from other threads see a
// recent value without a data race.
class Counter {
 public:
  Counter() = default;
  Counter(const Counter& other) : value_(other.load()) {}
  Counter& operator=(const Counter& other) {
    store(other.load());
    return *this;
  }
  Counter& operator+=(std::uint64_t n) {
    store(load() + n);
    return *this;
  }
  Counter& operator++() { return *this += 1; }
  void operator++(int) { *this += 1; }
  operator std::uint64_t() const { return load(); }  // NOLINT: reads like the number it is
  std::uint64_t load() const { return value_.load(std::memory_order_relaxed); }
  void store(std::uint64_t v) { value_.store(v, std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// Command counters behind `stats` (memcached's names). Written by one thread (a session's, or
// the sessions of one server worker); the server sums every worker's set when asked.
struct CommandCounters {
  Counter cmd_get, cmd_set, cmd_flush, cmd_touch, cmd_meta;
  Counter get_hits, get_misses, get_expired, get_flushed;
  Counter delete_hits, delete_misses;
  Counter incr_hits, incr_misses, decr_hits, decr_misses;
  Counter cas_hits, cas_misses, cas_badval;
  Counter touch_hits, touch_misses;
  Counter store_too_large, store_no_memory;
  Counter auth_cmds, auth_errors;
  Counter bytes_read, bytes_written;

  void Add(const CommandCounters& other);
  void Reset();
};

// What the process around a session provides: server-level stats, shutdown, verbosity.
// Every method has a default so a minimal server needs none of them.
class SessionHooks {
 public:
  virtual ~SessionHooks() = default;
  // Server-level fields for a stats group: for "" the ones memcached prints before its command
  // counters (pid, uptime, time, version, ..., connections); "settings", "conns" and others.
  // Returns false for a group the server does not know.
  virtual bool Stats(std::string_view group, StatSink sink);
  // Server-level fields memcached prints after its command counters and before the item
  // counts (limit_maxbytes, accepting_conns, ..., threads, conn_yields), for plain `stats`.
  // The engine's fields follow; one the engine reports under a name emitted here is left out,
  // so the server's value and place win. Default: none.
  virtual void StatsAfterCounters(StatSink /*sink*/) {}
  // The command counters to report: by default this session's own.
  virtual CommandCounters TotalCounters(const CommandCounters& own) { return own; }
  virtual void ResetStats() {}
  virtual void Verbosity(int /*level*/) {}
  // `shutdown` when enabled: the server stops (graceful: after saving a snapshot).
  virtual void Shutdown(bool /*graceful*/) {}
  // `cache_memlimit`: returns false if the engine cannot change its limit.
  virtual bool SetMemoryLimit(std::uint64_t /*megabytes*/) { return true; }
  // The host's domain store (servers, domain_update, clients; mnemo/protocol/domains.h).
  // Default: none, and those verbs answer ERROR as in memcached.
  virtual domains::DomainHooks* Domains() { return nullptr; }
  // `refresh_certs`: reloads the TLS certificates for new connections. Returns the error line
  // to send whatever noreply says (memcached's "Error ..."), or "" for success ("OK", which
  // noreply silences). Default: memcached's answer when TLS is off.
  virtual std::string RefreshCerts() { return "Error TLS not enabled"; }
  // Where sessions report fetches and stores (mnemo/watch.h), or null while nobody watches.
  // Asked once per Session::Process call, so it should cost no more than an atomic load.
  virtual WatchSink* Watching() { return nullptr; }
  // A valid `watch` with these flags (WatchFlag bits). On kStarted the host has reserved a
  // watcher for this connection, which it sets up once Session::watch_flags() is non-zero.
  // Default: nothing is streamed, and the connection stays an ordinary one.
  virtual WatchStart StartWatch(std::uint32_t /*flags*/) { return WatchStart::kNoStream; }
};

// What Process may ask of the engine.
enum class EngineCalls : std::uint8_t {
  kMayBlock,  // anything: the calling thread may wait for the engine
  // Only what Engine::TryGet answers at once; every other call a request needs is captured
  // (mnemo/pending_call.h) instead, and the request is stopped before it has had any effect:
  // no reply, no counter, not consumed. Process then returns with blocked() set and the
  // captures in pending_calls(); the host makes them and calls Process(kNonBlocking) again on
  // the same unconsumed input (more may follow it): the requests run again, their calls
  // answered from the results in capture order. A call after the last result (a dependent
  // one: a failed set's delete, mg R's touch) is captured in another round.
  //
  // A round captures either gets only -- the rest of a multi-get, and following requests as
  // long as they need only gets (mn, noop and version need none); their replies are dropped
  // and they run again too -- or exactly one call of another kind (store, delete, arithmetic,
  // touch), as the round's first capture; a request needing such a call after gets were
  // captured waits for the next round. Requests that are not plain item commands (flush_all,
  // stats, cachedump, verbosity, auth, watch, quit, ...) are never captured: Process stops
  // before them with blocked() set and no pending calls, and the host runs them with
  // kMayBlock on a thread that may wait. So do watched sessions (WatchSink).
  kNonBlocking,
};

class Session {
 public:
  // engine, config, counters and hooks must outlive the session; hooks may be null.
  Session(Engine& engine, const SessionConfig& config, CommandCounters& counters,
          SessionHooks* hooks = nullptr);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Executes the complete requests at the front of `input`, appending replies to `output`,
  // until the input holds no complete request, output reaches config.output_high_water or
  // config.max_requests_per_call requests have run.
  // Returns how many bytes were consumed; the caller drops them, sends the output, and calls
  // again (with more bytes if nothing was consumed). Once closing() is true, the caller sends
  // `output` and closes.
  // With EngineCalls::kNonBlocking it may also stop early, see blocked().
  std::size_t Process(std::string_view input, std::string& output,
                      EngineCalls calls = EngineCalls::kMayBlock);

  bool closing() const { return closing_; }
  // True when the last Process call stopped at config.max_requests_per_call with input left:
  // the caller should give other clients a turn before calling again.
  bool at_request_limit() const { return at_request_limit_; }
  // True when the last Process call was kNonBlocking and stopped before a request that needs a
  // call that may block. With pending_calls() the caller makes them and calls kNonBlocking
  // again; without, it continues with kMayBlock on a thread that may wait.
  bool blocked() const { return blocked_; }
  // The calls the last kNonBlocking Process call captured, in the order they are to be made.
  // They belong to the session and stay valid until the next Process call, which reads their
  // results (every one must be done by then); a kMayBlock call drops them unread.
  std::span<PendingCall* const> pending_calls() const { return pending_; }
  Protocol protocol() const { return protocol_; }
  // Non-zero once `watch` started a stream (SessionHooks::StartWatch returned kStarted): the
  // WatchFlag bits asked for. From then on Process executes nothing and consumes all input, as
  // memcached stops reading a watcher's requests; the host streams log lines instead.
  std::uint32_t watch_flags() const { return watch_flags_; }
  // The descriptor memcached's log lines name the client by (cfd=); -1 when unknown.
  void set_client_fd(int fd) { client_fd_ = fd; }
  // True while -S or -Y still waits for this connection to sign in. What such a connection
  // sends may hold a password (a mis-framed auth `set`), so request logs should skip it, as
  // memcached logs nothing then.
  bool signing_in() const {
    return (config_.sasl_required || config_.ascii_auth_required) && !auth_.authenticated;
  }

 private:
  // Picks the protocol on the first byte, then parses the request at the front of `in` with
  // its parser; `parsed_as` tells which (meta lines are parsed by the meta parser).
  ParseResult ParseNext(std::string_view in, const ParserLimits& limits, Request& request,
                        Protocol& parsed_as);
  // What became of one request: executed for good, deferred (reply and counts dropped, to run
  // again: kDeferredLast when nothing after it may run in this call), or not run at all.
  enum class Step : std::uint8_t { kConsumed, kDeferred, kDeferredLast, kStopBefore };
  // The request loop of Process; `deferring` is set for kNonBlocking.
  std::size_t RunRequests(std::string_view input, std::string& output, SessionContext& context,
                          DeferringEngine* deferring);
  // `deferring_rest`: a request before this one in the same call was deferred.
  Step RunOne(const Request& request, const ParseResult& result, Protocol parsed_as,
              SessionContext& context, std::string& output, DeferringEngine* deferring,
              bool deferring_rest);

  Engine& engine_;
  const SessionConfig& config_;
  CommandCounters& counters_;
  SessionHooks* hooks_;
  SessionHooks default_hooks_;
  ProtocolMode mode_;
  Protocol protocol_ = Protocol::kAscii;
  bool protocol_known_ = false;
  bool closing_ = false;
  bool at_request_limit_ = false;
  bool blocked_ = false;
  std::size_t skip_bytes_ = 0;  // rest of an oversize value still to swallow
  std::uint32_t watch_flags_ = 0;
  int client_fd_ = -1;
  AuthState auth_;
  // Created by the first `servers NAME notify`; null for every other connection.
  std::unique_ptr<DomainSubscriptions> domain_subscriptions_;
  // Calls captured by kNonBlocking calls, from the first unconsumed request on, in call order
  // (earlier rounds' with their results, then the last call's); pending_ lists the last call's.
  std::vector<std::unique_ptr<PendingCall>> captures_;
  std::vector<PendingCall*> pending_;
};

}  // namespace mnemo
