// The Prometheus side of `--metrics`: what a scrape reports and how it is written. A scrape
// asks a private Session for plain `stats`, so the metrics are exactly the fields a memcached
// client sees (server, command counters summed over the workers, and the engine's), never a
// second copy of the bookkeeping that could drift from it. Each numeric field becomes
// `mnemo_<name>`: monotonic ones as counters with the `_total` suffix, the others as gauges.
// Text fields (version, libevent) go into one `mnemo_build_info` gauge as labels.
//
// Thread safety: CollectGeneralStats may run on any thread while the workers serve (the
// engine and the hooks are built for that); RenderExposition is a pure function.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mnemo/engine.h"
#include "mnemo/session.h"
#include "server/command_latency.h"

namespace mnemo::server {

struct StatField {
  std::string name;
  std::string value;
};

// The fields of plain `stats`, in memcached's order. `config` is the servers' session config;
// authentication and a forced binary protocol are lifted for this internal session only.
std::vector<StatField> CollectGeneralStats(Engine& engine, const SessionConfig& config,
                                           SessionHooks& hooks);

enum class MetricKind { kCounter, kGauge };

// How a `stats` field is exposed: counters only ever grow (until `stats reset`).
MetricKind KindOf(std::string_view stat_name);

// The text exposition format 0.0.4: HELP and TYPE lines, then the sample, per field. Fields
// whose value is not a number are gathered into mnemo_build_info's labels.
std::string RenderExposition(std::span<const StatField> fields);

// mnemo_command_duration_seconds, a histogram per command label (command_latency.h): the
// cumulative `_bucket{le=...}` series ending in le="+Inf", then `_sum` (seconds) and `_count`.
std::string RenderLatency(const LatencySnapshot& latency);

}  // namespace mnemo::server
