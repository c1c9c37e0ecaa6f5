#include "server/worker.h"

#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <exception>

#include "server/connection.h"
#include "server/tls.h"

namespace mnemo::server {

std::string_view StateName(ConnectionState state) {
  switch (state) {
    case ConnectionState::kNew:
      return "conn_new_cmd";
    case ConnectionState::kWaiting:
      return "conn_waiting";
    case ConnectionState::kProcessing:
      return "conn_parse_cmd";
    case ConnectionState::kWriting:
      return "conn_mwrite";
    case ConnectionState::kWatch:
      return "conn_watch";
  }
  return "conn_closing";
}

std::int64_t MonotonicSeconds() {
  // Read once per request: the coarse clock (the last timer tick, a few ms behind) is enough
  // for whole seconds and, unlike steady_clock's CLOCK_MONOTONIC, needs no clock-source read.
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
  return now.tv_sec;
}

Worker::Worker(int id, WorkerEnv env)
    : id_(id), env_(env), guard_(io_.get_executor()), sweep_timer_(io_) {}

Worker::~Worker() = default;

void Worker::Start() {
  if (env_.async_calls_for) async_calls_ = env_.async_calls_for(io_);
  if (env_.idle_timeout > 0) asio::co_spawn(io_, SweepIdle(), asio::detached);
  thread_ = std::thread([this] { Run(); });
  pthread_setname_np(thread_.native_handle(), "mnemod-worker");  // for top -H and perf
}

void Worker::Run() {
  // A handler that throws must not end the worker: log it and keep serving the others.
  for (;;) {
    try {
      io_.run();
      break;
    } catch (const std::exception& e) {
      env_.log.Log(kLogWarnings, "worker " + std::to_string(id_) + ": " + e.what());
    }
  }
  std::lock_guard lock(done_mu_);
  done_ = true;
  done_cv_.notify_all();
}

void Worker::Adopt(int fd, const Listener& listener, std::string peer) {
  asio::post(io_, [this, fd, &listener, peer = std::move(peer)]() mutable {
    Stream::socket socket(io_);
    asio::error_code error;
    socket.assign(listener.protocol, fd, error);
    if (error || stopping_) {
      if (error) ::close(fd);
      --env_.connections.current;
      return;
    }
    // Replies are written whole; waiting for more to coalesce only adds latency.
    if (IsTcp(listener.protocol)) socket.set_option(asio::ip::tcp::no_delay(true), error);
    auto serve =
        listener.tls && env_.tls != nullptr
            ? ServeTlsConnection(*this, std::move(socket), env_.tls->Current(listener.mutual_tls),
                                 std::move(peer), listener.name)
            : ServeConnection(*this, std::move(socket), std::move(peer), listener.name);
    asio::co_spawn(io_, std::move(serve), [this](std::exception_ptr failure) {
      if (!failure) return;
      try {
        std::rethrow_exception(failure);
      } catch (const std::exception& e) {
        env_.log.Log(kLogWarnings, std::string("connection failed: ") + e.what());
      } catch (...) {
        env_.log.Log(kLogWarnings, "connection failed");
      }
    });
  });
}

void Worker::ResetCounters() {
  // On its own thread the caller is a session of this worker, and it has reset the command
  // counters already; a reset posted now would also erase what the requests after
  // `stats reset` counted.
  if (io_.get_executor().running_in_this_thread()) {
    conn_yields_.store(0);
    return;
  }
  asio::post(io_, [this] {
    counters_.Reset();
    conn_yields_.store(0);
  });
}

void Worker::BeginStop() {
  asio::post(io_, [this] { StopOnThread(); });
}

void Worker::StopOnThread() {
  stopping_ = true;
  sweep_timer_.cancel();
  guard_.reset();
  bool none_left = false;
  {
    std::lock_guard lock(mu_);
    for (ConnectionRecord& record : connections_) {
      const ConnectionState state = record.state.load();
      if (state == ConnectionState::kNew || state == ConnectionState::kWaiting ||
          state == ConnectionState::kWatch) {
        asio::error_code ignored;
        record.socket->cancel(ignored);
      }
    }
    none_left = connections_.empty();
  }
  if (none_left) async_calls_.reset();
}

bool Worker::WaitStopped(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(done_mu_);
  return done_cv_.wait_until(lock, deadline, [this] { return done_; });
}

void Worker::Join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::Snapshot(std::vector<ConnectionSnapshot>& out) const {
  std::lock_guard lock(mu_);
  for (const ConnectionRecord& record : connections_) {
    out.push_back({record.fd, record.peer, *record.listen_name, record.state.load(),
                   record.last_command.load(), record.protocol.load(), record.opened});
  }
}

std::list<ConnectionRecord>::iterator Worker::Register(int fd, std::string peer,
                                                       const std::string& listen_name,
                                                       Stream::socket& socket) {
  std::lock_guard lock(mu_);
  ConnectionRecord& record = connections_.emplace_back();
  record.fd = fd;
  record.peer = std::move(peer);
  record.listen_name = &listen_name;
  record.last_command = MonotonicSeconds();
  record.opened = record.last_command;
  record.socket = &socket;
  return std::prev(connections_.end());
}

void Worker::Unregister(std::list<ConnectionRecord>::iterator record) {
  bool last = false;
  {
    std::lock_guard lock(mu_);
    connections_.erase(record);
    last = stopping_ && connections_.empty();
  }
  // The engine's links (an upstream connection waiting to read) would keep the event loop
  // running after a stop: they go with the last connection that could use them.
  if (last) async_calls_.reset();
}

asio::awaitable<void> Worker::SweepIdle() {
  for (;;) {
    sweep_timer_.expires_after(std::chrono::seconds(1));
    asio::error_code error;
    co_await sweep_timer_.async_wait(asio::redirect_error(asio::use_awaitable, error));
    if (error || stopping_) co_return;
    const std::int64_t now = MonotonicSeconds();
    std::lock_guard lock(mu_);
    for (ConnectionRecord& record : connections_) {
      const ConnectionState state = record.state.load();
      if (state != ConnectionState::kNew && state != ConnectionState::kWaiting) continue;
      if (now - record.last_command.load() < env_.idle_timeout) continue;
      // The connection's pending read ends with an error and its coroutine closes it.
      env_.log.Log(kLogEvents, "<" + std::to_string(record.fd) + " idle timeout, closing");
      asio::error_code ignored;
      record.socket->cancel(ignored);
    }
  }
}

}  // namespace mnemo::server
