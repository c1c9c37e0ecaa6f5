// Configuration of a mnemo client: which servers, how keys are spread over them (distribution and
// key hash, each matching libmemcached or twemproxy key for key), which protocol to speak, the
// timeouts and the auto-eject policy. The names accepted by the *FromName() functions are the
// ones libmemcached and twemproxy use, so configurations can be copied across.
// Thread safety: plain value types and pure functions.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mnemo/protocol/request.h"
#include "mnemo/result.h"

namespace mnemo::client {

// Key hashes, with the quirks of libhashkit and twemproxy (bytes read as signed char where the
// originals do, fnv1a_64 in 32-bit arithmetic, crc32 folded to 15 bits).
enum class Hash : std::uint8_t {
  kOneAtATime,  // libmemcached's default ("default" or "one_at_a_time")
  kMd5,
  kCrc32,
  kFnv1_32,
  kFnv1a_32,
  kFnv1_64,
  kFnv1a_64,
  kMurmur,
  kJenkins,
};

enum class Distribution : std::uint8_t {
  kModula,          // hash % live servers: libmemcached's default
  // libmemcached KETAMA: 100 points per server, hashed with the key hash; like libmemcached it
  // turns weighted as soon as a server has a weight other than 1.
  kKetama,
  kKetamaWeighted,  // libmemcached KETAMA_WEIGHTED = twemproxy ketama: 160 x weight share, md5
};

// One memcached server as written in a server list.
struct ServerSpec {
  std::string host;  // as written (never resolved for hashing); a unix socket path when is_unix
  std::uint16_t port = 11211;
  std::uint32_t weight = 1;
  std::string name;  // twemproxy-style name ("host:port:weight name"); hashed instead of host
  bool is_unix = false;

  // How error messages name the server: "host:port" or the socket path.
  std::string Label() const;
};

// TLS to servers started with memcached's -Z. The server's certificate is always checked: it
// must chain to `ca_file` (empty: the system's CAs) and name the host the spec gives (a DNS
// name, or an IP address literal). `cert_file`/`key_file` are sent when the server asks
// (ssl_verify_mode >= 1); `key_file` empty: the key is in `cert_file`.
struct TlsOptions {
  bool enabled = false;
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
};

struct Options {
  std::vector<ServerSpec> servers;
  TlsOptions tls;
  Protocol protocol = Protocol::kAscii;
  Distribution distribution = Distribution::kModula;
  // The key hash. Unset: what libmemcached uses for the distribution, one_at_a_time, except md5
  // for kKetamaWeighted (KETAMA_WEIGHTED switches the hash to md5; twemproxy users set md5 or
  // their own `hash:` explicitly). Client::Create fills it in.
  std::optional<Hash> hash;
  std::chrono::milliseconds connect_timeout{1000};
  // The longest wait for the server to accept or send bytes, per wait, not per operation.
  std::chrono::milliseconds io_timeout{2000};
  // Auto-eject: after this many consecutive failures (connect or I/O errors, timeouts) a server
  // leaves the distribution for retry_interval, and its keys go to the others. 0 = never eject.
  std::uint32_t failure_limit = 0;
  std::chrono::milliseconds retry_interval{2000};
  // Idle connections kept per server; more are opened when threads need them concurrently.
  std::size_t pool_size = 4;
};

// "host", "host:port", "host:port:weight", "host:port:weight name", "[v6addr]:port",
// "/unix/path" or "/unix/path:weight".
Result<ServerSpec> ParseServer(std::string_view text);
// A comma-separated list of the above (MEMCACHED_SERVERS, --servers). Empty entries are errors.
Result<std::vector<ServerSpec>> ParseServerList(std::string_view text);

// Names as libmemcached/twemproxy spell them ("one_at_a_time" or "default", "md5", "crc" or
// "crc32", "fnv1_32", "fnv1a_32", "fnv1_64", "fnv1a_64", "murmur", "jenkins").
Result<Hash> HashFromName(std::string_view name);
std::string_view HashName(Hash hash);
// "modula", "ketama", "ketama_weighted" ("consistent" = ketama).
Result<Distribution> DistributionFromName(std::string_view name);
std::string_view DistributionName(Distribution distribution);
// "ascii", "meta", "binary".
Result<Protocol> ProtocolFromName(std::string_view name);

}  // namespace mnemo::client
