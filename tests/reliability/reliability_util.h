// Helpers shared by the fault, load and metrics tests: a higher open-files limit for the test
// process, the metrics port mnemod prints, a raw HTTP GET, a reply counter for pipelined ASCII
// replies, and a well-behaved probe client that keeps timing its requests while a test puts
// the server under stress (the bound: every probe answered within 100 ms).
//
// Thread safety: LatencyProbe runs its own thread and may be read from the test's thread; the
// other helpers are plain functions.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "mnemo/result.h"
#include "mnemod_harness.h"
#include "tcp_client.h"

namespace mnemo::reliability {

inline constexpr std::chrono::milliseconds kProbeBound{100};
// The bound is kProbeBound for every request. On a 2-core machine shared with other
// builds and tests (load averages of 10 happen), a round trip now and then waits for a core
// longer than that whatever the server does, so tests allow one round in 20 (at least one)
// over kProbeBound and none over kProbeHardBound: a server that blocks a worker while it
// handles the load exceeds both. Sanitized builds run several times slower, so there one round
// in 5 may be slow; the hard bound stays.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr std::uint64_t kSlowRoundShare = 5;
#else
inline constexpr std::uint64_t kSlowRoundShare = 20;
#endif
inline std::uint64_t AllowedSlowRounds(std::uint64_t rounds) {
  return std::max<std::uint64_t>(1, rounds / kSlowRoundShare);
}
inline constexpr std::chrono::milliseconds kProbeHardBound{1000};

// Raises RLIMIT_NOFILE's soft limit to at least `wanted` (up to the hard limit). Returns the
// new soft limit.
std::uint64_t RaiseFileLimit(std::uint64_t wanted);

// The port of "mnemod metrics on ADDR:PORT" in a server's log; nullopt when absent.
std::optional<std::uint16_t> MetricsPort(const integration::Mnemod& server);

// Sends `request` to 127.0.0.1:`port` and reads until the server closes.
Result<std::string> HttpExchange(std::uint16_t port, std::string_view request);

// The value of sample `name` (the text after "name ") in a Prometheus exposition.
std::optional<std::string> Sample(std::string_view exposition, std::string_view name);

// Counts complete ASCII replies as they arrive, for ReadUntil conditions over a growing buffer:
// each call scans only what is new. A reply is a line, or VALUE lines with data blocks up to
// END; only storage and END lines are counted, which is what the tests send.
class ReplyCounter {
 public:
  // Number of "STORED\r\n" and "END\r\n" lines in `buffer` (which only ever grows).
  std::size_t Count(std::string_view buffer);

 private:
  std::size_t scanned_ = 0;
  std::size_t count_ = 0;
};

// A client that keeps doing set/get round trips on a key of its own and records the slowest.
// Start it, stress the server, then Stop(): max() is the slowest round trip, failures() the
// round trips that returned a wrong reply or none, slow_rounds() those over kProbeBound.
class LatencyProbe {
 public:
  explicit LatencyProbe(std::uint16_t port) : port_(port) {}
  ~LatencyProbe() { Stop(); }
  void Start();
  void Stop();
  std::chrono::microseconds max() const { return std::chrono::microseconds(max_us_.load()); }
  std::uint64_t rounds() const { return rounds_.load(); }
  std::uint64_t failures() const { return failures_.load(); }
  std::uint64_t slow_rounds() const { return slow_.load(); }  // over kProbeBound

 private:
  void Loop();

  std::uint16_t port_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<std::int64_t> max_us_{0};
  std::atomic<std::uint64_t> rounds_{0};
  std::atomic<std::uint64_t> failures_{0};
  std::atomic<std::uint64_t> slow_{0};
};

}  // namespace mnemo::reliability
