// `stats settings`: one row per field, in memcached 1.6.18's order, each formatted as memcached
// prints it (%.2f factors, %o umask, "(null)" and "NULL" where its C strings are unset). The
// option tables cannot give this order: memcached reports -o keys and flags interleaved.

#include <fmt/format.h>

#include <string>

#include "server/config.h"

namespace mnemo::server {
namespace {

using Row = std::string (*)(const ServerConfig& c, const RuntimeSettings& now);

struct SettingRow {
  std::string_view name;
  Row value;
};

std::string YesNo(bool on) { return on ? "yes" : "no"; }
std::string Num(std::int64_t n) { return std::to_string(n); }
std::string Fixed2(double x) { return fmt::format("{:.2f}", x); }
std::string OrNull(const std::string& text, const char* null) { return text.empty() ? null : text; }

std::string Protocol(ProtocolMode mode) {
  switch (mode) {
    case ProtocolMode::kAscii:
      return "ascii";
    case ProtocolMode::kBinary:
      return "binary";
    case ProtocolMode::kAuto:
      break;
  }
  return "auto-negotiate";
}

std::string Hash(HashAlgorithm algorithm) {
  switch (algorithm) {
    case HashAlgorithm::kJenkins:
      return "jenkins";
    case HashAlgorithm::kXxh3:
      return "xxh3";
    case HashAlgorithm::kMurmur3:
      break;
  }
  return "murmur3";
}

// memcached reports the OpenSSL flags it derived, not the number given to ssl_verify_mode:
// PEER = 1, FAIL_IF_NO_PEER_CERT = 2, CLIENT_ONCE = 4.
std::string VerifyFlags(int mode) {
  constexpr int kFlags[] = {0, 1, 1 | 2, 1 | 2 | 4};
  return Num(mode >= 0 && mode <= 3 ? kFlags[mode] : 0);
}

// Several -l addresses make memcached give each UDP socket one thread.
int ThreadsPerUdp(const ServerConfig& c) {
  return c.listen_text.find(',') == std::string::npos ? c.threads : 1;
}

using C = ServerConfig;
using R = RuntimeSettings;

const SettingRow kRows[] = {
    {"maxbytes", [](const C&, const R& r) { return Num(static_cast<std::int64_t>(r.max_bytes)); }},
    {"maxconns", [](const C& c, const R&) { return Num(c.max_connections); }},
    {"tcpport", [](const C& c, const R&) { return Num(c.port); }},
    {"udpport", [](const C& c, const R&) { return Num(c.udp_port); }},
    {"inter", [](const C& c, const R&) { return OrNull(c.listen_text, "NULL"); }},
    {"verbosity", [](const C&, const R& r) { return Num(r.verbosity); }},
    {"oldest", [](const C&, const R& r) { return Num(r.oldest_live); }},
    {"evictions", [](const C& c, const R&) { return std::string(c.evictions ? "on" : "off"); }},
    {"domain_socket", [](const C& c, const R&) { return OrNull(c.unix_socket, "NULL"); }},
    {"umask", [](const C& c, const R&) { return fmt::format("{:o}", c.unix_mask); }},
    {"shutdown_command", [](const C& c, const R&) { return YesNo(c.shutdown_enabled); }},
    {"growth_factor", [](const C& c, const R&) { return Fixed2(c.slab.growth_factor); }},
    {"chunk_size", [](const C& c, const R&) { return Num(c.slab.min_chunk); }},
    {"num_threads", [](const C& c, const R&) { return Num(c.threads); }},
    {"num_threads_per_udp", [](const C& c, const R&) { return Num(ThreadsPerUdp(c)); }},
    {"stat_key_prefix", [](const C& c, const R&) { return std::string(1, c.stat_key_delimiter); }},
    {"detail_enabled", [](const C&, const R& r) { return YesNo(r.detail_enabled); }},
    {"reqs_per_event", [](const C& c, const R&) { return Num(c.reqs_per_event); }},
    {"cas_enabled", [](const C& c, const R&) { return YesNo(c.cas_enabled); }},
    {"tcp_backlog", [](const C& c, const R&) { return Num(c.backlog); }},
    {"binding_protocol", [](const C& c, const R&) { return Protocol(c.protocol); }},
    {"auth_enabled_sasl", [](const C& c, const R&) { return YesNo(c.sasl); }},
    // memcached prints the file itself, or "no".
    {"auth_enabled_ascii",
     [](const C& c, const R&) { return c.auth_file.empty() ? std::string("no") : c.auth_file; }},
    {"item_size_max",
     [](const C& c, const R&) { return Num(static_cast<std::int64_t>(c.item_size_max)); }},
    {"maxconns_fast", [](const C& c, const R&) { return YesNo(c.maxconns_fast); }},
    {"hashpower_init", [](const C& c, const R&) { return Num(c.hashpower); }},
    {"slab_reassign", [](const C& c, const R&) { return YesNo(c.slab.reassign); }},
    {"slab_automove", [](const C& c, const R&) { return Num(c.slab.automove); }},
    {"slab_automove_ratio", [](const C& c, const R&) { return Fixed2(c.slab.automove_ratio); }},
    {"slab_automove_window", [](const C& c, const R&) { return Num(c.slab.automove_window); }},
    {"slab_chunk_max", [](const C& c, const R&) { return Num(c.slab.chunk_max); }},
    {"lru_crawler", [](const C& c, const R&) { return YesNo(c.lru.crawler); }},
    {"lru_crawler_sleep", [](const C& c, const R&) { return Num(c.lru.crawler_sleep_us); }},
    {"lru_crawler_tocrawl", [](const C& c, const R&) { return Num(c.lru.crawler_tocrawl); }},
    {"tail_repair_time", [](const C& c, const R&) { return Num(c.lru.tail_repair_time); }},
    {"flush_enabled", [](const C& c, const R&) { return YesNo(c.flush_enabled); }},
    {"dump_enabled", [](const C& c, const R&) { return YesNo(c.dump_enabled); }},
    {"hash_algorithm", [](const C& c, const R&) { return Hash(c.hash_algorithm); }},
    {"lru_maintainer_thread", [](const C& c, const R&) { return YesNo(c.lru.maintainer); }},
    {"lru_segmented", [](const C& c, const R&) { return YesNo(c.lru.segmented); }},
    {"hot_lru_pct", [](const C& c, const R&) { return Num(c.lru.hot_pct); }},
    {"warm_lru_pct", [](const C& c, const R&) { return Num(c.lru.warm_pct); }},
    {"hot_max_factor", [](const C& c, const R&) { return Fixed2(c.lru.hot_max_factor); }},
    {"warm_max_factor", [](const C& c, const R&) { return Fixed2(c.lru.warm_max_factor); }},
    {"temp_lru", [](const C& c, const R&) { return YesNo(c.lru.temp_lru); }},
    {"temporary_ttl", [](const C& c, const R&) { return Num(c.lru.temporary_ttl); }},
    {"idle_timeout", [](const C& c, const R&) { return Num(c.idle_timeout); }},
    {"watcher_logbuf_size", [](const C& c, const R&) { return Num(c.watcher_logbuf_size); }},
    {"worker_logbuf_size", [](const C& c, const R&) { return Num(c.worker_logbuf_size); }},
    {"read_buf_mem_limit", [](const C& c, const R&) { return Num(c.read_buf_mem_limit); }},
    {"track_sizes", [](const C& c, const R&) { return YesNo(c.track_sizes); }},
    {"inline_ascii_response", [](const C&, const R&) { return YesNo(false); }},
    {"ext_item_size", [](const C& c, const R&) { return Num(c.ext.item_size); }},
    {"ext_item_age", [](const C& c, const R&) { return Num(c.ext.item_age); }},
    {"ext_low_ttl", [](const C& c, const R&) { return Num(c.ext.low_ttl); }},
    {"ext_recache_rate", [](const C& c, const R&) { return Num(c.ext.recache_rate); }},
    {"ext_wbuf_size", [](const C& c, const R&) { return Num(c.ext.wbuf_size); }},
    {"ext_compact_under", [](const C& c, const R&) { return Num(c.ext.compact_under); }},
    {"ext_drop_under", [](const C& c, const R&) { return Num(c.ext.drop_under); }},
    {"ext_max_sleep", [](const C& c, const R&) { return Num(c.ext.max_sleep); }},
    {"ext_max_frag", [](const C& c, const R&) { return Fixed2(c.ext.max_frag); }},
    {"slab_automove_freeratio",
     [](const C& c, const R&) { return fmt::format("{:.3f}", c.ext.automove_freeratio); }},
    {"ext_drop_unread", [](const C& c, const R&) { return YesNo(c.ext.drop_unread); }},
    {"ssl_enabled", [](const C& c, const R&) { return YesNo(c.tls.enabled); }},
    {"ssl_chain_cert", [](const C& c, const R&) { return OrNull(c.tls.chain_cert, "(null)"); }},
    {"ssl_key", [](const C& c, const R&) { return OrNull(c.tls.key, "(null)"); }},
    {"ssl_verify_mode", [](const C& c, const R&) { return VerifyFlags(c.tls.verify_mode); }},
    {"ssl_keyformat", [](const C& c, const R&) { return Num(c.tls.key_format); }},
    {"ssl_ciphers", [](const C& c, const R&) { return OrNull(c.tls.ciphers, "NULL"); }},
    {"ssl_ca_cert", [](const C& c, const R&) { return OrNull(c.tls.ca_cert, "NULL"); }},
    {"ssl_wbuf_size", [](const C& c, const R&) { return Num(c.tls.wbuf_size); }},
    {"ssl_session_cache", [](const C& c, const R&) { return YesNo(c.tls.session_cache); }},
    {"ssl_kernel_tls", [](const C& c, const R&) { return YesNo(c.tls.kernel_tls); }},
    {"ssl_min_version",
     [](const C& c, const R&) { return fmt::format("tlsv1.{}", c.tls.min_version); }},
    {"num_napi_ids",
     [](const C& c,
        const R&) { return c.napi_ids == 0 ? std::string("(null)") : Num(c.napi_ids); }},
    {"memory_file", [](const C& c, const R&) { return OrNull(c.memory_file, "(null)"); }},
};

}  // namespace

RuntimeSettings InitialRuntimeSettings(const ServerConfig& config) {
  return RuntimeSettings{config.verbosity, config.detail_enabled, config.max_bytes, 0};
}

void EmitSettings(const ServerConfig& config, StatSink sink) {
  EmitSettings(config, InitialRuntimeSettings(config), sink);
}

void EmitSettings(const ServerConfig& config, const RuntimeSettings& now, StatSink sink) {
  for (const SettingRow& row : kRows) {
    std::string value = row.value(config, now);
    sink(row.name, value);
  }
}

}  // namespace mnemo::server
