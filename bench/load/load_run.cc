// Closed-loop load: one epoll loop per thread over its connections.
#include "load_run.h"

#include <sys/epoll.h>
#include <unistd.h>

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

namespace mnemo::bench {
namespace {

// What all threads of one phase (prefill or measured run) share.
struct Phase {
  const BenchOptions& options;
  const Workload& workload;
  const ZipfTable* zipf;
  std::atomic<std::uint64_t>* next_sequential;
  std::uint64_t deadline_ns;  // 0: run until the request quota is sent
};

class LoadThread {
 public:
  LoadThread(const Phase& phase, int index, int connections, std::uint64_t quota)
      : phase_(phase),
        quota_(quota),
        chooser_(phase.options, phase.zipf, phase.next_sequential,
                 phase.options.seed * 0x9e3779b97f4a7c15ull + static_cast<std::uint64_t>(index)),
        ids_(static_cast<std::size_t>(phase.options.multiget)) {
    for (int i = 0; i < connections; ++i) {
      connections_.push_back(std::make_unique<Connection>(phase.options, phase.workload));
    }
  }

  // Runs to the end of the phase; progress counts completed requests for the progress line.
  void Run(std::atomic<std::uint64_t>& progress) {
    const int epoll = epoll_create1(EPOLL_CLOEXEC);
    if (epoll < 0) throw std::runtime_error("epoll_create1 failed");
    writing_.assign(connections_.size(), false);
    for (std::size_t i = 0; i < connections_.size(); ++i) {
      epoll_event event{};
      event.events = EPOLLIN;
      event.data.u64 = i;
      epoll_ctl(epoll, EPOLL_CTL_ADD, connections_[i]->fd(), &event);
    }
    const std::uint64_t start = NowNanos();
    for (std::size_t i = 0; i < connections_.size(); ++i) Refill(epoll, i, start);
    epoll_event events[256];
    std::vector<Completion> done;
    while (issuing_ || outstanding_ > 0) {
      const int n = epoll_wait(epoll, events, 256, 100);
      for (int e = 0; e < n; ++e) {
        const std::size_t i = events[e].data.u64;
        Connection& c = *connections_[i];
        if ((events[e].events & EPOLLOUT) != 0 && !c.Flush()) Fail(epoll, "send failed");
        if ((events[e].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) == 0) continue;
        if (c.Read() == Connection::ReadStatus::kClosed) Fail(epoll, "server closed a connection");
        done.clear();
        if (!c.TakeReplies(done)) Fail(epoll, "unexpected reply bytes");
        const std::uint64_t now = NowNanos();
        for (const Completion& d : done) Record(d, now);
        outstanding_ -= done.size();
        Refill(epoll, i, now);
      }
      progress.store(result_.requests, std::memory_order_relaxed);
      if (phase_.deadline_ns != 0 && NowNanos() >= phase_.deadline_ns) issuing_ = false;
    }
    result_.seconds = static_cast<double>(NowNanos() - start) / 1e9;
    close(epoll);
  }

  const RunResult& result() const { return result_; }

 private:
  [[noreturn]] static void Fail(int epoll, const char* what) {
    close(epoll);
    throw std::runtime_error(what);
  }

  void Refill(int epoll, std::size_t i, std::uint64_t now) {
    Connection& c = *connections_[i];
    const auto depth = static_cast<std::size_t>(phase_.options.depth);
    while (issuing_ && c.in_flight() < depth) {
      if ((quota_ != 0 && issued_ >= quota_) ||
          (phase_.deadline_ns != 0 && now >= phase_.deadline_ns)) {
        issuing_ = false;
        break;
      }
      if (chooser_.NextIsGet()) {
        for (std::uint64_t& id : ids_) id = chooser_.Next();
        c.QueueGet(ids_, now);
      } else {
        c.QueueSet(chooser_.Next(), now);
      }
      ++issued_;
      ++outstanding_;
    }
    if (!c.Flush()) Fail(epoll, "send failed");
    if (c.wants_write() != writing_[i]) {  // ask for EPOLLOUT only while bytes wait
      writing_[i] = c.wants_write();
      epoll_event event{};
      event.events = EPOLLIN | (writing_[i] ? EPOLLOUT : 0u);
      event.data.u64 = i;
      epoll_ctl(epoll, EPOLL_CTL_MOD, c.fd(), &event);
    }
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
    result_.latency.Record(now - d.start_ns);
  }

  const Phase& phase_;
  std::uint64_t quota_;
  KeyChooser chooser_;
  std::vector<std::uint64_t> ids_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::vector<bool> writing_;
  bool issuing_ = true;
  std::uint64_t issued_ = 0;
  std::uint64_t outstanding_ = 0;
  RunResult result_;
};

// Runs one phase on options.threads threads and merges their results.
RunResult RunPhase(const Phase& phase, bool show_progress) {
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
    std::atomic<std::uint64_t> next{0};
    const RunResult filled = RunPhase(Phase{fill, workload, nullptr, &next, 0}, false);
    if (!options.json) {
      std::fprintf(stderr, "prefilled %llu keys in %.2f s (%llu errors)\n",
                   static_cast<unsigned long long>(filled.sets), filled.seconds,
                   static_cast<unsigned long long>(filled.errors));
    }
  }
  std::atomic<std::uint64_t> next{0};
  const std::uint64_t deadline =
      options.requests == 0 ? NowNanos() + static_cast<std::uint64_t>(options.duration_s * 1e9) : 0;
  return RunPhase(Phase{options, workload, zipf.get(), &next, deadline}, options.progress);
}

}  // namespace mnemo::bench
