// mnemo-bench's flags. Sizes and counts accept memcached-style plain integers; the duration is
// in seconds (fractions allowed) so scripts need no unit parsing.
#include "options.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <string>

namespace mnemo::bench {
namespace {

// "9:1" -> 9, 1. Both parts are needed so that 0:1 (set only) and 1:0 (get only) read clearly.
bool ParseRatio(const std::string& text, std::uint32_t& gets, std::uint32_t& sets) {
  const auto colon = text.find(':');
  if (colon == std::string::npos) return false;
  try {
    const unsigned long g = std::stoul(text.substr(0, colon));
    const unsigned long s = std::stoul(text.substr(colon + 1));
    if (g + s == 0 || g > 1'000'000 || s > 1'000'000) return false;
    gets = static_cast<std::uint32_t>(g);
    sets = static_cast<std::uint32_t>(s);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

// "100" or "10-1000" (inclusive).
bool ParseValueRange(const std::string& text, std::uint32_t& min, std::uint32_t& max) {
  try {
    const auto dash = text.find('-');
    const unsigned long lo = std::stoul(text.substr(0, dash));
    const unsigned long hi = dash == std::string::npos ? lo : std::stoul(text.substr(dash + 1));
    if (lo > hi || hi > (1u << 30)) return false;
    min = static_cast<std::uint32_t>(lo);
    max = static_cast<std::uint32_t>(hi);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

// "100:8,1000:2": sizes with weights, as a distribution (each key keeps its size).
bool ParseValueWeights(const std::string& text, BenchOptions& o) {
  o.value_weights.clear();
  std::size_t begin = 0;
  while (begin <= text.size()) {
    const std::size_t comma = std::min(text.find(',', begin), text.size());
    std::uint32_t size = 0;
    std::uint32_t weight = 0;
    if (!ParseRatio(text.substr(begin, comma - begin), size, weight)) return false;
    if (weight == 0 || size > (1u << 30)) return false;
    o.value_weights.push_back({size, weight});
    begin = comma + 1;
  }
  o.value_min = o.value_max = o.value_weights.front().size;
  for (const WeightedSize& w : o.value_weights) {
    o.value_min = std::min(o.value_min, w.size);
    o.value_max = std::max(o.value_max, w.size);
  }
  return true;
}

bool ParseValueSize(const std::string& text, BenchOptions& o) {
  if (text.find(':') != std::string::npos) return ParseValueWeights(text, o);
  o.value_weights.clear();
  return ParseValueRange(text, o.value_min, o.value_max);
}

// Flags parsed from text after CLI11 is done.
struct TextFlags {
  std::string server = "127.0.0.1:11211";
  std::string mode = "load";
  std::string protocol = "ascii";
  std::string distribution = "uniform";
  std::string ratio = "9:1";
  std::string value_size = "100";
};

// Where to connect and how hard: server, mode, protocol, threads, connections, pipeline, length.
void AddRunOptions(CLI::App& app, BenchOptions& o, TextFlags& text) {
  app.add_option("-s,--server", text.server, "HOST:PORT")->capture_default_str();
  app.add_option("--unix", o.unix_socket, "unix socket path (instead of --server)");
  app.add_flag("--tls", o.tls, "TLS over TCP (the server's certificate is not verified)");
  app.add_option("--mode", text.mode, "load | hitratio")
      ->check(CLI::IsMember({"load", "hitratio"}))
      ->option_text("MODE=load");
  app.add_option("--protocol", text.protocol, "ascii | meta | binary | resp (Redis)")
      ->check(CLI::IsMember({"ascii", "meta", "binary", "resp"}))
      ->option_text("PROTOCOL=ascii");
  app.add_option("-t,--threads", o.threads, "load threads")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("-c,--connections", o.connections, "connections in total")
      ->check(CLI::Range(1, 65536))
      ->capture_default_str();
  app.add_option("-d,--depth", o.depth, "requests in flight per connection (pipeline)")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  app.add_option("-n,--requests", o.requests, "requests in total (0: run for --duration)")
      ->capture_default_str();
  app.add_option("-D,--duration", o.duration_s, "seconds, when --requests is 0")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("-r,--rate", o.rate,
                 "open loop: requests/s over all threads, latency from the intended send time")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_flag("--prefill", o.prefill, "load: set every key once before measuring");
  app.add_flag("--strict-order", o.strict_order,
               "hitratio: one get per key in flight (exact in-order replay, slower)");
  app.add_flag("--json", o.json, "print the result as one JSON object");
  app.add_flag("--progress,!--no-progress", o.progress,
               "ops/s on stderr every second (default: when stderr is a terminal)");
}

// What the requests are: commands, keys, their distribution and the values.
void AddWorkloadOptions(CLI::App& app, BenchOptions& o, TextFlags& text) {
  app.add_option("--ratio", text.ratio, "GETS:SETS, e.g. 9:1, 0:1 (set only)")
      ->capture_default_str();
  app.add_option("--multiget", o.multiget, "keys per get request (ascii)")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  app.add_option("-k,--key-count", o.key_count, "distinct keys (ids 1..N)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 36))
      ->capture_default_str();
  app.add_option("--key-prefix", o.key_prefix, "keys are PREFIX + zero-padded id")
      ->capture_default_str();
  app.add_option("--distribution", text.distribution, "uniform | zipf | sequential")
      ->check(CLI::IsMember({"uniform", "zipf", "sequential"}))
      ->option_text("NAME=uniform");
  app.add_option("--zipf-exponent", o.zipf_exponent, "Zipf exponent s: P(rank k) ~ 1/k^s")
      ->check(CLI::Range(0.0, 10.0))
      ->capture_default_str();
  app.add_option("--value-size", text.value_size,
                 "bytes: fixed (100), a range (10-1000) or weighted sizes (100:9,4096:1)")
      ->capture_default_str();
  app.add_option("--one-hit-fraction", o.one_hit_fraction,
                 "hitratio: fraction of requests for keys seen only once")
      ->check(CLI::Range(0.0, 0.99))
      ->capture_default_str();
  app.add_option("--one-hit-run", o.one_hit_run,
                 "hitratio: one-hit keys come in runs of this many (a scan)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 32))
      ->capture_default_str();
  app.add_option("--seed", o.seed, "random seed (streams are reproducible)")->capture_default_str();
}

Protocol ProtocolNamed(const std::string& name) {
  if (name == "meta") return Protocol::kMeta;
  if (name == "resp") return Protocol::kResp;
  return name == "binary" ? Protocol::kBinary : Protocol::kAscii;
}

// Combinations that would silently measure something else than asked.
void CheckCombinations(const BenchOptions& o) {
  if (o.multiget > 1 && o.protocol != Protocol::kAscii) {
    throw CLI::ValidationError("--multiget", "needs --protocol ascii");
  }
  if (o.rate > 0 && o.mode != Mode::kLoad) {
    throw CLI::ValidationError("--rate", "applies to --mode load only");
  }
  if (o.rate > 0 && o.depth > 1) {
    throw CLI::ValidationError("--rate",
                               "the open loop sends at the rate; --depth is for the "
                               "closed loop");
  }
  if (o.tls && !o.unix_socket.empty()) {
    throw CLI::ValidationError("--tls", "works over TCP only, not with --unix");
  }
}

// The checks CLI11 cannot make alone; throws CLI::ValidationError.
void Finish(const TextFlags& text, BenchOptions& o) {
  o.mode = text.mode == "hitratio" ? Mode::kHitRatio : Mode::kLoad;
  o.protocol = ProtocolNamed(text.protocol);
  o.distribution = text.distribution == "zipf"         ? Distribution::kZipf
                   : text.distribution == "sequential" ? Distribution::kSequential
                                                       : Distribution::kUniform;
  if (!ParseRatio(text.ratio, o.get_ratio, o.set_ratio)) {
    throw CLI::ValidationError("--ratio", "expected GETS:SETS, e.g. 9:1");
  }
  if (!ParseValueSize(text.value_size, o)) {
    throw CLI::ValidationError("--value-size", "expected BYTES, MIN-MAX or SIZE:WEIGHT,...");
  }
  const auto colon = text.server.rfind(':');
  if (colon == std::string::npos) throw CLI::ValidationError("--server", "expected HOST:PORT");
  o.host = text.server.substr(0, colon);
  try {
    o.port = std::stoi(text.server.substr(colon + 1));
  } catch (const std::exception&) {
    o.port = -1;
  }
  if (o.port < 0 || o.port > 65535) throw CLI::ValidationError("--server", "bad port");
  CheckCombinations(o);
  if (o.threads > o.connections) o.threads = o.connections;
}

}  // namespace

std::optional<int> ParseOptions(int argc, char** argv, BenchOptions& o) {
  CLI::App app{
      "mnemo-bench: a load generator for memcached-compatible servers.\n"
      "  --mode load      gets and sets from many connections; ops/s, hits, latency\n"
      "                   (closed loop; open loop at a fixed request rate with --rate)\n"
      "  --mode hitratio  one key stream in order, get then set on a miss; the hit ratio"};
  TextFlags text;
  o.progress = isatty(STDERR_FILENO) != 0;
  AddRunOptions(app, o, text);
  AddWorkloadOptions(app, o, text);
  try {
    app.parse(argc, argv);
    Finish(text, o);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mnemo-bench: %s\n", e.what());
    return 2;
  }
  return std::nullopt;
}

}  // namespace mnemo::bench
