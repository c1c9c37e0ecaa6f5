// The command-line flag table, in the order of memcached's own help. Each row gives getopt_long
// its short and long names, --help its line, and the parser the function that stores the value.
// Range checks that memcached makes while reading a flag are made here with its wording; the
// ones it makes after reading them all are in validate.cc.

#include <algorithm>
#include <string>

#include "server/config_tables.h"
#include "server/value_parse.h"

namespace mnemo::server {
namespace {

constexpr int kEngineId = 256;
constexpr int kSnapshotId = 257;
constexpr int kStateDirId = 258;
constexpr int kDurabilityId = 259;
constexpr int kCacheMbId = 260;
constexpr int kMetricsId = 270;

template <auto kField, bool kValue>
Result<void> SetFlag(ParseState& state, OptionValue /*value*/) {
  state.config.*kField = kValue;
  return {};
}

template <auto kField>
Result<void> SetText(ParseState& state, OptionValue value) {
  state.config.*kField = std::string(*value);
  return {};
}

// A whole number > 0, or memcached's message (which it also gives for non-numbers).
Result<void> Positive(OptionValue value, int& out, std::string_view message) {
  std::optional<std::int64_t> number = ParseInt(*value);
  if (!number || *number <= 0 || *number > INT32_MAX) return Error{std::string(message)};
  out = static_cast<int>(*number);
  return {};
}

Result<void> Port(OptionValue value, int& out, int lowest) {
  std::optional<std::int64_t> number = ParseInt(*value);
  if (!number) return Error{"Invalid port number: \"" + std::string(*value) + "\""};
  if (*number < lowest || *number > 65535) {
    return Error{"ERROR: Invalid port number " + std::to_string(*number) + "."};
  }
  out = static_cast<int>(*number);
  return {};
}

Result<void> ApplyPort(ParseState& state, OptionValue value) {
  state.port_given = true;
  return Port(value, state.config.port, -1);
}

Result<void> ApplyUdpPort(ParseState& state, OptionValue value) {
  return Port(value, state.config.udp_port, 0);
}

Result<void> ApplyUnixMask(ParseState& state, OptionValue value) {
  std::optional<std::uint32_t> mask = ParseOctal(*value);
  if (!mask || *mask > 0777) return BadFlagValue("-a", *value, "an octal mode such as 700");
  state.config.unix_mask = static_cast<int>(*mask);
  return {};
}

Result<void> ApplyListen(ParseState& state, OptionValue value) {
  Result<std::vector<ListenAddress>> addresses = ParseListen(*value);
  if (!addresses) return addresses.error();
  ServerConfig& config = state.config;
  if (!state.listen_given) {
    config.listen.clear();
    config.listen_text.clear();
    state.listen_given = true;
  }
  // memcached ignores an -l it already has (it looks for the text in its list; comparing
  // addresses avoids its false match of 127.0.0.1 inside 127.0.0.10).
  bool added = false;
  for (const ListenAddress& address : *addresses) {
    if (std::find(config.listen.begin(), config.listen.end(), address) != config.listen.end()) {
      continue;
    }
    config.listen.push_back(address);
    added = true;
  }
  if (added) config.listen_text += (config.listen_text.empty() ? "" : ",") + std::string(*value);
  return {};
}

Result<void> ApplyMemoryLimit(ParseState& state, OptionValue value) {
  std::optional<std::uint64_t> megabytes = ParseUint(*value);
  if (!megabytes || *megabytes > (UINT64_MAX >> 20)) {
    return BadFlagValue("-m", *value, "a whole number of megabytes");
  }
  state.config.max_bytes = *megabytes << 20;
  return {};
}

Result<void> ApplyVerbose(ParseState& state, OptionValue value) {
  if (!value) {
    ++state.config.verbosity;
    return {};
  }
  std::optional<std::int64_t> level = ParseInt(*value);  // --verbose=N: a Mnemo extension
  if (!level || *level < 0 || *level > 3) return BadFlagValue("--verbose", *value, "0 to 3");
  state.config.verbosity = static_cast<int>(*level);
  return {};
}

Result<void> ApplyThreads(ParseState& state, OptionValue value) {
  Result<void> ok =
      Positive(value, state.config.threads, "Number of threads must be greater than 0");
  if (ok && state.config.threads > 64) {
    state.warnings.push_back(
        "WARNING: Setting a high number of workerthreads is not recommended.\n"
        " Set this value to the number of cores in your machine or less.");
  }
  return ok;
}

Result<void> ApplyFactor(ParseState& state, OptionValue value) {
  std::optional<double> factor = ParseDouble(*value);
  if (!factor || *factor <= 1.0) return Error{"Factor must be greater than 1"};
  state.config.slab.growth_factor = *factor;
  return {};
}

Result<void> ApplyDelimiter(ParseState& state, OptionValue value) {
  if (value->empty()) return Error{"No delimiter specified"};
  if (value->size() != 1) return BadFlagValue("-D", *value, "a single character");
  state.config.stat_key_delimiter = value->front();
  state.config.detail_enabled = true;
  return {};
}

Result<void> ApplyBacklog(ParseState& state, OptionValue value) {
  std::optional<std::int64_t> backlog = ParseInt(*value);
  if (!backlog || *backlog < 0 || *backlog > INT32_MAX) {
    return BadFlagValue("-b", *value, "a queue length, 0 or more");
  }
  state.config.backlog = static_cast<int>(*backlog);
  return {};
}

Result<void> ApplyProtocol(ParseState& state, OptionValue value) {
  if (*value == "auto") {
    state.config.protocol = ProtocolMode::kAuto;
  } else if (*value == "binary") {
    state.config.protocol = ProtocolMode::kBinary;
  } else if (*value == "ascii") {
    state.config.protocol = ProtocolMode::kAscii;
  } else {
    return Error{"Invalid value for binding protocol: " + std::string(*value) +
                 "\n -- should be one of auto, binary, or ascii"};
  }
  state.protocol_given = true;
  return {};
}

Result<void> ApplyItemSize(ParseState& state, OptionValue value) {
  std::optional<std::uint64_t> size = ParseSize(*value, "kKmM");
  if (!size) return BadFlagValue("-I", *value, "bytes, or a size with a k or m suffix (1k..1024m)");
  state.config.item_size_max = *size;  // its range is checked once -m is known
  return {};
}

Result<void> ApplyEngine(ParseState& state, OptionValue value) {
  EngineSpec& engine = state.config.engine;
  constexpr std::string_view kProxyForms =
      "proxy:<host>:<port>[,<host>:<port>...] or proxy:domain=<name>@<host>:<port>[,...]";
  std::string_view text = *value;
  if (text == "memory") {
    engine = {EngineKind::kMemory, ""};
  } else if (text.starts_with("sqlite:") && text.size() > 7) {
    engine = {EngineKind::kSqlite, std::string(text.substr(7))};
  } else if (text.starts_with("proxy:") && text.size() > 6) {
    engine = {EngineKind::kProxy, std::string(text.substr(6))};
    // The server list reads like -l, but every server needs a port and TLS prefixes do not apply.
    // Options after ';' (distribution, hash, ...) and a domain's name are checked when the
    // proxy engine is created; a domain's seeds are a server list as well.
    std::string_view list = std::string_view(engine.target).substr(0, engine.target.find(';'));
    bool ok = true;
    if (list.starts_with("domain=")) {
      const std::size_t at = list.find('@');
      ok = at != std::string_view::npos;
      list = ok ? list.substr(at + 1) : std::string_view();
    }
    Result<std::vector<ListenAddress>> servers = ParseListen(list);
    ok = ok && servers.ok();
    for (std::size_t i = 0; ok && i < servers->size(); ++i) {
      const ListenAddress& server = (*servers)[i];
      ok = server.port && *server.port != 0 && server.tls == ListenTls::kDefault;
    }
    if (!ok) return BadFlagValue("--engine", text, kProxyForms);
  } else {
    return BadFlagValue("--engine", text, "memory, sqlite:<file> or proxy:<host>:<port>[,...]");
  }
  return {};
}

Result<void> ApplyDurability(ParseState& state, OptionValue value) {
  if (*value == "normal") {
    state.config.durability = DurabilityMode::kNormal;
  } else if (*value == "full") {
    state.config.durability = DurabilityMode::kFull;
  } else if (*value == "off") {
    state.config.durability = DurabilityMode::kOff;
  } else {
    return BadFlagValue("--durability", *value, "normal, full or off");
  }
  return {};
}

Result<void> ApplyCacheMb(ParseState& state, OptionValue value) {
  std::optional<std::uint64_t> megabytes = ParseUint(*value);
  if (!megabytes || *megabytes > (UINT64_MAX >> 20)) {
    return BadFlagValue("--cache-mb", *value, "a whole number of megabytes");
  }
  state.config.cache_mb = *megabytes;
  return {};
}

// --metrics ADDR:PORT: one address, and the port is required (there is no customary one).
Result<void> ApplyMetrics(ParseState& state, OptionValue value) {
  Result<std::vector<ListenAddress>> addresses = ParseListen(*value);
  if (!addresses) return addresses.error();
  if (addresses->size() != 1 || !addresses->front().port) {
    return BadFlagValue("--metrics", *value, "one address with a port, such as 127.0.0.1:9150");
  }
  state.config.metrics = addresses->front();
  return {};
}

template <auto kField>
Result<void> SetPath(ParseState& state, OptionValue value) {
  if (value->empty()) return Error{"Missing value: an empty file name"};
  state.config.*kField = std::string(*value);
  return {};
}

Result<void> Print(ParseState& state, std::string text) {
  state.print_and_exit = std::move(text);
  return {};
}

using C = ServerConfig;
using A = ArgKind;

const FlagOption kFlags[] = {
    {'p', "port", A::kRequired, "<num>", "TCP port (default: 11211; 0: no TCP, -1: any free port)",
     ApplyPort},
    {'U', "udp-port", A::kRequired, "<num>", "UDP port (default: 0, no UDP)", ApplyUdpPort},
    {'s', "unix-socket", A::kRequired, "<file>",
     "listen on this unix-domain socket instead of TCP and UDP", SetPath<&C::unix_socket>},
    {'a', "unix-mask", A::kRequired, "<mask>",
     "permissions of the unix socket, octal (default: 700)", ApplyUnixMask},
    {'A', "enable-shutdown", A::kNone, "", "accept the ascii \"shutdown\" command",
     SetFlag<&C::shutdown_enabled, true>},
    {'l', "listen", A::kRequired, "<addr>",
     "addresses to listen on: host, host:port or [v6]:port, comma-separated;\n"
     "may be repeated (default: 127.0.0.1 only, where memcached listens on\n"
     "every interface). With -Z, a notls: prefix keeps one listener in\n"
     "plain text",
     ApplyListen},
    {'d', "daemon", A::kNone, "", "detach and run in the background", SetFlag<&C::daemonize, true>},
    {'r', "enable-coredumps", A::kNone, "", "raise the core file size limit to its maximum",
     SetFlag<&C::enable_coredumps, true>},
    {'u', "user", A::kRequired, "<user>", "switch to this user (needed when started as root)",
     SetText<&C::user>},
    {'m', "memory-limit", A::kRequired, "<num>", "megabytes of memory for items (default: 64)",
     ApplyMemoryLimit},
    {'M', "disable-evictions", A::kNone, "", "answer an out-of-memory error instead of evicting",
     SetFlag<&C::evictions, false>},
    {'c', "conn-limit", A::kRequired, "<num>", "connections open at once, at most (default: 1024)",
     [](ParseState& s, OptionValue v) {
       return Positive(v, s.config.max_connections, "Maximum connections must be greater than 0");
     }},
    {'k', "lock-memory", A::kNone, "", "lock all of the process's memory in RAM",
     SetFlag<&C::lock_memory, true>},
    {'v', "verbose", A::kOptional, "",
     "log errors and warnings; -vv adds each command and reply,\n"
     "-vvv adds internal state changes (--verbose=N sets level N)",
     ApplyVerbose},
    {'h', "help", A::kNone, "", "print this text and exit",
     [](ParseState& s, OptionValue) { return Print(s, HelpText()); }},
    {'i', "license", A::kNone, "", "print the licence and exit",
     [](ParseState& s, OptionValue) { return Print(s, LicenseText()); }},
    {'V', "version", A::kNone, "", "print the version and exit",
     [](ParseState& s, OptionValue) { return Print(s, VersionText() + "\n"); }},
    {'P', "pidfile", A::kRequired, "<file>", "write the process id to <file> (with -d)",
     SetPath<&C::pid_file>},
    {'f', "slab-growth-factor", A::kRequired, "<num>",
     "size ratio of successive slab classes (default: 1.25)", ApplyFactor},
    {'n', "slab-min-size", A::kRequired, "<bytes>",
     "smallest chunk, for key, value and flags (default: 48)",
     [](ParseState& s, OptionValue v) {
       return Positive(v, s.config.slab.min_chunk, "Chunk size must be greater than 0");
     }},
    {'L', "enable-largepages", A::kNone, "", "put item memory in large pages where the system can",
     SetFlag<&C::large_pages, true>},
    {'D', nullptr, A::kRequired, "<char>",
     "the character that ends a key's prefix in per-prefix statistics\n"
     "(default: ':'); giving it also turns those statistics on",
     ApplyDelimiter},
    {'t', "threads", A::kRequired, "<num>", "worker threads (default: one per core; memcached: 4)",
     ApplyThreads},
    {'R', "max-reqs-per-event", A::kRequired, "<num>",
     "requests one connection may run before others get a turn\n(default: 20)",
     [](ParseState& s, OptionValue v) {
       return Positive(v, s.config.reqs_per_event,
                       "Number of requests per event must be greater than 0");
     }},
    {'C', "disable-cas", A::kNone, "", "keep no CAS values (every CAS reads 0)",
     SetFlag<&C::cas_enabled, false>},
    {'b', "listen-backlog", A::kRequired, "<num>",
     "connections waiting to be accepted, at most (default: 1024)", ApplyBacklog},
    {'B', "protocol", A::kRequired, "<name>",
     "ascii, binary or auto, by each connection's first byte (default: auto)", ApplyProtocol},
    {'I', "max-item-size", A::kRequired, "<size>",
     "largest item, bytes or with a k or m suffix (default: 1m; 1k to 1024m)", ApplyItemSize},
    {'S', "enable-sasl", A::kNone, "", "require SASL authentication (binary protocol only)",
     SetFlag<&C::sasl, true>},
    {'F', "disable-flush-all", A::kNone, "", "refuse flush_all", SetFlag<&C::flush_enabled, false>},
    {'X', "disable-dumping", A::kNone, "", "refuse stats cachedump and lru_crawler metadump",
     SetFlag<&C::dump_enabled, false>},
    {'W', "disable-watch", A::kNone, "", "refuse watch (live log streams)",
     SetFlag<&C::watch_enabled, false>},
    {'Y', "auth-file", A::kRequired, "<file>",
     "require ascii authentication against the user:password lines of <file>",
     SetPath<&C::auth_file>},
    {'e', "memory-file", A::kRequired, "<file>",
     "warm restart, as --snapshot: save the cache to <file> when stopped\n"
     "(SIGTERM, SIGINT, SIGUSR1, shutdown) and load it at start",
     SetPath<&C::memory_file>},
    {'Z', "enable-ssl", A::kNone, "", "serve TLS (certificates: -o ssl_* below)",
     [](ParseState& s, OptionValue) -> Result<void> {
       s.config.tls.enabled = true;
       return {};
     }},
    {'o', "extended", A::kRequired, "<list>",
     "comma-separated key[=value] settings, below; may be repeated",
     [](ParseState& s, OptionValue v) { return ApplyExtendedList(s, *v); }},
    {'N', "napi-ids", A::kRequired, "<num>",
     "number of NAPI ids, to pick a worker by the receiving queue",
     [](ParseState& s, OptionValue v) {
       return Positive(v, s.config.napi_ids, "Maximum number of NAPI IDs must be greater than 0");
     }},
    {kEngineId, "engine", A::kRequired, "<spec>",
     "where items live: memory, sqlite:<file> or proxy:<host>:<port>[,...]\n"
     "[;distribution=..;hash=..;eject=N;retry_ms=N;...];\n"
     "proxy:domain=<name>@<seeds>[;...] follows a domain's list instead\n"
     "(docs/scale-out.md)\n"
     "(default: memory)",
     ApplyEngine},
    {kSnapshotId, "snapshot", A::kRequired, "<file>",
     "save the cache to <file> when stopped, load it at start", SetPath<&C::snapshot_file>},
    {kStateDirId, "state-dir", A::kRequired, "<dir>",
     "directory for what the server keeps between runs", SetPath<&C::state_dir>},
    {kDurabilityId, "durability", A::kRequired, "<mode>",
     "sqlite engine: acknowledge a write after its commit (normal), after\n"
     "its commit and fsync (full), or before its commit (off)\n"
     "(default: normal)",
     ApplyDurability},
    {kCacheMbId, "cache-mb", A::kRequired, "<num>",
     "sqlite engine: megabytes of hot items kept in memory in front of\n"
     "the file, 0 for none (default: 64)",
     ApplyCacheMb},
    {kMetricsId, "metrics", A::kRequired, "<addr:port>",
     "serve Prometheus metrics (stats) at http://<addr:port>/metrics\n"
     "(default: off; port 0 lets the OS choose)",
     ApplyMetrics},
};

}  // namespace

std::span<const FlagOption> FlagOptions() { return kFlags; }

}  // namespace mnemo::server
