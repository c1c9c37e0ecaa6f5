// Per-command latency histograms for `--metrics` (mnemo_command_duration_seconds).
//
// What is measured: for each request, the time from the socket read that completed it until
// the Session call that executed it returned, its reply rendered (before the write). A
// connection reads the clock once per read and once per Session::Process call, and every
// request of that call gets the same duration: so a pipeline's requests share their batch's
// time, which is what they waited. Nothing runs without --metrics (the connection then has no
// LatencyTable), and with it no syscall is added: steady_clock is a vDSO read.
//
// Which command a request was is not reported by the Session, so CommandScanner walks the
// bytes a call consumed: the first word of each ASCII or meta command line (skipping the data
// block of a storage command) or the opcode of each binary header. That is a memchr per
// request line, far cheaper than the parse itself. Input the Session rejects in odd ways
// (a data block of the wrong length) may be classed "other".
//
// Thread safety: a CommandLatency has one writer, its worker's thread (Counter: relaxed loads
// and stores, no locked instruction); any thread may read it. A CommandScanner belongs to one
// connection. LatencyTable::Sum may run on any thread.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "mnemo/protocol/request.h"
#include "mnemo/session.h"

namespace mnemo::server {

enum class CommandKind : std::uint8_t {
  kGet,         // get, gets; binary get/getq/getk/getkq
  kSet,         // set, add, replace, append, prepend, cas; binary set..prepend and quiet forms
  kDelete,      // delete
  kIncrDecr,    // incr, decr
  kTouch,       // touch, gat, gats; binary touch/gat
  kMetaGet,     // mg
  kMetaSet,     // ms
  kMetaDelete,  // md
  kMetaArith,   // ma
  kOther,       // everything else: stats, version, mn, flush_all, unknown commands...
};
inline constexpr std::size_t kCommandKinds = 10;

// The `command` label of a kind: "get", "set", "delete", "incr_decr", "touch", "mg", "ms",
// "md", "ma", "other".
std::string_view CommandLabel(CommandKind kind);

// Requests per kind in one batch.
using CommandMix = std::array<std::uint32_t, kCommandKinds>;

// Classifies the requests in the bytes a Session consumed, call after call. It remembers the
// part of a data block still to come, since the Session may swallow an oversize value across
// several calls.
class CommandScanner {
 public:
  // Adds the requests that `consumed` holds to `mix`. `protocol` is the session's.
  void Scan(Protocol protocol, std::string_view consumed, CommandMix& mix);

 private:
  void ScanText(std::string_view consumed, CommandMix& mix);
  void ScanBinary(std::string_view consumed, CommandMix& mix);
  // Passes over what is left of a data block at the front of `consumed`; false if none is.
  bool SkipData(std::string_view& consumed);

  std::uint64_t skip_ = 0;  // bytes of a value (and its CRLF) still to pass over
};

// The upper bounds of the finite buckets, in nanoseconds, and as the `le` label writes them.
inline constexpr std::size_t kLatencyBuckets = 16;
inline constexpr std::array<std::uint64_t, kLatencyBuckets> kLatencyBoundsNs = {
    10'000,      25'000,      50'000,      100'000,      250'000,    500'000,
    1'000'000,   2'500'000,   5'000'000,   10'000'000,   25'000'000, 50'000'000,
    100'000'000, 250'000'000, 500'000'000, 1'000'000'000};
inline constexpr std::array<std::string_view, kLatencyBuckets> kLatencyBoundLabels = {
    "0.00001", "0.000025", "0.00005", "0.0001", "0.00025", "0.0005", "0.001", "0.0025",
    "0.005",   "0.01",     "0.025",   "0.05",   "0.1",     "0.25",   "0.5",   "1"};

// A histogram's numbers at one moment: per-bucket (not cumulative) counts, the last one for
// durations above every bound, and the sum of the durations.
struct LatencyCounts {
  std::array<std::uint64_t, kLatencyBuckets + 1> buckets{};
  std::uint64_t sum_ns = 0;
};
using LatencySnapshot = std::array<LatencyCounts, kCommandKinds>;

// One worker's histograms.
class CommandLatency {
 public:
  // Counts every request of `mix` as having taken `elapsed`. Worker thread only.
  void Record(const CommandMix& mix, std::chrono::nanoseconds elapsed);
  // Adds this worker's numbers to `total`.
  void AddTo(LatencySnapshot& total) const;

 private:
  struct Histogram {
    std::array<Counter, kLatencyBuckets + 1> buckets;
    Counter sum_ns;
  };
  std::array<Histogram, kCommandKinds> histograms_;
};

// The histograms of every worker, summed only when scraped.
class LatencyTable {
 public:
  explicit LatencyTable(int workers)
      : workers_(static_cast<std::size_t>(workers)),
        latency_(std::make_unique<CommandLatency[]>(workers_)) {}

  CommandLatency& at(int worker) { return latency_[static_cast<std::size_t>(worker)]; }
  LatencySnapshot Sum() const;

 private:
  std::size_t workers_;
  std::unique_ptr<CommandLatency[]> latency_;
};

}  // namespace mnemo::server
