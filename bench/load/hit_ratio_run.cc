// The hitratio mode: one connection, one ordered key stream, get then set on a miss.
#include <poll.h>

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "clock.h"
#include "connection.h"
#include "key_stream.h"
#include "load_run.h"

namespace mnemo::bench {
namespace {

class Replay {
 public:
  Replay(const BenchOptions& options, const Workload& workload, const ZipfTable* zipf)
      : options_(options), stream_(options, zipf), connection_(options, workload) {}

  RunResult Run() {
    const std::uint64_t start = NowNanos();
    last_progress_ = start;
    std::vector<Completion> done;
    while (true) {
      Issue(NowNanos());
      if (!connection_.Flush()) throw std::runtime_error("send failed");
      if (connection_.in_flight() == 0 && issued_ == options_.requests) break;
      pollfd p{connection_.fd(), POLLIN, 0};
      if (connection_.wants_write()) p.events |= POLLOUT;
      if (poll(&p, 1, 1000) <= 0) continue;
      if ((p.revents & POLLOUT) != 0 && !connection_.Flush()) {
        throw std::runtime_error("send failed");
      }
      if ((p.revents & (POLLIN | POLLERR | POLLHUP)) == 0) continue;
      if (connection_.Read() == Connection::ReadStatus::kClosed) {
        throw std::runtime_error("server closed the connection");
      }
      done.clear();
      if (!connection_.TakeReplies(done)) throw std::runtime_error("unexpected reply bytes");
      const std::uint64_t received = NowNanos();
      for (const Completion& d : done) Complete(d, received);
      Progress(received, start);
    }
    result_.seconds = static_cast<double>(NowNanos() - start) / 1e9;
    return result_;
  }

 private:
  // Keys with gets in flight: how many, and whether a miss of one of them already queued the
  // set (then the later gets count as the hits the in-order replay would have had).
  struct Asked {
    std::uint32_t gets = 0;
    bool set_queued = false;
  };

  // Queues the next gets of the stream, up to `depth` in flight.
  void Issue(std::uint64_t now) {
    while (gets_in_flight_ < static_cast<std::size_t>(options_.depth) &&
           issued_ < options_.requests) {
      if (!have_next_) next_ = stream_.Next();
      have_next_ = true;
      // Strict: wait for the earlier get of this key (and the set after its miss).
      if (options_.strict_order && asked_.contains(next_)) break;
      connection_.QueueGet(std::span<const std::uint64_t>(&next_, 1), now);
      ++asked_[next_].gets;
      ++gets_in_flight_;
      ++issued_;
      have_next_ = false;
    }
  }

  void Complete(const Completion& d, std::uint64_t received) {
    ++result_.requests;
    result_.errors += d.error ? 1 : 0;
    result_.latency.Record(received - d.start_ns);
    if (d.kind == OpKind::kSet) {
      ++result_.sets;
      return;
    }
    const auto key = asked_.find(d.first_id);
    const bool hit = d.hits > 0 || key->second.set_queued;
    if (!hit) {
      // Queued now, so it goes out before any get not yet sent.
      connection_.QueueSet(d.first_id, received);
      key->second.set_queued = true;
    }
    if (--key->second.gets == 0) asked_.erase(key);
    --gets_in_flight_;
    const bool late = result_.gets >= options_.requests / 2;
    ++result_.gets;
    ++result_.get_keys;
    result_.hits += hit ? 1 : 0;
    result_.late_get_keys += late ? 1 : 0;
    result_.late_hits += late && hit ? 1 : 0;
  }

  void Progress(std::uint64_t now, std::uint64_t start) {
    if (!options_.progress || now - last_progress_ < 1'000'000'000) return;
    last_progress_ = now;
    std::fprintf(stderr, "[%4.0fs] %llu gets, hit ratio %.4f\n",
                 static_cast<double>(now - start) / 1e9,
                 static_cast<unsigned long long>(result_.gets), result_.hit_ratio());
  }

  const BenchOptions& options_;
  HitRatioStream stream_;
  Connection connection_;
  std::unordered_map<std::uint64_t, Asked> asked_;
  std::size_t gets_in_flight_ = 0;
  std::uint64_t issued_ = 0;
  std::uint64_t next_ = 0;
  bool have_next_ = false;
  std::uint64_t last_progress_ = 0;
  RunResult result_;
};

}  // namespace

RunResult RunHitRatio(const BenchOptions& options) {
  if (options.requests == 0) throw std::runtime_error("--mode hitratio needs --requests");
  const Workload workload(options);
  std::unique_ptr<ZipfTable> zipf;
  if (options.distribution == Distribution::kZipf) {
    zipf = std::make_unique<ZipfTable>(options.key_count, options.zipf_exponent);
  }
  return Replay(options, workload, zipf.get()).Run();
}

}  // namespace mnemo::bench
