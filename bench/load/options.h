// The command line of mnemo-bench: one BenchOptions for both modes, filled by CLI11.
//
//   load      closed loop: `connections` sockets (spread over `threads`), each keeping
//             `depth` requests in flight, gets and sets in `get_ratio`:`set_ratio`, for
//             `requests` requests or `duration_s` seconds; reports ops/s, hit ratio and latency.
//             With `rate` > 0 the loop is open instead: requests leave at fixed intended times
//             (`rate` per second over all threads) whatever the replies do, and latency counts
//             from the intended time, so a server that falls behind shows its queueing.
//   hitratio  one socket replays one key stream in order: get, and on a miss set the key, so
//             the hit ratio depends on the server's eviction policy and memory use only.
//
// Thread safety: plain data, read-only once parsed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mnemo::bench {

enum class Mode : std::uint8_t { kLoad, kHitRatio };
// kResp: Redis's protocol (GET and SET), to put the same load on Redis (resp.h).
enum class Protocol : std::uint8_t { kAscii, kMeta, kBinary, kResp };
enum class Distribution : std::uint8_t { kUniform, kZipf, kSequential };

// One entry of a value-size distribution: `size` bytes for `weight` parts of the keys.
struct WeightedSize {
  std::uint32_t size = 0;
  std::uint32_t weight = 0;
};

struct BenchOptions {
  std::string host = "127.0.0.1";
  int port = 11211;
  std::string unix_socket;  // when set, used instead of host:port
  bool tls = false;         // TLS over TCP; the server's certificate is not verified

  Mode mode = Mode::kLoad;
  Protocol protocol = Protocol::kAscii;
  int threads = 1;
  int connections = 1;         // in total, spread over the threads
  int depth = 1;               // requests in flight per connection
  std::uint64_t requests = 0;  // 0: run for duration_s
  double duration_s = 10;
  double rate = 0;  // load: requests per second over all threads; 0 = closed loop
  std::uint32_t get_ratio = 9;
  std::uint32_t set_ratio = 1;
  int multiget = 1;  // keys per get request (ASCII only)

  std::uint64_t key_count = 100'000;
  std::string key_prefix = "key:";
  Distribution distribution = Distribution::kUniform;
  double zipf_exponent = 1.0;
  std::uint32_t value_min = 100;
  std::uint32_t value_max = 100;
  // When not empty, value sizes follow these weights instead of [value_min, value_max].
  std::vector<WeightedSize> value_weights;
  // hitratio: this fraction of requests are keys never seen before and never seen again,
  // coming in runs of `one_hit_run` consecutive keys (1: scattered one-hit wonders; large: a
  // scan).
  double one_hit_fraction = 0;
  std::uint64_t one_hit_run = 1;

  // hitratio: never send a get while an earlier get of the same key is unanswered (exactly
  // the unpipelined replay, but hot keys then limit the pipeline to a few requests).
  bool strict_order = false;
  bool prefill = false;  // load: set every key once (pipelined) before measuring
  std::uint64_t seed = 1;
  bool json = false;
  bool progress = false;  // a progress line on stderr every second (default: stderr a tty)
};

// Parses argv; on --help or a bad command line prints the message and returns the exit code
// the process should end with.
std::optional<int> ParseOptions(int argc, char** argv, BenchOptions& options);

}  // namespace mnemo::bench
