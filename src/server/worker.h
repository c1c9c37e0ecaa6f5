// Worker: one network thread of mnemod (-t of them). It owns an io_context run by its thread,
// the CommandCounters its connections write, and the registry of its live connections that
// `stats conns` and the idle sweep (-o idle_timeout) read. The acceptor hands it sockets with
// Adopt(); each one is served by a coroutine (connection.cc) that never leaves this thread.
//
// Stopping is two-step so that requests in flight finish: BeginStop() cancels only the reads
// that are waiting for a new request, so a connection that is executing or writing completes
// that and then leaves; the thread ends once the last connection has gone. ForceStop() is the
// deadline for clients that do not read their replies.
//
// Thread safety: Adopt, BeginStop, WaitStopped, ForceStop, Snapshot, ResetCounters, conn_yields()
// and counters() (for reading) may be called from any thread; the rest only from the worker's
// own thread (the connection code).
#pragma once

#include <asio/awaitable.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "mnemo/engine.h"
#include "mnemo/pending_call.h"
#include "mnemo/session.h"
#include "server/async_make_calls.h"
#include "server/listener.h"
#include "server/logger.h"
#include "server/read_buffers.h"

namespace mnemo::server {

class LatencyTable;
class OffloadPool;
class TlsContexts;
class WatchBus;

// Connection counts shared by the acceptor, every worker and `stats`.
struct ConnectionCounts {
  std::atomic<std::uint64_t> current{0};   // client connections open now
  std::atomic<std::uint64_t> total{0};     // accepted, since start or `stats reset`
  std::atomic<std::uint64_t> rejected{0};  // refused over -c
  std::atomic<std::uint64_t> peak{0};      // most open at once
  std::atomic<std::uint64_t> listen_disabled{0};
  // -o read_buf_mem_limit: what incomplete requests hold beyond a small buffer each.
  ReadBufferBudget read_buffers;
};

// What a worker and its connections use but do not own; all of it outlives the workers.
struct WorkerEnv {
  Engine& engine;
  const SessionConfig& session_config;
  SessionHooks& hooks;
  const Logger& log;
  ConnectionCounts& connections;
  std::uint32_t idle_timeout = 0;  // seconds; 0 = never
  // Set when the engine's calls block (sqlite): connections then run Session::Process there
  // and count their commands in counters of their own, folded into the worker's after each
  // call on the worker's thread (connection.cc). Null for the memory engine: nothing changes.
  OffloadPool* offload = nullptr;
  // Set when the engine makes calls without blocking (EngineHandle::async_calls_for): each
  // worker creates its AsyncCalls from it on its io_context, and a session's captured calls
  // go there (connection.cc); what is never captured (flush_all, stats, ...) still runs on
  // `offload`, which such an engine sets too.
  std::function<std::unique_ptr<AsyncCalls>(asio::io_context&)> async_calls_for;
  // -Z: the certificates for listeners with Listener::tls set; null without -Z.
  TlsContexts* tls = nullptr;
  // --metrics: the per-worker command latency histograms (command_latency.h); null without,
  // and then a connection reads no clock for them.
  LatencyTable* latency = nullptr;
  // `watch` streams (watch_bus.h); null: a session's watch streams nothing.
  WatchBus* watch = nullptr;
};

// memcached's connection states, as far as ours map onto them.
// kWatch: a `watch` stream (watch_stream.h), which the idle sweep leaves alone as memcached
// does.
enum class ConnectionState : std::uint8_t { kNew, kWaiting, kProcessing, kWriting, kWatch };
std::string_view StateName(ConnectionState state);

// Seconds on a clock that never jumps, for idle times.
std::int64_t MonotonicSeconds();

// One live connection. Written by its coroutine; read by `stats conns` on other threads.
struct ConnectionRecord {
  int fd = -1;
  std::string peer;                // DescribeEndpoint form
  const std::string* listen_name;  // the Listener's, which outlives every connection
  std::atomic<ConnectionState> state{ConnectionState::kNew};
  std::atomic<std::int64_t> last_command{0};  // MonotonicSeconds()
  Stream::socket* socket = nullptr;           // worker thread only
  // For `clients`: what the session speaks (known after its first request), and when the
  // connection was accepted (MonotonicSeconds()).
  std::atomic<Protocol> protocol{Protocol::kAscii};
  std::int64_t opened = 0;
};

// A copy of a record, taken under the registry lock.
struct ConnectionSnapshot {
  int fd = -1;
  std::string peer;
  std::string listen_name;
  ConnectionState state = ConnectionState::kNew;
  std::int64_t last_command = 0;
  Protocol protocol = Protocol::kAscii;
  std::int64_t opened = 0;
};

class Worker {
 public:
  Worker(int id, WorkerEnv env);
  ~Worker();  // REQUIRES: the thread has been joined (Join) or never started.
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void Start();
  // Serves the accepted socket `fd` (ownership passes here) on this worker's thread. The
  // caller has already counted it in connections.current.
  void Adopt(int fd, const Listener& listener, std::string peer);
  void BeginStop();
  // True once the thread's loop has ended, false if `deadline` came first.
  bool WaitStopped(std::chrono::steady_clock::time_point deadline);
  void ForceStop() { io_.stop(); }
  void Join();

  CommandCounters& counters() { return counters_; }
  // This worker's AsyncCalls (worker thread only); null unless env.async_calls_for is set, and
  // again once a stop has left no connection to use it (its links would keep the loop running).
  AsyncCalls* async_calls() { return async_calls_.get(); }
  // Where the AsyncCalls' results come back to this worker's loop (async_make_calls.h).
  ResumeQueue& resume_queue() { return resume_queue_; }
  // memcached's conn_yields: how often a connection stopped at -R requests to let others run.
  std::uint64_t conn_yields() const { return conn_yields_; }
  void CountYield() { ++conn_yields_; }  // worker thread only
  // `stats reset`: clears the counters on the worker's thread, their only writer. Called on
  // that thread, it does nothing: the session that runs `stats reset` clears its own.
  void ResetCounters();
  void Snapshot(std::vector<ConnectionSnapshot>& out) const;

  // For the connection coroutine (worker thread only).
  int id() const { return id_; }
  const WorkerEnv& env() const { return env_; }
  bool stopping() const { return stopping_; }
  // For the UDP sockets served on this thread (udp_listener.cc); posting to it is thread-safe.
  asio::io_context& io_context() { return io_; }
  std::list<ConnectionRecord>::iterator Register(int fd, std::string peer,
                                                 const std::string& listen_name,
                                                 Stream::socket& socket);
  void Unregister(std::list<ConnectionRecord>::iterator record);

 private:
  void Run();
  void StopOnThread();
  asio::awaitable<void> SweepIdle();

  const int id_;
  const WorkerEnv env_;
  CommandCounters counters_;
  Counter conn_yields_;  // written on the worker thread only
  mutable std::mutex mu_;
  std::list<ConnectionRecord> connections_;  // guarded by mu_; stable addresses
  bool stopping_ = false;                    // worker thread only
  std::mutex done_mu_;
  std::condition_variable done_cv_;
  bool done_ = false;  // guarded by done_mu_
  // Destroyed before everything above, so connection coroutines that a forced stop left
  // suspended unwind while the registry and counters they refer to still exist.
  asio::io_context io_{1};
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  asio::steady_timer sweep_timer_;
  // Where engine threads report the async calls' results; destroyed after async_calls_ (which
  // may still report) and before io_.
  ResumeQueue resume_queue_;
  // Created by Start() on io_; destroyed before it, so an engine's calls still out after a
  // forced stop are dropped (or answered, which only queues a resumption) while io_ exists.
  std::unique_ptr<AsyncCalls> async_calls_;
  std::thread thread_;
};

}  // namespace mnemo::server
