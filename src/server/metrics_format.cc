#include "server/metrics_format.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>

namespace mnemo::server {
namespace {

// `stats` fields that only grow, beyond the patterns in KindOf. Anything not known to be
// monotonic is a gauge: calling a gauge a counter would make rate() invent resets.
constexpr std::array<std::string_view, 27> kCounters = {"total_connections",
                                                        "rejected_connections",
                                                        "listen_disabled_num",
                                                        "time_in_listen_disabled_us",
                                                        "conn_yields",
                                                        "bytes_read",
                                                        "bytes_written",
                                                        "store_too_large",
                                                        "store_no_memory",
                                                        "get_expired",
                                                        "get_flushed",
                                                        "total_items",
                                                        "evictions",
                                                        "reclaimed",
                                                        "expired_unfetched",
                                                        "evicted_unfetched",
                                                        "evicted_active",
                                                        "crawler_reclaimed",
                                                        "crawler_items_checked",
                                                        "lrutail_reflocked",
                                                        "moves_to_cold",
                                                        "moves_to_warm",
                                                        "moves_within_lru",
                                                        "direct_reclaims",
                                                        "lru_bumps_dropped",
                                                        "rusage_user",
                                                        "rusage_system"};

constexpr std::array<std::string_view, 5> kCounterSuffixes = {"_hits", "_misses", "_badval",
                                                              "_cmds", "_errors"};

bool IsNumber(std::string_view text) {
  if (text.empty()) return false;
  double parsed = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  return error == std::errc() && end == text.data() + text.size();
}

// Prometheus names allow [a-zA-Z0-9_:]; memcached's never need more than [a-z0-9_], but a
// detail-stat delimiter (-D) could bring in something else.
std::string MetricName(std::string_view stat_name) {
  std::string name = "mnemo_";
  for (char c : stat_name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    name += ok ? c : '_';
  }
  if (stat_name.starts_with("rusage_")) name += "_seconds";
  return name;
}

// A label value: backslash, double quote and newline escaped as the format requires.
std::string LabelValue(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\' || c == '"') out += '\\';
    out += c == '\n' ? 'n' : c;
  }
  return out;
}

void AppendSample(std::string& out, const StatField& field) {
  const bool counter = KindOf(field.name) == MetricKind::kCounter;
  std::string name = MetricName(field.name);
  if (counter) name += "_total";
  out += "# HELP " + name + " memcached stats field " + field.name + "\n";
  out += "# TYPE " + name + (counter ? " counter\n" : " gauge\n");
  out += name + " " + field.value + "\n";
}

}  // namespace

std::vector<StatField> CollectGeneralStats(Engine& engine, const SessionConfig& config,
                                           SessionHooks& hooks) {
  SessionConfig internal = config;
  internal.protocol = ProtocolMode::kAscii;
  internal.sasl_required = false;
  internal.ascii_auth_required = false;
  internal.max_requests_per_call = 0;
  // This session's own counters are never reported: the hooks sum the workers' instead.
  CommandCounters unused;
  Session session(engine, internal, unused, &hooks);
  std::string reply;
  session.Process("stats\r\n", reply);
  std::vector<StatField> fields;
  std::string_view rest = reply;
  while (rest.starts_with("STAT ")) {
    const std::size_t end = rest.find("\r\n");
    if (end == std::string_view::npos) break;
    std::string_view line = rest.substr(5, end - 5);
    rest.remove_prefix(end + 2);
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos) continue;
    fields.push_back({std::string(line.substr(0, space)), std::string(line.substr(space + 1))});
  }
  return fields;
}

MetricKind KindOf(std::string_view stat_name) {
  if (stat_name.starts_with("cmd_")) return MetricKind::kCounter;
  if (std::find(kCounters.begin(), kCounters.end(), stat_name) != kCounters.end()) {
    return MetricKind::kCounter;
  }
  for (std::string_view suffix : kCounterSuffixes) {
    if (stat_name.ends_with(suffix)) return MetricKind::kCounter;
  }
  return MetricKind::kGauge;
}

std::string RenderExposition(std::span<const StatField> fields) {
  std::string out;
  std::string info_labels;
  for (const StatField& field : fields) {
    if (IsNumber(field.value)) {
      AppendSample(out, field);
      continue;
    }
    if (!info_labels.empty()) info_labels += ",";
    info_labels += MetricName(field.name).substr(6) + "=\"" + LabelValue(field.value) + "\"";
  }
  out += "# HELP mnemo_build_info text fields of stats, as labels\n";
  out += "# TYPE mnemo_build_info gauge\n";
  out += "mnemo_build_info{" + info_labels + "} 1\n";
  return out;
}

std::string RenderLatency(const LatencySnapshot& latency) {
  constexpr std::string_view kName = "mnemo_command_duration_seconds";
  std::string out = "# HELP " + std::string(kName) +
                    " time from the read that completed a request until its reply was ready\n";
  out += "# TYPE " + std::string(kName) + " histogram\n";
  for (std::size_t kind = 0; kind < kCommandKinds; ++kind) {
    const LatencyCounts& counts = latency[kind];
    const std::string label =
        "command=\"" + std::string(CommandLabel(static_cast<CommandKind>(kind))) + "\"";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < counts.buckets.size(); ++i) {
      cumulative += counts.buckets[i];
      const std::string_view le = i < kLatencyBuckets ? kLatencyBoundLabels[i] : "+Inf";
      out += std::string(kName) + "_bucket{" + label + ",le=\"" + std::string(le) + "\"} " +
             std::to_string(cumulative) + "\n";
    }
    char sum[32];
    std::snprintf(sum, sizeof sum, "%.9f", static_cast<double>(counts.sum_ns) / 1e9);
    out += std::string(kName) + "_sum{" + label + "} " + sum + "\n";
    out += std::string(kName) + "_count{" + label + "} " + std::to_string(cumulative) + "\n";
  }
  return out;
}

}  // namespace mnemo::server
