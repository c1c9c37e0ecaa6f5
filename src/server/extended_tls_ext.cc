// The `-o` keys of memcached 1.6.18 built with TLS (ssl_*) and extstore (ext_*), the build
// Mnemo takes as its reference. They are read and reported by `stats settings`; the TLS layer
// and any engine that spills to disk take them from ServerConfig.

#include <string>

#include "server/config_tables.h"
#include "server/value_parse.h"

namespace mnemo::server {
namespace {

using A = ArgKind;
using S = ParseState;
using V = OptionValue;

Result<void> Double(std::string_view key, V value, double& out) {
  std::optional<double> number = ParseDouble(*value);
  if (!number) return CouldNotParse(key);
  out = *number;
  return {};
}

// A small int in [0, high], else "could not parse" / memcached's "Invalid <key>" line.
Result<void> Choice(std::string_view key, V value, int high, int& out) {
  std::optional<std::int64_t> number = ParseInt(*value);
  if (!number) return CouldNotParse(key);
  if (*number < 0 || *number > high) {
    return Error{"Invalid " + std::string(key) + ". Use help to see valid options."};
  }
  out = static_cast<int>(*number);
  return {};
}

Result<void> ApplyExtPath(S& s, V value) {
  constexpr std::string_view kNeedSize =
      "must supply size to ext_path, ie: ext_path=/f/e:64m (M|G|T|P supported)\n"
      "failed to parse ext_path argument";
  std::string_view text = *value;
  std::size_t colon = text.find(':');
  if (colon == 0 || colon == std::string_view::npos) return Error{std::string(kNeedSize)};
  std::string_view size_text = text.substr(colon + 1);
  std::string_view bucket;
  if (std::size_t second = size_text.find(':'); second != std::string_view::npos) {
    bucket = size_text.substr(second + 1);
    size_text = size_text.substr(0, second);
  }
  std::optional<std::uint64_t> size = ParseSize(size_text, "kKmMgGtTpP");
  if (!size) return Error{std::string(kNeedSize)};
  if (!bucket.empty() && bucket != "default") {
    bool known = bucket == "compact" || bucket == "lowttl" || bucket == "chunked";
    return Error{(known ? std::string("ext_path only presently supports the default bucket")
                        : "Unknown extstore bucket: " + std::string(bucket)) +
                 "\nfailed to parse ext_path argument"};
  }
  s.config.ext.paths.push_back({std::string(text.substr(0, colon)), *size});
  return {};
}

Result<void> ApplyExtPageSize(S& s, V value) {
  if (!s.config.ext.paths.empty()) {
    return Error{"Must specify ext_page_size before any ext_path arguments"};
  }
  return ReadUint32("ext_page_size", value, s.config.ext.page_size, 1024 * 1024);
}

const ExtendedOption kTlsExtstore[] = {
    {"ssl_chain_cert", A::kRequired, "certificate chain, PEM file",
     [](S& s, V v) { return Set(s.config.tls.chain_cert, std::string(*v)); }},
    {"ssl_key", A::kRequired, "private key file, when not in ssl_chain_cert",
     [](S& s, V v) { return Set(s.config.tls.key, std::string(*v)); }},
    {"ssl_verify_mode", A::kRequired,
     "client certificates: 0 ignore, 1 request, 2 require,\n"
     "3 require once per session (default: 0)",
     [](S& s, V v) { return Choice("ssl_verify_mode", v, 3, s.config.tls.verify_mode); }},
    {"ssl_keyformat", A::kRequired, "OpenSSL type of the key file: 1 PEM, 2 DER (default: 1)",
     [](S& s, V v) -> Result<void> {
       std::optional<std::int64_t> format = ParseInt(*v);
       if (!format || *format < INT32_MIN || *format > INT32_MAX) {
         return CouldNotParse("ssl_keyformat");
       }
       return Set(s.config.tls.key_format, *format);
     }},
    {"ssl_ciphers", A::kRequired, "OpenSSL cipher list",
     [](S& s, V v) { return Set(s.config.tls.ciphers, std::string(*v)); }},
    {"ssl_ca_cert", A::kRequired, "PEM file of the CAs that sign client certificates",
     [](S& s, V v) { return Set(s.config.tls.ca_cert, std::string(*v)); }},
    {"ssl_wbuf_size", A::kRequired, "TLS output buffer per connection, kilobytes (default: 16)",
     [](S& s, V v) { return ReadUint32("ssl_wbuf_size", v, s.config.tls.wbuf_size, 1024); }},
    {"ssl_session_cache", A::kNone, "cache sessions so that clients can resume them",
     [](S& s, V) { return Set(s.config.tls.session_cache, true); }},
    {"ssl_kernel_tls", A::kNone, "let the kernel encrypt (kTLS)",
     [](S& s, V) { return Set(s.config.tls.kernel_tls, true); }},
    {"ssl_min_version", A::kRequired,
     "oldest TLS accepted: 0 1.0, 1 1.1, 2 1.2, 3 1.3 (default: 2)",
     [](S& s, V v) { return Choice("ssl_min_version", v, 3, s.config.tls.min_version); }},
    {"ext_path", A::kRequired, "external storage file and size, e.g. /mnt/ssd/cache:64G",
     ApplyExtPath, "missing argument to ext_path, ie: ext_path=/d/file:5G"},
    {"ext_page_size", A::kRequired, "storage page, megabytes, before any ext_path (default: 64)",
     ApplyExtPageSize},
    {"ext_wbuf_size", A::kRequired, "page write buffer, megabytes (default: 4)",
     [](S& s, V v) { return ReadUint32("ext_wbuf_size", v, s.config.ext.wbuf_size, 1024 * 1024); }},
    {"ext_threads", A::kRequired, "I/O threads (default: 1)",
     [](S& s, V v) { return ReadUint32("ext_threads", v, s.config.ext.threads); }},
    {"ext_io_depth", A::kRequired, "I/O requests in flight per thread (default: 1)",
     [](S& s, V v) { return ReadUint32("ext_io_depth", v, s.config.ext.io_depth); }},
    {"ext_item_size", A::kRequired, "store items larger than this many bytes (default: 512)",
     [](S& s, V v) { return ReadUint32("ext_item_size", v, s.config.ext.item_size); }},
    {"ext_item_age", A::kRequired, "store items idle this many seconds (default: any age)",
     [](S& s, V v) { return ReadUint32("ext_item_age", v, s.config.ext.item_age); }},
    {"ext_low_ttl", A::kRequired, "TTLs below this many seconds are kept apart (default: 0)",
     [](S& s, V v) { return ReadUint32("ext_low_ttl", v, s.config.ext.low_ttl); }},
    {"ext_recache_rate", A::kRequired,
     "bring an item back to memory every <value> reads\n(default: 2000)",
     [](S& s, V v) { return ReadUint32("ext_recache_rate", v, s.config.ext.recache_rate); }},
    {"ext_compact_under", A::kRequired, "compact when fewer pages are free (default: a quarter)",
     [](S& s, V v) { return ReadUint32("ext_compact_under", v, s.config.ext.compact_under); }},
    {"ext_drop_under", A::kRequired,
     "drop cold items when fewer pages are free (default: a quarter)",
     [](S& s, V v) { return ReadUint32("ext_drop_under", v, s.config.ext.drop_under); }},
    {"ext_max_sleep", A::kRequired,
     "longest pause of the storage threads, microseconds\n"
     "(default: 1000000)",
     [](S& s, V v) { return ReadUint32("ext_max_sleep", v, s.config.ext.max_sleep); }},
    {"ext_max_frag", A::kRequired, "page fragmentation tolerated (default: 0.80)",
     [](S& s, V v) { return Double("ext_max_frag", v, s.config.ext.max_frag); }},
    {"slab_automove_freeratio", A::kRequired,
     "share of memory kept free as a buffer\n"
     "(default: 0.010)",
     [](S& s, V v) {
       return Double("slab_automove_freeratio", v, s.config.ext.automove_freeratio);
     }},
    {"ext_drop_unread", A::kNone, "drop, not rewrite, unread items when compacting",
     [](S& s, V) { return Set(s.config.ext.drop_unread, true); }},
};

}  // namespace

std::span<const ExtendedOption> TlsExtstoreOptions() { return kTlsExtstore; }

}  // namespace mnemo::server
