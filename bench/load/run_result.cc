// Text and JSON rendering of a run. Latencies are printed in microseconds.
#include "run_result.h"

namespace mnemo::bench {
namespace {

const char* ModeName(Mode mode) { return mode == Mode::kLoad ? "load" : "hitratio"; }
const char* ProtocolName(Protocol p) {
  switch (p) {
    case Protocol::kAscii:
      return "ascii";
    case Protocol::kMeta:
      return "meta";
    case Protocol::kBinary:
      return "binary";
    case Protocol::kResp:
      return "resp";
  }
  return "?";
}

double Micros(std::uint64_t nanos) { return static_cast<double>(nanos) / 1000.0; }

struct Quantile {
  const char* name;
  double q;
};
constexpr Quantile kQuantiles[] = {{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"p99.9", 0.999}};
// The latency distribution in the JSON output, dense in the tail, for percentile plots.
constexpr double kCurve[] = {0,     0.1,   0.25,   0.5,    0.75,    0.9,     0.95, 0.99,
                             0.995, 0.999, 0.9995, 0.9999, 0.99995, 0.99999, 1.0};

void PrintJson(const BenchOptions& o, const RunResult& r, double ops, double late, std::FILE* out) {
  std::fprintf(out,
               "{\"mode\":\"%s\",\"protocol\":\"%s\",\"loop\":\"%s\",\"rate\":%.1f,\"tls\":%s,"
               "\"threads\":%d,\"connections\":%d,\"depth\":%d,\"requests\":%llu,\"seconds\":%.3f,"
               "\"ops_per_sec\":%.1f,\"gets\":%llu,\"get_keys\":%llu,\"hits\":%llu,"
               "\"hit_ratio\":%.6f,\"late_hit_ratio\":%.6f,\"sets\":%llu,\"errors\":%llu,"
               "\"latency_us\":{",
               ModeName(o.mode), ProtocolName(o.protocol), o.rate > 0 ? "open" : "closed", o.rate,
               o.tls ? "true" : "false", o.threads, o.connections, o.depth,
               static_cast<unsigned long long>(r.requests), r.seconds, ops,
               static_cast<unsigned long long>(r.gets), static_cast<unsigned long long>(r.get_keys),
               static_cast<unsigned long long>(r.hits), r.hit_ratio(), late,
               static_cast<unsigned long long>(r.sets), static_cast<unsigned long long>(r.errors));
  for (const Quantile& q : kQuantiles) {
    std::fprintf(out, "\"%s\":%.1f,", q.name, Micros(r.latency.ValueAt(q.q)));
  }
  std::fprintf(out, "\"max\":%.1f,\"mean\":%.1f},\"latency_curve_us\":[", Micros(r.latency.max()),
               r.latency.mean() / 1000.0);
  const char* separator = "";
  for (const double q : kCurve) {
    std::fprintf(out, "%s[%g,%.1f]", separator, q, Micros(r.latency.ValueAt(q)));
    separator = ",";
  }
  std::fprintf(out, "],\"send_lag_us\":{\"p99\":%.1f,\"max\":%.1f}}\n",
               Micros(r.send_lag.ValueAt(0.99)), Micros(r.send_lag.max()));
}

}  // namespace

void RunResult::Merge(const RunResult& other) {
  requests += other.requests;
  gets += other.gets;
  get_keys += other.get_keys;
  hits += other.hits;
  sets += other.sets;
  errors += other.errors;
  late_get_keys += other.late_get_keys;
  late_hits += other.late_hits;
  latency.Merge(other.latency);
  send_lag.Merge(other.send_lag);
}

void PrintResult(const BenchOptions& o, const RunResult& r, std::FILE* out) {
  const double ops = r.seconds > 0 ? static_cast<double>(r.requests) / r.seconds : 0;
  const double late = r.late_get_keys == 0
                          ? 0.0
                          : static_cast<double>(r.late_hits) / static_cast<double>(r.late_get_keys);
  if (o.json) {
    PrintJson(o, r, ops, late, out);
    return;
  }
  std::fprintf(out, "mode %s, protocol %s%s, %d thread(s), %d connection(s), depth %d\n",
               ModeName(o.mode), ProtocolName(o.protocol), o.tls ? " over TLS" : "", o.threads,
               o.connections, o.depth);
  if (o.rate > 0) {
    std::fprintf(out, "open loop     %.0f requests/s intended; latency from intended send\n",
                 o.rate);
  }
  std::fprintf(out, "requests      %llu in %.2f s\n", static_cast<unsigned long long>(r.requests),
               r.seconds);
  std::fprintf(out, "ops/s         %.0f\n", ops);
  std::fprintf(out, "gets          %llu (%llu keys), hits %llu, hit ratio %.4f\n",
               static_cast<unsigned long long>(r.gets), static_cast<unsigned long long>(r.get_keys),
               static_cast<unsigned long long>(r.hits), r.hit_ratio());
  if (o.mode == Mode::kHitRatio) std::fprintf(out, "second half   hit ratio %.4f\n", late);
  std::fprintf(out, "sets          %llu\n", static_cast<unsigned long long>(r.sets));
  std::fprintf(out, "errors        %llu\n", static_cast<unsigned long long>(r.errors));
  std::fprintf(out, "latency (us) ");
  for (const Quantile& q : kQuantiles) {
    std::fprintf(out, " %s %.1f", q.name, Micros(r.latency.ValueAt(q.q)));
  }
  std::fprintf(out, " max %.1f mean %.1f\n", Micros(r.latency.max()), r.latency.mean() / 1000.0);
  if (o.rate > 0) {
    std::fprintf(out, "send lag (us)  p99 %.1f max %.1f (client behind its schedule)\n",
                 Micros(r.send_lag.ValueAt(0.99)), Micros(r.send_lag.max()));
  }
}

}  // namespace mnemo::bench
