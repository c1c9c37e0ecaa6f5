// Load: one epoll loop per thread over its connections, closed or open loop.
#include "load_run.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "clock.h"
#include "connection.h"
#include "key_stream.h"
#include "open_loop.h"

namespace mnemo::bench {
namespace {

// What all threads of one phase (prefill or measured run) share.
struct Phase {
  const BenchOptions& options;
  const Workload& workload;
  const ZipfTable* zipf;
  std::atomic<std::uint64_t>* next_sequential;
  std::uint64_t duration_ns;      // 0: run until the request quota is sent
  std::uint64_t deadline_ns = 0;  // set by RunPhase once every connection is up
};

class LoadThread {
 public:
  LoadThread(const Phase& phase, int index, int connections, std::uint64_t quota)
      : phase_(phase),
        index_(index),
        quota_(quota),
        chooser_(phase.options, phase.zipf, phase.next_sequential,
                 phase.options.seed * 0x9e3779b97f4a7c15ull + static_cast<std::uint64_t>(index)),
        ids_(static_cast<std::size_t>(phase.options.multiget)) {
    for (int i = 0; i < connections; ++i) {
      connections_.push_back(std::make_unique<Connection>(phase.options, phase.workload));
    }
  }
  ~LoadThread() {
    if (epoll_ >= 0) close(epoll_);
  }
  LoadThread(const LoadThread&) = delete;
  LoadThread& operator=(const LoadThread&) = delete;

  // Runs to the end of the phase; progress counts completed requests for the progress line.
  void Run(std::atomic<std::uint64_t>& progress) {
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) throw std::runtime_error("epoll_create1 failed");
    writing_.assign(connections_.size(), false);
    for (std::size_t i = 0; i < connections_.size(); ++i) {
      epoll_event event{};
      event.events = EPOLLIN;
      event.data.u64 = i;
      epoll_ctl(epoll_, EPOLL_CTL_ADD, connections_[i]->fd(), &event);
    }
    const std::uint64_t start = NowNanos();
    if (phase_.options.rate > 0) {
      RunOpen(start, progress);
    } else {
      RunClosed(start, progress);
    }
    result_.seconds = static_cast<double>(NowNanos() - start) / 1e9;
  }

  const RunResult& result() const { return result_; }

 private:
  void RunClosed(std::uint64_t start, std::atomic<std::uint64_t>& progress) {
    for (std::size_t i = 0; i < connections_.size(); ++i) Refill(i, start);
    while (issuing_ || outstanding_ > 0) {
      WaitAndHandle(100'000'000, true);
      progress.store(result_.requests, std::memory_order_relaxed);
      if (phase_.deadline_ns != 0 && NowNanos() >= phase_.deadline_ns) issuing_ = false;
    }
  }

  // Sends each request at its intended time, round robin over the connections, however many
  // replies are outstanding; threads start a fraction of an interval apart so they interleave.
  void RunOpen(std::uint64_t start, std::atomic<std::uint64_t>& progress) {
    const double thread_rate = phase_.options.rate / phase_.options.threads;
    const OpenLoopSchedule schedule(
        thread_rate, start + static_cast<std::uint64_t>(1e9 / phase_.options.rate * index_));
    std::size_t next_connection = 0;
    while (issuing_ || outstanding_ > 0) {
      std::uint64_t now = NowNanos();
      // At most a burst between two reads, so a client that fell behind still takes replies.
      const std::uint64_t due = std::min(schedule.DueBy(now), issued_ + 1024);
      while (issuing_ && issued_ < due) {
        const std::uint64_t intended = schedule.IntendedTime(issued_);
        if (QuotaReached(intended)) break;
        result_.send_lag.Record(now > intended ? now - intended : 0);
        QueueOne(*connections_[next_connection], intended);
        dirty_.push_back(next_connection);
        next_connection = (next_connection + 1) % connections_.size();
      }
      for (const std::size_t i : dirty_) FlushAndWatch(i);
      dirty_.clear();
      now = NowNanos();
      const std::uint64_t next = schedule.IntendedTime(issued_);
      const std::uint64_t wait = !issuing_ ? 100'000'000 : (next > now ? next - now : 0);
      WaitAndHandle(wait, false);
      progress.store(result_.requests, std::memory_order_relaxed);
    }
  }

  // Waits up to `wait_ns` for replies and records them; `refill` (closed loop) sends new
  // requests on each connection as its replies come in.
  void WaitAndHandle(std::uint64_t wait_ns, bool refill) {
    epoll_event events[256];
    const timespec timeout{static_cast<time_t>(wait_ns / 1'000'000'000),
                           static_cast<long>(wait_ns % 1'000'000'000)};
    const int n = epoll_pwait2(epoll_, events, 256, &timeout, nullptr);
    for (int e = 0; e < n; ++e) {
      const std::size_t i = events[e].data.u64;
      Connection& c = *connections_[i];
      if ((events[e].events & EPOLLOUT) != 0) FlushAndWatch(i);
      if ((events[e].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) == 0) continue;
      if (c.Read() == Connection::ReadStatus::kClosed) Fail("server closed a connection");
      done_.clear();
      if (!c.TakeReplies(done_)) Fail("unexpected reply bytes");
      const std::uint64_t now = NowNanos();
      for (const Completion& d : done_) Record(d, now);
      outstanding_ -= done_.size();
      if (refill) Refill(i, now);
    }
  }

  [[noreturn]] static void Fail(const char* what) { throw std::runtime_error(what); }

  // Whether the request that would go out at `now` is past the quota or the deadline; then
  // issuing stops.
  bool QuotaReached(std::uint64_t now) {
    if ((quota_ != 0 && issued_ >= quota_) ||
        (phase_.deadline_ns != 0 && now >= phase_.deadline_ns)) {
      issuing_ = false;
    }
    return !issuing_;
  }

  void QueueOne(Connection& c, std::uint64_t start_ns) {
    if (chooser_.NextIsGet()) {
      for (std::uint64_t& id : ids_) id = chooser_.Next();
      c.QueueGet(ids_, start_ns);
    } else {
      c.QueueSet(chooser_.Next(), start_ns);
    }
    ++issued_;
    ++outstanding_;
  }

  void Refill(std::size_t i, std::uint64_t now) {
    Connection& c = *connections_[i];
    const auto depth = static_cast<std::size_t>(phase_.options.depth);
    while (issuing_ && c.in_flight() < depth && !QuotaReached(now)) QueueOne(c, now);
    FlushAndWatch(i);
  }

  // Sends what the socket takes and asks for EPOLLOUT only while bytes wait.
  void FlushAndWatch(std::size_t i) {
    Connection& c = *connections_[i];
    if (!c.Flush()) Fail("send failed");
    if (c.wants_write() == writing_[i]) return;
    writing_[i] = c.wants_write();
    epoll_event event{};
    event.events = EPOLLIN | (writing_[i] ? EPOLLOUT : 0u);
    event.data.u64 = i;
    epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd(), &event);
  }

  void Record(const Completion& d, std::uint64_t now) {
    ++result_.requests;
    if (d.kind == OpKind::kGet) {
      ++result_.gets;
      result_.get_keys += d.keys;
      result_.hits += d.hits;
    } else {
      ++result_.sets;
    }
    result_.errors += d.error ? 1 : 0;
    result_.latency.Record(now > d.start_ns ? now - d.start_ns : 0);
  }

  const Phase& phase_;
  int index_;
  std::uint64_t quota_;
  KeyChooser chooser_;
  std::vector<std::uint64_t> ids_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::vector<bool> writing_;
  std::vector<std::size_t> dirty_;
  std::vector<Completion> done_;
  int epoll_ = -1;
  bool issuing_ = true;
  std::uint64_t issued_ = 0;
  std::uint64_t outstanding_ = 0;
  RunResult result_;
};

// Runs one phase on options.threads threads and merges their results. The duration counts
// from when every connection is up: connecting 1,000 sockets to a busy server can take longer
// than a short run.
RunResult RunPhase(Phase phase, bool show_progress) {
  const BenchOptions& o = phase.options;
  std::vector<std::unique_ptr<LoadThread>> threads;
  for (int t = 0; t < o.threads; ++t) {
    // Connections and requests spread as evenly as they divide.
    const int connections = o.connections / o.threads + (t < o.connections % o.threads ? 1 : 0);
    const std::uint64_t quota =
        o.requests == 0 ? 0
                        : o.requests / static_cast<std::uint64_t>(o.threads) +
                              (static_cast<std::uint64_t>(t) <
                                       o.requests % static_cast<std::uint64_t>(o.threads)
                                   ? 1
                                   : 0);
    threads.push_back(std::make_unique<LoadThread>(phase, t, connections, quota));
  }
  if (phase.duration_ns != 0) phase.deadline_ns = NowNanos() + phase.duration_ns;
  std::vector<std::atomic<std::uint64_t>> progress(threads.size());
  std::mutex error_mutex;
  std::string error;
  std::vector<std::thread> workers;
  std::atomic<int> running{static_cast<int>(threads.size())};
  for (std::size_t t = 0; t < threads.size(); ++t) {
    workers.emplace_back([&, t] {
      try {
        threads[t]->Run(progress[t]);
      } catch (const std::exception& e) {
        const std::lock_guard lock(error_mutex);
        error = e.what();
      }
      running.fetch_sub(1);
    });
  }
  std::uint64_t last = 0;
  const auto tick = std::chrono::milliseconds(100);
  for (int ticks = 1; running.load() > 0; ++ticks) {
    std::this_thread::sleep_for(tick);
    if (!show_progress || ticks % 10 != 0) continue;
    std::uint64_t total = 0;
    for (const auto& p : progress) total += p.load(std::memory_order_relaxed);
    std::fprintf(stderr, "[%4ds] %llu requests, %llu ops/s\n", ticks / 10,
                 static_cast<unsigned long long>(total),
                 static_cast<unsigned long long>(total - last));
    last = total;
  }
  for (std::thread& w : workers) w.join();
  if (!error.empty()) throw std::runtime_error(error);
  RunResult merged;
  for (const auto& t : threads) {
    merged.Merge(t->result());
    merged.seconds = std::max(merged.seconds, t->result().seconds);
  }
  return merged;
}

}  // namespace

RunResult RunLoad(const BenchOptions& options) {
  const Workload workload(options);
  std::unique_ptr<ZipfTable> zipf;
  if (options.distribution == Distribution::kZipf) {
    zipf = std::make_unique<ZipfTable>(options.key_count, options.zipf_exponent);
  }
  if (options.prefill) {
    // Every key once, in order, pipelined: gets of the measured run then hit.
    BenchOptions fill = options;
    fill.distribution = Distribution::kSequential;
    fill.get_ratio = 0;
    fill.set_ratio = 1;
    fill.requests = options.key_count;
    fill.depth = std::max(options.depth, 32);
    fill.multiget = 1;
    fill.rate = 0;  // as fast as it goes
    std::atomic<std::uint64_t> next{0};
    const RunResult filled = RunPhase(Phase{fill, workload, nullptr, &next, 0}, false);
    if (!options.json) {
      std::fprintf(stderr, "prefilled %llu keys in %.2f s (%llu errors)\n",
                   static_cast<unsigned long long>(filled.sets), filled.seconds,
                   static_cast<unsigned long long>(filled.errors));
    }
  }
  std::atomic<std::uint64_t> next{0};
  const std::uint64_t duration =
      options.requests == 0 ? static_cast<std::uint64_t>(options.duration_s * 1e9) : 0;
  return RunPhase(Phase{options, workload, zipf.get(), &next, duration}, options.progress);
}

}  // namespace mnemo::bench
