// The configuration of mnemod, the drop-in for the memcached daemon: every command-line flag of
// memcached 1.6.18 (and every `-o` key that build accepts), Mnemo's own --engine, --snapshot and
// --state-dir, the checks memcached makes (with its wording where it has one), the SessionConfig
// each connection gets, and the `stats settings` report in memcached's order and formats.
//
// Defaults are memcached's except two, on purpose: mnemod listens on 127.0.0.1 only (memcached:
// every interface), so that a fresh server is not reachable from other machines; and it starts
// one worker thread per core (memcached: 4).
//
// Values memcached reads with atoi() and silently turns into 0 ("-p abc" would switch TCP off,
// "-m 1g" would mean 1 MB) are rejected here instead; the tables live in flag_options.cc and
// extended_options*.cc, the cross-checks in validate.cc, the report in settings_stats.cc.
//
// Thread safety: ServerConfig is a plain value. ParseCommandLine drives libc's getopt_long, whose
// cursor is process-global: call it from one thread at a time (main() does, before any thread).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mnemo/engine.h"
#include "mnemo/result.h"
#include "mnemo/session.h"

namespace mnemo::server {

inline constexpr std::uint32_t kSlabPageSize = 1024 * 1024;  // memcached's slab page
inline constexpr const char* kCompatibleVersion = "1.6.18";  // what `version` answers
// --cache-mb when not given, for a sqlite database file: without a cache every get of a
// file database goes to a reader thread (docs/BENCHMARKS.md, section 5).
inline constexpr std::uint64_t kDefaultCacheMb = 64;

// How one listener treats TLS once -Z is on: the "notls:" (1.6.18) and "mtls:" (later
// memcached) prefixes of -l.
enum class ListenTls : std::uint8_t { kDefault, kOff, kMutual };

// One address of -l: "host", "host:port", "[v6]:port" or a bare IPv6 address.
struct ListenAddress {
  std::string host;         // without brackets; "" never happens
  std::optional<int> port;  // 0..65535 when the address names one; otherwise -p applies
  ListenTls tls = ListenTls::kDefault;
  bool operator==(const ListenAddress&) const = default;
};

enum class HashAlgorithm : std::uint8_t { kMurmur3, kJenkins, kXxh3 };

// --engine memory | sqlite:PATH | proxy:HOST:PORT[,HOST:PORT...][;NAME=VALUE...]
enum class EngineKind : std::uint8_t { kMemory, kSqlite, kProxy };
struct EngineSpec {
  EngineKind kind = EngineKind::kMemory;
  std::string target;  // the sqlite file, or the proxy's server list as given
};

// --durability, for the sqlite engine: when a write is acknowledged relative to its commit.
enum class DurabilityMode : std::uint8_t { kNormal, kFull, kOff };

// -o slab_*, -f, -n: kept for `stats settings` and for an engine with slab classes.
struct SlabConfig {
  double growth_factor = 1.25;                  // -f
  int min_chunk = 48;                           // -n (chunk_size)
  std::uint32_t chunk_max = kSlabPageSize / 2;  // slab_chunk_max, bytes
  std::vector<std::uint32_t> sizes;             // slab_sizes=96-120-...: explicit classes
  bool reassign = true;                         // slab_reassign
  int automove = 1;                             // 0, 1 or 2
  double automove_ratio = 0.8;
  std::uint32_t automove_window = 30;
};

// -o lru_*, *_lru_pct, *_max_factor, temporary_ttl, tail_repair_time.
struct LruConfig {
  bool crawler = true;
  int crawler_sleep_us = 100;         // 0..1000000
  std::uint32_t crawler_tocrawl = 0;  // 0 = unlimited
  bool maintainer = true;
  bool segmented = true;  // hot/warm/cold; off together with the maintainer
  int hot_pct = 20;
  int warm_pct = 40;
  double hot_max_factor = 0.2;
  double warm_max_factor = 2.0;
  bool temp_lru = false;  // turned on by temporary_ttl
  std::uint32_t temporary_ttl = 61;
  int tail_repair_time = 0;  // seconds; 0 = off, else >= 10
};

// -Z and -o ssl_*; the files are opened by the TLS layer, not here.
struct TlsConfig {
  bool enabled = false;  // -Z
  std::string chain_cert, key, ciphers, ca_cert;
  int verify_mode = 0;                  // as given: 0 none, 1 request, 2 require, 3 once
  int key_format = 1;                   // OpenSSL file type: 1 PEM, 2 ASN1 (DER)
  std::uint32_t wbuf_size = 16 * 1024;  // bytes (the key takes kilobytes)
  bool session_cache = false;
  bool kernel_tls = false;
  int min_version = 2;  // 0..3 = TLS 1.0..1.3
};

// One ext_path=FILE:SIZE.
struct ExtstorePath {
  std::string file;
  std::uint64_t size = 0;  // bytes
  bool operator==(const ExtstorePath&) const = default;
};

// -o ext_*: memcached's external storage. Accepted and reported so that memcached command lines
// and monitoring keep working; an engine that spills to disk reads them from here.
struct ExtstoreConfig {
  std::vector<ExtstorePath> paths;
  std::uint32_t page_size = 64 * 1024 * 1024;  // bytes (the key takes megabytes)
  std::uint32_t wbuf_size = 4 * 1024 * 1024;   // bytes (the key takes megabytes)
  std::uint32_t threads = 1;
  std::uint32_t io_depth = 1;
  std::uint32_t item_size = 512;
  std::uint32_t item_age = UINT32_MAX;  // seconds; "no age limit"
  std::uint32_t low_ttl = 0;
  std::uint32_t recache_rate = 2000;
  std::uint32_t compact_under = 0;  // pages; 0 = a quarter of the first path, as memcached
  std::uint32_t drop_under = 0;
  std::uint32_t max_sleep = 1000000;  // microseconds
  double max_frag = 0.8;
  double automove_freeratio = 0.01;  // slab_automove_freeratio
  bool drop_unread = false;
};

struct ServerConfig {
  // Listeners.
  int port = 11211;         // -p; 0 = no TCP, -1 = any free port
  int udp_port = 0;         // -U; 0 = no UDP
  std::string unix_socket;  // -s; replaces TCP and UDP
  int unix_mask = 0700;     // -a, octal
  // -l; the first -l replaces this default (memcached: every interface).
  std::vector<ListenAddress> listen = {{"127.0.0.1", std::nullopt, ListenTls::kDefault}};
  std::string listen_text = "127.0.0.1";  // -l as given, comma-joined: `stats settings` inter
  int backlog = 1024;                     // -b
  int max_connections = 1024;             // -c
  bool maxconns_fast = true;              // -o maxconns_fast: refuse at once above -c
  std::uint32_t idle_timeout = 0;         // -o idle_timeout, seconds; 0 = never
  std::uint32_t sock_cookie_id = 0;       // -o sock_cookie_id (SO_MARK)
  int napi_ids = 0;                       // -N; 0 = off

  // Process.
  int threads = 4;                // -t; ParseCommandLine starts from the number of cores
  int reqs_per_event = 20;        // -R
  int verbosity = 0;              // -v, -vv, -vvv
  bool daemonize = false;         // -d
  std::string pid_file;           // -P
  std::string user;               // -u
  bool enable_coredumps = false;  // -r
  bool lock_memory = false;       // -k
  bool large_pages = false;       // -L
  bool drop_privileges = true;    // -o (no_)drop_privileges

  // Protocol and commands.
  ProtocolMode protocol = ProtocolMode::kAuto;  // -B
  bool cas_enabled = true;                      // -C turns it off
  bool flush_enabled = true;                    // -F turns it off
  bool dump_enabled = true;                     // -X turns it off
  bool watch_enabled = true;                    // -W turns it off
  bool shutdown_enabled = false;                // -A
  bool sasl = false;                            // -S
  std::string auth_file;                        // -Y: ascii authentication
  std::string sasl_pwdb;  // -o sasl_pwdb (Mnemo's): -S users; else $MEMCACHED_SASL_PWDB
  char stat_key_delimiter = ':';                // -D
  bool detail_enabled = false;                  // on when -D is given
  bool track_sizes = false;                     // -o track_sizes

  // Memory and items.
  std::uint64_t max_bytes = 64ull * 1024 * 1024;  // -m takes megabytes
  bool evictions = true;                          // -M turns it off
  std::uint64_t item_size_max = 1024 * 1024;      // -I
  std::string memory_file;                        // -e
  int hashpower = 0;                              // -o hashpower; 0 = start small and grow
  bool hash_expand = true;                        // -o no_hashexpand
  HashAlgorithm hash_algorithm = HashAlgorithm::kMurmur3;
  SlabConfig slab;
  LruConfig lru;
  std::uint32_t watcher_logbuf_size = 256 * 1024;  // bytes (the key takes kilobytes)
  std::uint32_t worker_logbuf_size = 64 * 1024;    // bytes (the key takes kilobytes)
  std::uint32_t read_buf_mem_limit = 0;            // bytes (the key takes megabytes); 0 = none

  TlsConfig tls;
  ExtstoreConfig ext;

  // Mnemo's own.
  EngineSpec engine;          // --engine
  std::string snapshot_file;  // --snapshot: saved on graceful shutdown, loaded at start
  std::string state_dir;      // --state-dir
  DurabilityMode durability = DurabilityMode::kNormal;  // --durability (sqlite engine)
  // --cache-mb: memory cache in front of the sqlite engine, MiB; unset: kDefaultCacheMb for a
  // database file, none for :memory:.
  std::optional<std::uint64_t> cache_mb;
  std::optional<ListenAddress> metrics;  // --metrics ADDR:PORT: Prometheus over HTTP
};

// The outcome of a successful parse.
struct CommandLine {
  ServerConfig config;
  // Set by -h, -V or -i: print it on stdout and exit with status 0; `config` is then
  // incomplete (parsing stops at that flag, as memcached's does).
  std::optional<std::string> print_and_exit;
  // Non-fatal notes for stderr, in memcached's words (e.g. more than 64 threads).
  std::vector<std::string> warnings;
};

// Parses memcached's command line: short flags with attached or separate values (-p11211,
// -p 11211), bundles (-vv, -dM), long options with = or a separate value and any unambiguous
// prefix (--mem=64 is ambiguous, --memory-l=64 is not), `-o` lists, in any order and repeated.
// argv is not modified. On failure, returns the message main() prints before exiting non-zero.
Result<CommandLine> ParseCommandLine(int argc, char* const* argv);

// `--help`: every flag and `-o` key, generated from the option tables.
std::string HelpText();
// `-V`: "mnemod <version> (memcached 1.6.18 compatible)".
std::string VersionText();

// What each connection's Session needs.
SessionConfig ToSessionConfig(const ServerConfig& config);

// The values `stats settings` reports that change while the server runs (`verbosity`,
// `stats detail on`, `cache_memlimit`, `flush_all`).
struct RuntimeSettings {
  int verbosity = 0;
  bool detail_enabled = false;
  std::uint64_t max_bytes = 0;
  std::uint32_t oldest_live = 0;  // memcached's "oldest": relative time of the last flush_all
};
RuntimeSettings InitialRuntimeSettings(const ServerConfig& config);

// `stats settings`: every field memcached 1.6.18 (built with TLS and extstore) reports, in its
// order and formats. The first form reports the values the server started with.
void EmitSettings(const ServerConfig& config, StatSink sink);
void EmitSettings(const ServerConfig& config, const RuntimeSettings& now, StatSink sink);

}  // namespace mnemo::server
